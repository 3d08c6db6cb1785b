"""Buildings and storeys: footprints, heights, storey records, structural system.

Masses and floor areas follow :mod:`twin.engine.ifc.mass`. Heights: storey
elevation = ``Elevation`` x unit (else placement z); storey height = next
elevation - this one; the top storey's height is its highest element top
minus its elevation. Building height = highest element top minus the
ground-floor elevation. Storeys above ground are the storeys at elevation
>= -0.5 m that contain at least one element and are at least 1.5 m
high (a roof or parapet level is not a storey). Footprint = union of the plan
convex hulls of the tessellated structural elements (fallback: convex hull
of the element placement origins, Problem ``footprint-from-placements``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import ifcopenshell
import ifcopenshell.util.element
import shapely
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from twin.engine.ifc.context import (
    ReadContext,
    building_of,
    container_of,
    count_classes,
    is_any,
    storey_of,
)
from twin.engine.ifc.geometry import placement_origin_m
from twin.engine.ifc.mass import floor_area, mass_problems, storey_mass
from twin.engine.ifc.structure import StructureTally, infer_occupancy, infer_structural_system
from twin.engine.records import BuildingRecord, Problem, StoreyRecord

GROUND_TOLERANCE_M = 0.5
MIN_STOREY_M = 1.5


@dataclass
class Grouping:
    """Physical elements grouped by building and storey (STEP ids as keys)."""

    by_building: dict[int, list[ifcopenshell.entity_instance]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_storey: dict[int, list[ifcopenshell.entity_instance]] = field(
        default_factory=lambda: defaultdict(list)
    )
    spaces_by_storey: dict[int, list[ifcopenshell.entity_instance]] = field(
        default_factory=lambda: defaultdict(list)
    )
    storeys_by_building: dict[int, list[ifcopenshell.entity_instance]] = field(
        default_factory=lambda: defaultdict(list)
    )


def group_elements(model: ifcopenshell.file) -> Grouping:
    """Group every physical element (and space) of the model by building and storey."""
    grouping = Grouping()
    direct = _direct_containers(model)
    buildings: dict[int, ifcopenshell.entity_instance | None] = {}
    storeys: dict[int, ifcopenshell.entity_instance | None] = {}
    for element in model.by_type("IfcElement"):
        if is_any(element, ("IfcFeatureElement",)):
            continue
        structure = direct.get(element.id()) or container_of(element)
        key = structure.id() if structure is not None else 0
        if key not in buildings:  # many elements share a storey: walk up once per structure
            buildings[key], storeys[key] = building_of(structure), storey_of(structure)
        building, storey = buildings[key], storeys[key]
        if building is not None:
            grouping.by_building[building.id()].append(element)
        if storey is not None:
            grouping.by_storey[storey.id()].append(element)
    for space in model.by_type("IfcSpace"):
        storey = storey_of(ifcopenshell.util.element.get_aggregate(space) or container_of(space))
        if storey is not None:
            grouping.spaces_by_storey[storey.id()].append(space)
    for storey in model.by_type("IfcBuildingStorey"):
        building = building_of(storey)
        if building is not None:
            grouping.storeys_by_building[building.id()].append(storey)
    return grouping


def _direct_containers(model: ifcopenshell.file) -> dict[int, ifcopenshell.entity_instance]:
    """Element id -> its structure from ``IfcRelContainedInSpatialStructure`` (one pass).

    An element listed by several relations keeps the first, like ``get_container``.
    """
    found: dict[int, ifcopenshell.entity_instance] = {}
    for rel in model.by_type("IfcRelContainedInSpatialStructure"):
        for element in rel.RelatedElements or ():
            found.setdefault(element.id(), rel.RelatingStructure)
    return found


def storey_elevation(ctx: ReadContext, storey: ifcopenshell.entity_instance) -> float:
    """Return the storey elevation in metres (Elevation attribute, else placement z, else 0)."""
    if storey.Elevation is not None:
        return float(storey.Elevation) * ctx.length_m
    origin = placement_origin_m(storey, ctx.length_m)
    return float(origin[2]) if origin is not None else 0.0


def top_of(ctx: ReadContext, elements: list[ifcopenshell.entity_instance]) -> float | None:
    """Return the highest tessellated vertex of ``elements`` in metres, or None."""
    tops = [ctx.shapes[e.id()].z_max for e in elements if e.id() in ctx.shapes]
    return max(tops) if tops else None


def storey_records(
    ctx: ReadContext,
    building: ifcopenshell.entity_instance,
    grouping: Grouping,
    structure: StructureTally,
    materials: set[str],
) -> list[StoreyRecord]:
    """Build the StoreyRecords of ``building``, sorted by elevation."""
    storeys = list(grouping.storeys_by_building.get(building.id(), []))
    storeys.sort(key=lambda s: (storey_elevation(ctx, s), s.id()))
    records: list[StoreyRecord] = []
    for index, storey in enumerate(storeys):
        elements = grouping.by_storey.get(storey.id(), [])
        elevation = storey_elevation(ctx, storey)
        height = _storey_height(ctx, storeys, index, elevation, elements)
        area, area_basis = floor_area(ctx, elements, grouping.spaces_by_storey.get(storey.id(), []))
        mass, mass_basis, tally = storey_mass(ctx, elements, area, structure, materials)
        ctx.problems.extend(mass_problems(storey, tally))
        records.append(
            StoreyRecord(
                global_id=storey.GlobalId,
                name=storey.Name or storey.LongName or f"storey {index}",
                elevation_m=elevation,
                height_m=height,
                mass_kg=mass,
                floor_area_m2=area,
                element_counts=count_classes(elements),
                basis=f"{mass_basis}; {area_basis}",
            )
        )
    return records


def _storey_height(
    ctx: ReadContext,
    storeys: list[ifcopenshell.entity_instance],
    index: int,
    elevation: float,
    elements: list[ifcopenshell.entity_instance],
) -> float | None:
    """Return the storey height in metres (next elevation, else own element tops), else None."""
    if index + 1 < len(storeys):
        return storey_elevation(ctx, storeys[index + 1]) - elevation
    top = top_of(ctx, elements)
    if top is not None and top - elevation > 0.1:
        return top - elevation
    ctx.problems.append(
        Problem(
            "storey-height-unknown",
            f"top storey '{storeys[index].Name}' has no "
            "element geometry above its elevation; height unknown",
            storeys[index].GlobalId,
        )
    )
    return None


def footprint(
    ctx: ReadContext,
    building: ifcopenshell.entity_instance,
    elements: list[ifcopenshell.entity_instance],
) -> str | None:
    """Return the building footprint WKT in ``ctx.frame.epsg`` (module docstring)."""
    hulls = [ctx.shapes[e.id()].hull_xy for e in elements if e.id() in ctx.shapes]
    polygons = [Polygon(h).buffer(0) for h in hulls if len(h) >= 3]
    local = unary_union([p for p in polygons if not p.is_empty]) if polygons else None
    if local is not None and not local.is_empty:
        local = _without_slivers(local)
    if local is None or local.is_empty:
        origins = [
            o for o in (placement_origin_m(e, ctx.length_m) for e in elements) if o is not None
        ]
        hull = MultiPoint([tuple(o[:2]) for o in origins]).convex_hull if origins else None
        if hull is None or hull.geom_type != "Polygon":
            ctx.problems.append(
                Problem(
                    "footprint-missing",
                    "no element geometry or placements span an area; footprint unknown",
                    building.GlobalId,
                )
            )
            return None
        ctx.problems.append(
            Problem(
                "footprint-from-placements",
                "element geometry failed; footprint "
                "is the convex hull of element placement origins",
                building.GlobalId,
            )
        )
        local = hull
    geographic = shapely.transform(local, lambda xy: ctx.frame.to_crs(xy))
    return geographic.wkt


SLIVER_M2 = 0.01


def _without_slivers(geom: BaseGeometry) -> BaseGeometry:
    """Drop holes under ``SLIVER_M2`` (m²) that rounding leaves between touching element
    hulls; they make the footprint invalid once mapped to longitude/latitude."""
    parts = [
        Polygon(p.exterior, [r for r in p.interiors if Polygon(r).area >= SLIVER_M2])
        for p in getattr(geom, "geoms", [geom])
        if p.geom_type == "Polygon"
    ]
    return unary_union(parts) if parts else geom


def _ground_and_count(records: list[StoreyRecord]) -> tuple[float, int]:
    """Return (ground elevation m, storeys above ground) per the module rules."""
    above = [r for r in records if r.elevation_m >= -GROUND_TOLERANCE_M]
    ground = min((r.elevation_m for r in above), default=0.0)
    real = [
        r for r in above if r.element_counts and (r.height_m is None or r.height_m >= MIN_STOREY_M)
    ]
    return ground, len(real)


def _occupancy(
    ctx: ReadContext, building: ifcopenshell.entity_instance, grouping: Grouping
) -> tuple[str | None, str | None]:
    """Return (occupancy, imputation note) from Pset_BuildingCommon or names."""
    explicit = (ifcopenshell.util.element.get_psets(building).get("Pset_BuildingCommon") or {}).get(
        "OccupancyType"
    )
    names = [
        building.Name,
        getattr(building, "LongName", None),
        building.ObjectType,
        building.Description,
    ]
    for storey in grouping.storeys_by_building.get(building.id(), []):
        names += [sp.LongName or sp.Name for sp in grouping.spaces_by_storey.get(storey.id(), [])]
    return infer_occupancy(explicit if isinstance(explicit, str) else None, names)


def _structural_system(
    ctx: ReadContext, building: ifcopenshell.entity_instance, structure: StructureTally, above: int
) -> tuple[str | None, dict[str, str]]:
    """Return (Hazus code or None, imputed notes); an unknown system becomes a Problem."""
    system, why = infer_structural_system(structure, above)
    if system is None:
        ctx.problems.append(
            Problem(
                "structural-system-unknown",
                f"structural system not inferred: {why}",
                building.GlobalId,
            )
        )
        return None, {}
    return system, {"structural_system": why}


def building_record(
    ctx: ReadContext, building: ifcopenshell.entity_instance, grouping: Grouping, source: str
) -> BuildingRecord:
    """Assemble the BuildingRecord of one IfcBuilding."""
    elements = grouping.by_building.get(building.id(), [])
    structure, materials = StructureTally(), set[str]()
    storeys = storey_records(ctx, building, grouping, structure, materials)
    ground, above = _ground_and_count(storeys)
    top = top_of(ctx, elements)
    if top is None and storeys and storeys[-1].height_m is not None:
        top = storeys[-1].elevation_m + storeys[-1].height_m
    psets = ifcopenshell.util.element.get_psets(building, psets_only=True)
    declared = twin_attributes(psets.get(TWIN_PSET) or {})
    system: str | None
    imputed: dict[str, str]
    if "structural_system" in declared:
        system, imputed = str(declared.pop("structural_system")), {}
    else:
        system, imputed = _structural_system(ctx, building, structure, above)
    occupancy, note = _occupancy(ctx, building, grouping)
    if note:
        imputed["occupancy"] = note
    areas = [s.floor_area_m2 for s in storeys if s.floor_area_m2 is not None]
    year = (psets.get("Pset_BuildingCommon") or {}).get("YearOfConstruction")
    return BuildingRecord(
        global_id=building.GlobalId,
        name=building.Name or getattr(building, "LongName", None) or "",
        footprint_wkt=footprint(ctx, building, elements),
        footprint_epsg=ctx.frame.epsg,
        height_m=(top - ground) if top is not None else None,
        storeys_above_ground=above or None,
        structural_system=system,
        occupancy=occupancy,
        floor_area_m2=sum(areas) if areas else None,
        storeys=tuple(storeys),
        element_counts=count_classes(elements),
        materials=tuple(sorted(materials)),
        imputed=imputed,
        source=source,
        source_attributes={"year": str(year)} if year else {},
        **declared,  # type: ignore[arg-type]
    )


def twin_attributes(pset: dict[str, object]) -> dict[str, object]:
    """Record fields from the project's ``TwinCIM`` property set (docs/towns.md).

    ``StructuralSystem`` (Hazus code) and ``DesignEra`` (labels), ``FortificationIntensity``,
    ``DayPopulation``, ``NightPopulation`` (persons), ``ReplacementCost`` (CNY) (reals) and
    ``SeismicIsolation`` (boolean). A declared structural system wins over the one inferred
    from elements. Values of the wrong type are ignored.
    """
    out: dict[str, object] = {}
    for prop, attr in TWIN_TEXT.items():
        if isinstance(pset.get(prop), str) and pset[prop]:
            out[attr] = pset[prop]
    for prop, attr in TWIN_NUMBERS.items():
        value = pset.get(prop)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            out[attr] = float(value)
    if isinstance(pset.get("SeismicIsolation"), bool):
        out["isolated"] = pset["SeismicIsolation"]
    return out


TWIN_PSET = "TwinCIM"
TWIN_TEXT = {"StructuralSystem": "structural_system", "DesignEra": "design_era"}
TWIN_NUMBERS = {
    "FortificationIntensity": "fortification_intensity",
    "DayPopulation": "day_population",
    "NightPopulation": "night_population",
    "ReplacementCost": "replacement_cost",
}


def read_buildings(ctx: ReadContext, source: str) -> list[BuildingRecord]:
    """Return one BuildingRecord per IfcBuilding, ordered by STEP id."""
    grouping = group_elements(ctx.model)
    return [
        building_record(ctx, b, grouping, source)
        for b in sorted(ctx.model.by_type("IfcBuilding"), key=lambda b: b.id())
    ]
