"""Storey mass model and floor area.

Storey mass (kg)
----------------
``mass = sum(V_e * rho_e) + q * A / g`` over the structural elements ``e``
contained in the storey (walls, slabs, columns, beams, members, plates,
footings, piles, stairs, ramps, roofs, curtain walls, chimneys; an aggregate
whose parts are elements is skipped so nothing counts twice). ``V_e`` is the
``NetVolume``/``GrossVolume`` base quantity, else the tessellated volume
(openings subtracted); ``rho_e`` comes from the material names (see
:mod:`twin.engine.ifc.materials`). ``q = 1.0 kN/m2`` is a superimposed
dead + quasi-permanent live allowance on the storey floor area ``A`` and
``g = 9.80665 m/s2``. ``StoreyRecord.basis`` states which sources were used.

Floor area (m2): non-roof slab base quantities (GrossArea, NetArea), else
space quantities (NetFloorArea, GrossFloorArea), else the plan area of the
union of the non-roof slab geometry; the basis is stated.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import ifcopenshell
import ifcopenshell.util.element
from shapely.geometry import Polygon
from shapely.ops import unary_union

from twin.engine.ifc.context import ReadContext, is_any, normalised_class
from twin.engine.ifc.geometry import GEOMETRY_CLASSES
from twin.engine.ifc.materials import DEFAULT_DENSITY_KG_M3, material_info
from twin.engine.ifc.quantities import FLOOR_AREA_NAMES, SLAB_AREA_NAMES, VOLUME_NAMES, quantity
from twin.engine.ifc.structure import StructureTally
from twin.engine.records import Problem

SUPERIMPOSED_LOAD_PA = 1000.0
GRAVITY_M_S2 = 9.80665


def _is_mass_element(element: ifcopenshell.entity_instance) -> bool:
    """True for structural elements that carry self weight and are not pure aggregates."""
    if not is_any(element, GEOMETRY_CLASSES):
        return False
    parts = [o for rel in (element.IsDecomposedBy or ()) for o in rel.RelatedObjects]
    return not any(p.is_a("IfcElement") for p in parts)


def element_volume(
    ctx: ReadContext, element: ifcopenshell.entity_instance
) -> tuple[float | None, str]:
    """Return (volume m3, basis "quantity"/"geometry"/"none") of an element."""
    volume = quantity(element, VOLUME_NAMES, ctx.volume_m3, ctx.quantity_cache)
    if volume is not None:
        return volume, "quantity"
    shape = ctx.shapes.get(element.id())
    if shape is not None and shape.volume_m3 is not None:
        return shape.volume_m3, "geometry"
    return None, "none"


@dataclass
class MassTally:
    """Running self-weight sum of a storey with its bookkeeping."""

    kg: float = 0.0
    bases: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unknown_materials: set[str] = field(default_factory=set)
    no_material: list[str] = field(default_factory=list)


def add_element_mass(
    ctx: ReadContext,
    element: ifcopenshell.entity_instance,
    tally: MassTally,
    structure: StructureTally,
    materials: set[str],
) -> None:
    """Add one element's self weight (kg) to ``tally`` and its share to ``structure``."""
    volume, basis = element_volume(ctx, element)
    tally.bases[basis] += 1
    info = material_info(element, ctx.material_cache)
    if info is None:
        tally.no_material.append(element.GlobalId)
    else:
        materials.update(info.names)
        if not info.known:
            tally.unknown_materials.update(info.names)
    structure.add(
        normalised_class(element),
        info.category if info else "unknown",
        volume,
        bool(info and info.reinforced),
    )
    if volume is not None:
        tally.kg += volume * (info.density_kg_m3 if info else DEFAULT_DENSITY_KG_M3)


def _is_floor_slab(element: ifcopenshell.entity_instance) -> bool:
    """True for slabs that are floors (not roofs or landings)."""
    if not is_any(element, ("IfcSlab",)):
        return False
    kind = ifcopenshell.util.element.get_predefined_type(element)
    return kind not in ("ROOF", "LANDING")


def floor_area(
    ctx: ReadContext,
    elements: list[ifcopenshell.entity_instance],
    spaces: list[ifcopenshell.entity_instance],
) -> tuple[float | None, str]:
    """Return (floor area m2, basis) of a storey; see module docstring for the order."""
    slabs = [e for e in elements if _is_floor_slab(e)]
    areas = [quantity(s, SLAB_AREA_NAMES, ctx.area_m2, ctx.quantity_cache) for s in slabs]
    if slabs and all(a is not None for a in areas):
        return float(sum(a for a in areas if a is not None)), "floor area from slab quantities"
    space_areas = [quantity(s, FLOOR_AREA_NAMES, ctx.area_m2, ctx.quantity_cache) for s in spaces]
    if spaces and all(a is not None for a in space_areas):
        return float(
            sum(a for a in space_areas if a is not None)
        ), "floor area from space quantities"
    hulls = [
        Polygon(ctx.shapes[s.id()].hull_xy)
        for s in slabs
        if s.id() in ctx.shapes and len(ctx.shapes[s.id()].hull_xy) >= 3
    ]
    if hulls:
        return float(unary_union(hulls).area), "floor area from slab geometry (plan hull)"
    return None, "no floor area (no slab or space)"


def storey_mass(
    ctx: ReadContext,
    elements: list[ifcopenshell.entity_instance],
    area_m2: float | None,
    structure: StructureTally,
    materials: set[str],
) -> tuple[float | None, str, MassTally]:
    """Return (mass kg, basis, tally) of one storey per the module's mass model."""
    tally = MassTally()
    for element in elements:
        if _is_mass_element(element):
            add_element_mass(ctx, element, tally, structure, materials)
    if not tally.bases and area_m2 is None:
        return None, "no structural elements", tally
    live = SUPERIMPOSED_LOAD_PA * (area_m2 or 0.0) / GRAVITY_M_S2
    used = ", ".join(f"{n} by {b}" for b, n in sorted(tally.bases.items()))
    basis = (
        f"self weight of {sum(tally.bases.values())} elements (volume {used or 'none'}) "
        f"x material density + {SUPERIMPOSED_LOAD_PA / 1000:.1f} kN/m2 allowance on floor area"
    )
    return tally.kg + live, basis, tally


def mass_problems(storey: ifcopenshell.entity_instance, tally: MassTally) -> list[Problem]:
    """Turn a storey's mass bookkeeping into (aggregated) problems."""
    problems = [
        Problem(
            "density-default",
            f"material '{name}' not recognised; density {DEFAULT_DENSITY_KG_M3:.0f} kg/m3 assumed",
            storey.GlobalId,
        )
        for name in sorted(tally.unknown_materials)
    ]
    if tally.no_material:
        problems.append(
            Problem(
                "material-missing",
                f"{len(tally.no_material)} structural elements in "
                f"storey '{storey.Name}' have no material; density "
                f"{DEFAULT_DENSITY_KG_M3:.0f} kg/m3 assumed",
                storey.GlobalId,
            )
        )
    if tally.bases.get("none"):
        problems.append(
            Problem(
                "volume-missing",
                f"{tally.bases['none']} structural elements in storey "
                f"'{storey.Name}' have neither volume quantity nor closed geometry; "
                "their mass is missing",
                storey.GlobalId,
            )
        )
    return problems
