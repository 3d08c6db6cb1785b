"""Pipe properties: diameter, length and material from property sets and profiles.

Property names are compared case-insensitively; list values (IFC bounded or
list values such as ``NominalDiameter = [150.]``) use their first item.
Lengths and diameters are in the project length unit and are converted to
metres by the caller's ``length_m``.
"""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.util.element

from twin.engine.ifc.context import ReadContext

DIAMETER_NAMES = (
    "nominaldiameter",
    "outerdiameter",
    "nominal diameter",
    "outer diameter",
    "diameter",
    "innerdiameter",
)
LENGTH_NAMES = ("length", "calculated pipe length", "laenge")


def _first_number(value: object) -> float | None:
    """Return a positive number from a property value (lists take their first item)."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def numeric_property(element: ifcopenshell.entity_instance, names: tuple[str, ...]) -> float | None:
    """Return the first positive numeric property whose lower-cased name is in ``names``."""
    psets = ifcopenshell.util.element.get_psets(element)
    ordered = sorted(psets.items(), key=lambda kv: (not kv[0].startswith(("Pset_", "Qto_")), kv[0]))
    for name in names:
        for _, props in ordered:
            for key, value in props.items():
                if key.lower() == name and _first_number(value) is not None:
                    return _first_number(value)
    return None


def diameter_m(ctx: ReadContext, element: ifcopenshell.entity_instance) -> float | None:
    """Return the pipe diameter in metres from properties, else from a circular body profile."""
    value = numeric_property(element, DIAMETER_NAMES)
    if value is not None:
        return value * ctx.length_m
    for rep in getattr(element.Representation, "Representations", None) or ():
        for item in rep.Items:
            profile = getattr(item, "SweptArea", None)
            if profile is not None and profile.is_a("IfcCircleProfileDef"):
                return 2.0 * float(profile.Radius) * ctx.length_m
    return None


def material_name(element: ifcopenshell.entity_instance) -> str | None:
    """Return the element's material name(s), else a ``Material`` property, else None."""
    names = [m.Name for m in ifcopenshell.util.element.get_materials(element) if m.Name]
    if names:
        return "; ".join(dict.fromkeys(names))
    for props in ifcopenshell.util.element.get_psets(element).values():
        value = props.get("Material")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
