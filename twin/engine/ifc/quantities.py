"""Base quantities (``IfcElementQuantity``) read in SI units.

Quantity sets are searched in this order: standard ``Qto_*BaseQuantities``,
the IFC2X3-era ``BaseQuantities`` set, then any other set. Values are in the
project's area / volume units and are multiplied by their SI factors.
"""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.util.element


def element_qtos(
    element: ifcopenshell.entity_instance, cache: dict[int, dict[str, object]] | None = None
) -> dict[str, dict[str, object]]:
    """``get_psets(element, qtos_only=True)``, decoding each shared quantity set once.

    Generated town files relate one ``IfcElementQuantity`` to many elements; decoding it per
    element dominated the read time. Typed elements (which inherit their type's sets) take
    ifcopenshell's own path unchanged.
    """
    if cache is None or ifcopenshell.util.element.get_type(element) is not None:
        return ifcopenshell.util.element.get_psets(element, qtos_only=True)
    qtos: dict[str, dict[str, object]] = {}
    for rel in getattr(element, "IsDefinedBy", None) or ():
        if not rel.is_a("IfcRelDefinesByProperties"):
            continue
        definition = rel.RelatingPropertyDefinition
        if definition.is_a("IfcPropertySetDefinitionSet"):
            definitions = definition.wrappedValue
        else:
            definitions = (definition,)
        for item in definitions:
            if not item.is_a("IfcElementQuantity"):
                continue
            decoded = cache.get(item.id())
            if decoded is None:
                decoded = ifcopenshell.util.element.get_property_definition(item)
                cache[item.id()] = decoded
            qtos.setdefault(item.Name, {}).update(decoded)
    return qtos


def _ordered_sets(
    element: ifcopenshell.entity_instance, cache: dict[int, dict[str, object]] | None = None
) -> list[dict[str, object]]:
    """Return the element's quantity sets as dicts, standard sets first."""
    qtos = element_qtos(element, cache)

    def rank(name: str) -> int:
        if name.startswith("Qto_") and name.endswith("BaseQuantities"):
            return 0
        return 1 if name == "BaseQuantities" else 2

    return [qtos[name] for name in sorted(qtos, key=lambda n: (rank(n), n))]


def quantity(
    element: ifcopenshell.entity_instance,
    names: tuple[str, ...],
    scale: float,
    cache: dict[int, dict[str, object]] | None = None,
) -> float | None:
    """Return the first positive quantity among ``names``, times ``scale``.

    Parameters
    ----------
    element : entity_instance
        Element with quantity sets.
    names : tuple of str
        Quantity names in order of preference (e.g. ``("NetVolume", "GrossVolume")``).
    scale : float
        SI factor of the project unit of that quantity (m2 or m3 per unit).
    cache : dict, optional
        Decoded quantity sets by STEP id, shared across calls on one file.

    Returns
    -------
    float or None
        The quantity in SI units, or None when absent.
    """
    sets = _ordered_sets(element, cache)
    for name in names:
        for qset in sets:
            value = qset.get(name)
            if isinstance(value, (int, float)) and value > 0:
                return float(value) * scale
    return None


VOLUME_NAMES: tuple[str, ...] = ("NetVolume", "GrossVolume")
FLOOR_AREA_NAMES: tuple[str, ...] = ("NetFloorArea", "GrossFloorArea")
SLAB_AREA_NAMES: tuple[str, ...] = ("GrossArea", "NetArea")
