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
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ifcopenshell.guid

from twin.engine.ifc.units import degrees_to_dms

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
    properties: dict[str, str | float | int | bool] = field(default_factory=dict)


def global_id(key: str) -> str:
    """A stable IFC GlobalId (22 characters) derived from ``key``."""
    return str(
        ifcopenshell.guid.compress(hashlib.blake2b(key.encode(), digest_size=16).hexdigest())
    )


def _real(value: float) -> str:
    text = repr(float(value))
    if "e" in text or "E" in text:
        return f"{float(value):.10E}"
    return text if "." in text else text + "."


def _text(value: str) -> str:
    out = []
    for ch in value:
        if ch == "'":
            out.append("''")
        elif ch == "\\":
            out.append("\\\\")
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.append(f"\\X2\\{ord(ch):04X}\\X0\\" if ord(ch) < 0x10000 else "?")
    return "'" + "".join(out) + "'"


def _refs(ids: Iterable[int]) -> str:
    return "(" + ",".join(f"#{i}" for i in ids) + ")"


class _Step:
    """Accumulates numbered STEP entity lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.materials: dict[str, int] = {}
        self.z_dir = self.x_dir = self.site = 0

    def add(self, entity: str, args: str) -> int:
        self.lines.append(f"#{len(self.lines) + 1}={entity}({args});")
        return len(self.lines)

    def point(self, x: float, y: float, z: float | None = None) -> int:
        coords = (x, y) if z is None else (x, y, z)
        return self.add("IFCCARTESIANPOINT", "(" + ",".join(_real(c) for c in coords) + ")")

    def placement(
        self, parent: int | None, xyz: tuple[float, float, float], ref: int | None
    ) -> int:
        axis = self.add(
            "IFCAXIS2PLACEMENT3D",
            f"#{self.point(*xyz)},{'#' + str(self.z_dir) if ref else '$'},"
            f"{'#' + str(ref) if ref else '$'}",
        )
        return self.add("IFCLOCALPLACEMENT", f"{'#' + str(parent) if parent else '$'},#{axis}")

    def material(self, name: str, category: str) -> int:
        if name not in self.materials:
            self.materials[name] = self.add("IFCMATERIAL", f"{_text(name)},$,{_text(category)}")
        return self.materials[name]


def _category(material: str) -> str:
    lowered = material.lower()
    for word in ("concrete", "steel", "masonry", "brick", "timber", "wood"):
        if word in lowered:
            return {"brick": "masonry", "wood": "timber"}.get(word, word)
    return "other"


def _header(file_name: str) -> str:
    return (
        "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('ViewDefinition [DesignTransferView]'),'2;1');\n"
        f"FILE_NAME({_text(file_name)},'2000-01-01T00:00:00',('twin'),('twin'),"
        "'twin.engine.ifc.town_writer','twin','');\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n"
    )


def _project(s: _Step, name: str, latitude_deg: float, longitude_deg: float) -> tuple[int, int]:
    """Units, contexts, project and site; returns (body context id, site placement id)."""
    units = [
        s.add("IFCSIUNIT", f"*,.{kind}.,$,.{unit}.")
        for kind, unit in (
            ("LENGTHUNIT", "METRE"),
            ("AREAUNIT", "SQUARE_METRE"),
            ("VOLUMEUNIT", "CUBIC_METRE"),
            ("PLANEANGLEUNIT", "RADIAN"),
        )
    ]
    assignment = s.add("IFCUNITASSIGNMENT", _refs(units))
    s.z_dir = s.add("IFCDIRECTION", "(0.,0.,1.)")
    s.x_dir = s.add("IFCDIRECTION", "(1.,0.,0.)")
    world = s.add("IFCAXIS2PLACEMENT3D", f"#{s.point(0.0, 0.0, 0.0)},$,$")
    north = s.add("IFCDIRECTION", "(0.,1.)")
    model = s.add("IFCGEOMETRICREPRESENTATIONCONTEXT", f"$,'Model',3,1.E-05,#{world},#{north}")
    body = s.add(
        "IFCGEOMETRICREPRESENTATIONSUBCONTEXT", f"'Body','Model',*,*,*,*,#{model},$,.MODEL_VIEW.,$"
    )
    project = s.add(
        "IFCPROJECT",
        f"{_text(global_id(name + ':project'))},$,{_text(name)},$,$,$,$,(#{model}),#{assignment}",
    )
    site_placement = s.placement(None, (0.0, 0.0, 0.0), None)
    lat = "(" + ",".join(str(v) for v in degrees_to_dms(latitude_deg)) + ")"
    lon = "(" + ",".join(str(v) for v in degrees_to_dms(longitude_deg)) + ")"
    site = s.add(
        "IFCSITE",
        f"{_text(global_id(name + ':site'))},$,{_text(name)},$,$,#{site_placement},$,$,"
        f".ELEMENT.,{lat},{lon},0.,$,$",
    )
    s.add("IFCRELAGGREGATES", f"{_text(global_id(name + ':rel-site'))},$,$,$,#{project},(#{site})")
    s.site = site
    return body, site_placement


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
    s: _Step, body: int, size: tuple[float, float], depth: float, ifc_class: str, material: str
) -> _Shape:
    """Rectangle ``size`` (x, y) centred on the element origin, extruded ``depth`` up (m)."""
    origin2d = s.add("IFCAXIS2PLACEMENT2D", f"#{s.point(0.0, 0.0)},$")
    profile = s.add(
        "IFCRECTANGLEPROFILEDEF", f".AREA.,$,#{origin2d},{_real(size[0])},{_real(size[1])}"
    )
    position = s.add("IFCAXIS2PLACEMENT3D", f"#{s.point(0.0, 0.0, 0.0)},$,$")
    solid = s.add("IFCEXTRUDEDAREASOLID", f"#{profile},#{position},#{s.z_dir},{_real(depth)}")
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
    s: _Step, body: int, b: IfcBuildingSpec
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


def _value(value: str | float | int | bool) -> str:
    if isinstance(value, bool):
        return f"IFCBOOLEAN(.{'T' if value else 'F'}.)"
    if isinstance(value, int):
        return f"IFCINTEGER({value})"
    if isinstance(value, float):
        return f"IFCREAL({_real(value)})"
    return f"IFCLABEL({_text(str(value))})"


def _pset(
    s: _Step, gid: str, name: str, values: dict[str, str | float | int | bool], target: int
) -> None:
    props = [
        s.add("IFCPROPERTYSINGLEVALUE", f"{_text(k)},$,{_value(v)},$")
        for k, v in values.items()
        if v is not None
    ]
    pset = s.add(
        "IFCPROPERTYSET", f"{_text(global_id(gid + ':' + name))},$,{_text(name)},$,{_refs(props)}"
    )
    s.add(
        "IFCRELDEFINESBYPROPERTIES",
        f"{_text(global_id(gid + ':rel:' + name))},$,$,$,(#{target}),#{pset}",
    )


def _building(s: _Step, body: int, site_placement: int, b: IfcBuildingSpec) -> int:
    """Write one building with its storeys, elements, quantities, materials and psets."""
    gid = global_id(b.key)
    angle = math.radians(b.rotation_deg)
    ref = s.add("IFCDIRECTION", f"({_real(math.cos(angle))},{_real(math.sin(angle))},0.)")
    placement = s.placement(site_placement, (b.x_m, b.y_m, 0.0), ref)
    building = s.add(
        "IFCBUILDING",
        f"{_text(gid)},$,{_text(b.name)},$,$,#{placement},$,$,.ELEMENT.,0.,"
        f"{_real(b.terrain_elevation_m)},$",
    )
    shapes = _layout_shapes(s, body, b)
    storeys = []
    for i in range(b.storeys):
        elevation = i * b.storey_height_m
        storey_placement = s.placement(placement, (0.0, 0.0, elevation), None)
        storey = s.add(
            "IFCBUILDINGSTOREY",
            f"{_text(global_id(b.key + f':s{i}'))},$,{_text(f'Storey {i}')},$,$,"
            f"#{storey_placement},$,$,.ELEMENT.,{_real(elevation)}",
        )
        storeys.append(storey)
        contained = []
        for n, (shape, positions) in enumerate(shapes):
            for k, (x, y, z) in enumerate(positions):
                element_placement = s.placement(storey_placement, (x, y, z), None)
                element = s.add(
                    shape.ifc_class,
                    f"{_text(global_id(b.key + f':s{i}:{n}:{k}'))},$,$,$,$,#{element_placement},"
                    f"#{shape.representation},$,.{shape.predefined}.",
                )
                shape.elements.append(element)
                contained.append(element)
        s.add(
            "IFCRELCONTAINEDINSPATIALSTRUCTURE",
            f"{_text(global_id(b.key + f':s{i}:rel'))},$,$,$,{_refs(contained)},#{storey}",
        )
    s.add(
        "IFCRELAGGREGATES",
        f"{_text(global_id(b.key + ':rel-s'))},$,$,$,#{building},{_refs(storeys)}",
    )
    by_material: dict[str, list[int]] = {}
    for n, (shape, _) in enumerate(shapes):
        quantities = [
            s.add(f"IFCQUANTITY{kind}", f"{_text(name)},$,$,{_real(value)},$")
            for kind, name, value in shape.quantities
        ]
        qto = s.add(
            "IFCELEMENTQUANTITY",
            f"{_text(global_id(b.key + f':q{n}'))},$,{_text(shape.qto_name)},$,$,"
            f"{_refs(quantities)}",
        )
        s.add(
            "IFCRELDEFINESBYPROPERTIES",
            f"{_text(global_id(b.key + f':rq{n}'))},$,$,$,{_refs(shape.elements)},#{qto}",
        )
        by_material.setdefault(shape.material, []).extend(shape.elements)
    for name, elements in sorted(by_material.items()):
        s.add(
            "IFCRELASSOCIATESMATERIAL",
            f"{_text(global_id(b.key + ':m:' + name))},$,$,$,{_refs(elements)},"
            f"#{s.material(name, _category(name))}",
        )
    common: dict[str, str | float | int | bool] = {"NumberOfStoreys": b.storeys}
    if b.occupancy:
        common["OccupancyType"] = b.occupancy
    if b.year:
        common["YearOfConstruction"] = str(b.year)
    _pset(s, gid, "Pset_BuildingCommon", common, building)
    if b.properties:
        _pset(s, gid, TWIN_PSET, dict(b.properties), building)
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
    s = _Step()
    body, site_placement = _project(s, name, latitude_deg, longitude_deg)
    built = [_building(s, body, site_placement, b) for b in buildings]
    s.add("IFCRELAGGREGATES", f"{_text(global_id(name + ':rel-b'))},$,$,$,#{s.site},{_refs(built)}")
    target = Path(path)
    text = _header(target.name) + "\n".join(s.lines) + "\nENDSEC;\nEND-ISO-10303-21;\n"
    target.write_text(text, encoding="ascii")
