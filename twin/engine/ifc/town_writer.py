"""Many generated buildings in one IFC4 file, written as STEP text (fast, deterministic).

One ``IfcProject`` / ``IfcSite`` (``RefLatitude``/``RefLongitude`` = the town's local-plane
origin) aggregates one ``IfcBuilding`` per :class:`IfcBuildingSpec`, placed at its plan
position and rotation in the town's local metres (x east, y north). Length unit: metre.

Each building has ``storeys`` storeys of ``storey_height_m``; each storey holds

* a floor slab over the whole rectangular footprint at its ceiling (so the storey's mass sits
  at its top, as in :mod:`twin.engine.ifc.writer`);
* the vertical structure of the building's ``layout``:

  - ``wall``: four perimeter walls plus a longitudinal spine wall when the building is at
    least ``SPINE_MIN_WIDTH_M`` deep (bearing-wall systems: URM, RM, C2, PC1, W1);
  - ``frame``: columns on a grid of bays of about ``bay_m`` (at most ``MAX_BAYS`` per side)
    and four perimeter beams (C1, S1, S2, PC2);
  - ``frame_infill``: the frame plus perimeter walls of ``wall_material`` (C3, S5);
  - ``frame_core``: the frame plus a spine wall of ``wall_material`` (S4, RC cores).

Geometry is ``IfcExtrudedAreaSolid`` of ``IfcRectangleProfileDef`` (one shared
``IfcProductDefinitionShape`` per distinct element shape of a building); every element has
``Qto_*BaseQuantities`` (shared per shape through one ``IfcRelDefinesByProperties``) and an
``IfcMaterial``. The building carries ``Pset_BuildingCommon`` (``OccupancyType``,
``YearOfConstruction``, ``NumberOfStoreys``) and the project set ``TwinCIM`` (see
:data:`TWIN_PSET`) with the attributes IFC has no standard place for; the reader maps them
onto the building record (docs/towns.md). GlobalIds are hashes of ``IfcBuildingSpec.key``, so
the bytes depend only on the inputs.

This module is the building layout; the STEP text itself (encoding, header, units, project and
site, property sets) is written by :mod:`twin.engine.ifc.step_text`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from twin.engine.ifc.step_text import (
    PropertyValue,
    StepLines,
    global_id,
    project_and_site,
    real,
    refs,
    string,
)

TWIN_PSET = "TwinCIM"
SPINE_MIN_WIDTH_M = 12.0
MAX_BAYS = 3
LAYOUTS = ("wall", "frame", "frame_infill", "frame_core")


@dataclass(frozen=True, slots=True)
class IfcBuildingSpec:
    """One rectangular building to write (metres, degrees).

    ``x_m``/``y_m`` is the footprint centre in the town's local plane, ``rotation_deg`` the
    counter-clockwise angle of the building's long axis from local +x (east).
    ``properties`` go into the ``TwinCIM`` property set (str → label, float → real,
    int → integer, bool → boolean).
    """

    key: str
    name: str
    x_m: float
    y_m: float
    rotation_deg: float
    length_m: float
    width_m: float
    storeys: int
    storey_height_m: float
    layout: str
    frame_material: str = "Reinforced concrete C30"
    wall_material: str = "Reinforced concrete C30"
    slab_material: str = "Reinforced concrete C30"
    wall_thickness_m: float = 0.24
    slab_thickness_m: float = 0.15
    column_m: float = 0.5
    beam_m: tuple[float, float] = (0.3, 0.6)
    bay_m: float = 7.5
    occupancy: str | None = None
    year: int | None = None
    terrain_elevation_m: float = 0.0
    properties: dict[str, PropertyValue] = field(default_factory=dict)


@dataclass
class _Shape:
    """One element shape of a building: its representation and base quantities."""

    ifc_class: str
    predefined: str
    representation: int
    qto_name: str
    quantities: list[tuple[str, str, float]]
    material: str
    elements: list[int] = field(default_factory=list)


def _shape(
    s: StepLines, body: int, size: tuple[float, float], depth: float, ifc_class: str, material: str
) -> _Shape:
    """Rectangle ``size`` (x, y) centred on the element origin, extruded ``depth`` up (m)."""
    origin2d = s.add("IFCAXIS2PLACEMENT2D", f"#{s.point(0.0, 0.0)},$")
    profile = s.add(
        "IFCRECTANGLEPROFILEDEF", f".AREA.,$,#{origin2d},{real(size[0])},{real(size[1])}"
    )
    position = s.add("IFCAXIS2PLACEMENT3D", f"#{s.point(0.0, 0.0, 0.0)},$,$")
    solid = s.add("IFCEXTRUDEDAREASOLID", f"#{profile},#{position},#{s.z_dir},{real(depth)}")
    rep = s.add("IFCSHAPEREPRESENTATION", f"#{body},'Body','SweptSolid',(#{solid})")
    pds = s.add("IFCPRODUCTDEFINITIONSHAPE", f"$,$,(#{rep})")
    volume = size[0] * size[1] * depth
    if ifc_class == "IFCSLAB":
        area = size[0] * size[1]
        q = [("AREA", "GrossArea", area), ("AREA", "NetArea", area), ("LENGTH", "Width", depth)]
        return _Shape(
            ifc_class,
            "FLOOR",
            pds,
            "Qto_SlabBaseQuantities",
            [*q, ("VOLUME", "GrossVolume", volume), ("VOLUME", "NetVolume", volume)],
            material,
        )
    if ifc_class == "IFCWALL":
        q = [
            ("LENGTH", "Length", max(size)),
            ("LENGTH", "Height", depth),
            ("LENGTH", "Width", min(size)),
        ]
        name, kind = "Qto_WallBaseQuantities", "SOLIDWALL"
    else:
        long_axis = depth if ifc_class == "IFCCOLUMN" else max(size)
        section = size[0] * size[1] if ifc_class == "IFCCOLUMN" else min(size) * depth
        q = [("LENGTH", "Length", long_axis), ("AREA", "CrossSectionArea", section)]
        name = "Qto_ColumnBaseQuantities" if ifc_class == "IFCCOLUMN" else "Qto_BeamBaseQuantities"
        kind = "COLUMN" if ifc_class == "IFCCOLUMN" else "BEAM"
    q += [("VOLUME", "GrossVolume", volume), ("VOLUME", "NetVolume", volume)]
    return _Shape(ifc_class, kind, pds, name, q, material)


def _grid(length: float, bay: float) -> list[float]:
    bays = max(1, min(MAX_BAYS, round(length / bay)))
    return [-length / 2 + i * length / bays for i in range(bays + 1)]


def _layout_shapes(
    s: StepLines, body: int, b: IfcBuildingSpec
) -> list[tuple[_Shape, list[tuple[float, float, float]]]]:
    """Element shapes of one storey and their (x, y, z offset) positions in the building."""
    h, t, ts = b.storey_height_m, b.wall_thickness_m, b.slab_thickness_m
    length, width = b.length_m, b.width_m
    clear = h - ts
    out: list[tuple[_Shape, list[tuple[float, float, float]]]] = [
        (_shape(s, body, (length, width), ts, "IFCSLAB", b.slab_material), [(0.0, 0.0, clear)])
    ]
    walls = b.layout in ("wall", "frame_infill")
    frame = b.layout != "wall"
    if walls:
        long_wall = _shape(s, body, (length, t), clear, "IFCWALL", b.wall_material)
        short_wall = _shape(s, body, (t, width - 2 * t), clear, "IFCWALL", b.wall_material)
        y = width / 2 - t / 2
        x = length / 2 - t / 2
        out += [
            (long_wall, [(0.0, -y, 0.0), (0.0, y, 0.0)]),
            (short_wall, [(-x, 0.0, 0.0), (x, 0.0, 0.0)]),
        ]
    if (b.layout == "wall" and width >= SPINE_MIN_WIDTH_M) or b.layout == "frame_core":
        spine = _shape(s, body, (length - 2 * t, t), clear, "IFCWALL", b.wall_material)
        out.append((spine, [(0.0, 0.0, 0.0)]))
    if frame:
        xs, ys = _grid(length, b.bay_m), _grid(width, b.bay_m)
        bw, bd = b.beam_m
        column = _shape(s, body, (b.column_m, b.column_m), clear, "IFCCOLUMN", b.frame_material)
        out.append((column, [(x, y, 0.0) for y in ys for x in xs]))
        beam_x = _shape(s, body, (length, bw), bd, "IFCBEAM", b.frame_material)
        beam_y = _shape(s, body, (bw, width), bd, "IFCBEAM", b.frame_material)
        z = clear - bd
        out += [
            (beam_x, [(0.0, ys[0], z), (0.0, ys[-1], z)]),
            (beam_y, [(xs[0], 0.0, z), (xs[-1], 0.0, z)]),
        ]
    return out


def _category(material: str) -> str:
    lowered = material.lower()
    for word in ("concrete", "steel", "masonry", "brick", "timber", "wood"):
        if word in lowered:
            return {"brick": "masonry", "wood": "timber"}.get(word, word)
    return "other"


def _building(s: StepLines, body: int, site_placement: int, b: IfcBuildingSpec) -> int:
    """Write one building with its storeys, elements, quantities, materials and psets."""
    gid = global_id(b.key)
    angle = math.radians(b.rotation_deg)
    ref = s.add("IFCDIRECTION", f"({real(math.cos(angle))},{real(math.sin(angle))},0.)")
    placement = s.placement(site_placement, (b.x_m, b.y_m, 0.0), ref)
    building = s.add(
        "IFCBUILDING",
        f"{string(gid)},$,{string(b.name)},$,$,#{placement},$,$,.ELEMENT.,0.,"
        f"{real(b.terrain_elevation_m)},$",
    )
    shapes = _layout_shapes(s, body, b)
    storeys = []
    for i in range(b.storeys):
        elevation = i * b.storey_height_m
        storey_placement = s.placement(placement, (0.0, 0.0, elevation), None)
        storey = s.add(
            "IFCBUILDINGSTOREY",
            f"{string(global_id(b.key + f':s{i}'))},$,{string(f'Storey {i}')},$,$,"
            f"#{storey_placement},$,$,.ELEMENT.,{real(elevation)}",
        )
        storeys.append(storey)
        contained = []
        for n, (shape, positions) in enumerate(shapes):
            for k, (x, y, z) in enumerate(positions):
                element_placement = s.placement(storey_placement, (x, y, z), None)
                element = s.add(
                    shape.ifc_class,
                    f"{string(global_id(b.key + f':s{i}:{n}:{k}'))},$,$,$,$,#{element_placement},"
                    f"#{shape.representation},$,.{shape.predefined}.",
                )
                shape.elements.append(element)
                contained.append(element)
        s.add(
            "IFCRELCONTAINEDINSPATIALSTRUCTURE",
            f"{string(global_id(b.key + f':s{i}:rel'))},$,$,$,{refs(contained)},#{storey}",
        )
    s.add(
        "IFCRELAGGREGATES",
        f"{string(global_id(b.key + ':rel-s'))},$,$,$,#{building},{refs(storeys)}",
    )
    by_material: dict[str, list[int]] = {}
    for n, (shape, _) in enumerate(shapes):
        quantities = [
            s.add(f"IFCQUANTITY{kind}", f"{string(name)},$,$,{real(value)},$")
            for kind, name, value in shape.quantities
        ]
        qto = s.add(
            "IFCELEMENTQUANTITY",
            f"{string(global_id(b.key + f':q{n}'))},$,{string(shape.qto_name)},$,$,"
            f"{refs(quantities)}",
        )
        s.add(
            "IFCRELDEFINESBYPROPERTIES",
            f"{string(global_id(b.key + f':rq{n}'))},$,$,$,{refs(shape.elements)},#{qto}",
        )
        by_material.setdefault(shape.material, []).extend(shape.elements)
    for name, elements in sorted(by_material.items()):
        s.add(
            "IFCRELASSOCIATESMATERIAL",
            f"{string(global_id(b.key + ':m:' + name))},$,$,$,{refs(elements)},"
            f"#{s.material(name, _category(name))}",
        )
    common: dict[str, PropertyValue] = {"NumberOfStoreys": b.storeys}
    if b.occupancy:
        common["OccupancyType"] = b.occupancy
    if b.year:
        common["YearOfConstruction"] = str(b.year)
    s.property_set(gid, "Pset_BuildingCommon", common, building)
    if b.properties:
        s.property_set(gid, TWIN_PSET, dict(b.properties), building)
    return building


def write_town_ifc(
    path: str | Path,
    buildings: Sequence[IfcBuildingSpec],
    *,
    name: str,
    latitude_deg: float,
    longitude_deg: float,
) -> None:
    """Write ``buildings`` into one IFC4 file at ``path`` (see the module docstring).

    ``latitude_deg``/``longitude_deg`` (WGS 84) is the local-plane origin of the building
    positions; the site is georeferenced there with true north = local +y.
    Raises ValueError for an unknown layout or a non-positive size.
    """
    for b in buildings:
        if b.layout not in LAYOUTS or b.storeys < 1 or min(b.length_m, b.width_m) <= 0:
            raise ValueError(
                f"{b.key}: unsupported building layout={b.layout!r} storeys={b.storeys}"
            )
    s = StepLines()
    body, site_placement = project_and_site(s, name, latitude_deg, longitude_deg)
    built = [_building(s, body, site_placement, b) for b in buildings]
    s.add("IFCRELAGGREGATES", f"{string(global_id(name + ':rel-b'))},$,$,$,#{s.site},{refs(built)}")
    s.write(Path(path), __name__)
