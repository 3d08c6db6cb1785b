"""The project's demo building as IFC4: a georeferenced frame of columns, beams and slabs.

Layout (metres; local x east, y north, z up; the bay-grid corner (0, 0, 0)
is the ``IfcSite`` reference point ``latitude_deg``/``longitude_deg``):

* ``storeys`` storeys at ``i * storey_height_m``; storey ``i`` holds the
  columns from its floor up to the slab soffit, the beams under its ceiling
  slab and that slab (so the storey's mass is lumped at its ceiling level).
* columns ``COLUMN_M`` x ``COLUMN_M`` centred on the grid points
  ``(bays_x + 1) * (bays_y + 1)``; height ``storey_height_m - SLAB_M``.
* beams ``BEAM_WIDTH_M`` x ``BEAM_DEPTH_M`` on every grid line between
  column faces (clear length ``bay_m - COLUMN_M``), top at the slab soffit.
* one slab ``bays_x*bay_m`` x ``bays_y*bay_m`` x ``SLAB_M`` per storey.

Every element carries ``Qto_*BaseQuantities`` (NetVolume etc.) and the
material ``Concrete C30/37`` (``steel_frame``: ``Steel S355``). With
``with_pipes`` a water line (pump, segments, fittings, valve) along y = 0 in
the first storey is connected through ports. GlobalIds come from
``random.Random(seed)`` and the header time stamp is fixed, so the bytes are
deterministic for a given seed.
"""

from __future__ import annotations

import random
import uuid
from itertools import pairwise
from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.context
import ifcopenshell.api.geometry
import ifcopenshell.api.material
import ifcopenshell.api.project
import ifcopenshell.api.pset
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.system
import ifcopenshell.api.unit
import ifcopenshell.guid
import numpy as np

from twin.engine.ifc.units import degrees_to_dms

COLUMN_M = 0.4
BEAM_WIDTH_M = 0.3
BEAM_DEPTH_M = 0.5
SLAB_M = 0.2
PIPE_DIAMETER_M = 0.1
UNIT_PREFIX = {"MILLIMETRE": ("MILLI", 1e-3), "METRE": (None, 1.0)}
MATERIALS = {"concrete_frame": "Concrete C30/37", "steel_frame": "Steel S355"}


class _Writer:
    """Holds the file, contexts and unit while the building is written."""

    def __init__(self, length_unit: str) -> None:
        if length_unit not in UNIT_PREFIX:
            raise ValueError(
                f"length_unit must be one of {sorted(UNIT_PREFIX)}, not {length_unit!r}"
            )
        prefix, self.unit_m = UNIT_PREFIX[length_unit]
        self.f = ifcopenshell.api.project.create_file(version="IFC4")
        self.project = self.create("IfcProject", "Demo project")
        units = [
            ifcopenshell.api.unit.add_si_unit(self.f, unit_type="LENGTHUNIT", prefix=prefix),
            ifcopenshell.api.unit.add_si_unit(self.f, unit_type="AREAUNIT"),
            ifcopenshell.api.unit.add_si_unit(self.f, unit_type="VOLUMEUNIT"),
        ]
        ifcopenshell.api.unit.assign_unit(self.f, units=units)
        model = ifcopenshell.api.context.add_context(self.f, context_type="Model")
        self.body = ifcopenshell.api.context.add_context(
            self.f,
            context_type="Model",
            context_identifier="Body",
            target_view="MODEL_VIEW",
            parent=model,
        )

    def create(
        self, ifc_class: str, name: str, predefined_type: str | None = None
    ) -> ifcopenshell.entity_instance:
        """Create a rooted entity."""
        return ifcopenshell.api.root.create_entity(
            self.f, ifc_class=ifc_class, name=name, predefined_type=predefined_type
        )

    def u(self, metres: float) -> float:
        """Metres -> file length units."""
        return float(metres) / self.unit_m

    def place(
        self,
        product: ifcopenshell.entity_instance,
        xyz_m: tuple[float, float, float],
        axis: tuple[float, float, float] = (0.0, 0.0, 1.0),
    ) -> None:
        """Place ``product`` at ``xyz_m`` (metres) with local z along ``axis``."""
        matrix = np.eye(4)
        z = np.asarray(axis, dtype=float)
        x = np.array([0.0, 0.0, 1.0]) if abs(z[2]) < 0.5 else np.array([1.0, 0.0, 0.0])
        y = np.cross(z, x)
        matrix[:3, 0], matrix[:3, 1], matrix[:3, 2], matrix[:3, 3] = x, y, z, xyz_m
        ifcopenshell.api.geometry.edit_object_placement(
            self.f, product=product, matrix=matrix, is_si=True
        )

    def extrusion(
        self,
        product: ifcopenshell.entity_instance,
        profile: ifcopenshell.entity_instance,
        depth_m: float,
    ) -> None:
        """Give ``product`` a Body: ``profile`` extruded ``depth_m`` along its local z."""
        origin = self.f.createIfcAxis2Placement3D(self.f.createIfcCartesianPoint((0.0, 0.0, 0.0)))
        solid = self.f.createIfcExtrudedAreaSolid(
            profile, origin, self.f.createIfcDirection((0.0, 0.0, 1.0)), self.u(depth_m)
        )
        rep = self.f.createIfcShapeRepresentation(self.body, "Body", "SweptSolid", [solid])
        ifcopenshell.api.geometry.assign_representation(self.f, product=product, representation=rep)

    def box(
        self,
        product: ifcopenshell.entity_instance,
        centre_xy_m: tuple[float, float],
        size_m: tuple[float, float],
        z0_m: float,
        depth_m: float,
    ) -> float:
        """Axis-aligned box body (plan centre/size, bottom z, height; m); return m3."""
        self.place(product, (centre_xy_m[0], centre_xy_m[1], z0_m))
        centre = self.f.createIfcAxis2Placement2D(self.f.createIfcCartesianPoint((0.0, 0.0)))
        profile = self.f.createIfcRectangleProfileDef(
            "AREA", None, centre, self.u(size_m[0]), self.u(size_m[1])
        )
        self.extrusion(product, profile, depth_m)
        return size_m[0] * size_m[1] * depth_m

    def quantities(
        self, product: ifcopenshell.entity_instance, qto: str, values: dict[str, Any]
    ) -> None:
        """Attach a base-quantity set (values already in file units)."""
        q = ifcopenshell.api.pset.add_qto(self.f, product=product, name=qto)
        ifcopenshell.api.pset.edit_qto(self.f, qto=q, properties=values)


def _columns(
    w: _Writer, grid: tuple[int, int, float], z0: float, height: float
) -> list[ifcopenshell.entity_instance]:
    """Columns of one storey on every grid point."""
    bays_x, bays_y, bay = grid
    out = []
    for j in range(bays_y + 1):
        for i in range(bays_x + 1):
            col = w.create("IfcColumn", f"C{i}-{j}", "COLUMN")
            volume = w.box(col, (i * bay, j * bay), (COLUMN_M, COLUMN_M), z0, height)
            w.quantities(
                col,
                "Qto_ColumnBaseQuantities",
                {
                    "Length": w.u(height),
                    "CrossSectionArea": COLUMN_M**2,
                    "NetVolume": volume,
                    "GrossVolume": volume,
                },
            )
            out.append(col)
    return out


def _beams(
    w: _Writer, grid: tuple[int, int, float], z0: float
) -> list[ifcopenshell.entity_instance]:
    """Beams of one storey between column faces on every grid line (x-direction first)."""
    bays_x, bays_y, bay = grid
    clear = bay - COLUMN_M
    spans = [
        ((i + 0.5) * bay, j * bay, (clear, BEAM_WIDTH_M), f"BX{i}-{j}")
        for j in range(bays_y + 1)
        for i in range(bays_x)
    ]
    spans += [
        (i * bay, (j + 0.5) * bay, (BEAM_WIDTH_M, clear), f"BY{i}-{j}")
        for i in range(bays_x + 1)
        for j in range(bays_y)
    ]
    out = []
    for x, y, size, name in spans:
        beam = w.create("IfcBeam", name, "BEAM")
        volume = w.box(beam, (x, y), size, z0, BEAM_DEPTH_M)
        w.quantities(
            beam,
            "Qto_BeamBaseQuantities",
            {
                "Length": w.u(clear),
                "CrossSectionArea": BEAM_WIDTH_M * BEAM_DEPTH_M,
                "NetVolume": volume,
                "GrossVolume": volume,
            },
        )
        out.append(beam)
    return out


def _slab(
    w: _Writer, grid: tuple[int, int, float], z0: float, name: str
) -> ifcopenshell.entity_instance:
    """The slab covering the whole bay grid, bottom at ``z0`` (m)."""
    bays_x, bays_y, bay = grid
    length, width = bays_x * bay, bays_y * bay
    slab = w.create("IfcSlab", name, "FLOOR")
    volume = w.box(slab, (length / 2.0, width / 2.0), (length, width), z0, SLAB_M)
    w.quantities(
        slab,
        "Qto_SlabBaseQuantities",
        {
            "Width": w.u(SLAB_M),
            "Perimeter": w.u(2 * (length + width)),
            "GrossArea": length * width,
            "NetArea": length * width,
            "GrossVolume": volume,
            "NetVolume": volume,
        },
    )
    return slab


def _storey(
    w: _Writer,
    building: ifcopenshell.entity_instance,
    index: int,
    height: float,
    grid: tuple[int, int, float],
    material: ifcopenshell.entity_instance,
) -> ifcopenshell.entity_instance:
    """Write storey ``index`` with its columns, beams and ceiling slab."""
    storey = w.create("IfcBuildingStorey", f"Storey {index}")
    storey.Elevation = w.u(index * height)
    w.place(storey, (0.0, 0.0, index * height))
    ifcopenshell.api.aggregate.assign_object(w.f, products=[storey], relating_object=building)
    top = (index + 1) * height
    elements = _columns(w, grid, index * height, height - SLAB_M)
    elements += _beams(w, grid, top - SLAB_M - BEAM_DEPTH_M)
    elements.append(_slab(w, grid, top - SLAB_M, f"Slab {index + 1}"))
    for element in elements:  # one at a time: the api updates placements in set order otherwise
        ifcopenshell.api.spatial.assign_container(
            w.f, products=[element], relating_structure=storey
        )
    ifcopenshell.api.material.assign_material(
        w.f, products=elements, type="IfcMaterial", material=material
    )
    return storey


def _ported(
    w: _Writer, element: ifcopenshell.entity_instance, ends_m: list[tuple[float, float, float]]
) -> list[ifcopenshell.entity_instance]:
    """Add one port per end position (metres) to ``element``."""
    ports = []
    for end in ends_m:
        port = ifcopenshell.api.system.add_port(w.f, element=element)
        port.FlowDirection = "SOURCEANDSINK"
        w.place(port, end)
        ports.append(port)
    return ports


def _pipe_segment(
    w: _Writer, start: tuple[float, float, float], length: float, name: str
) -> ifcopenshell.entity_instance:
    """A straight pipe along +x from ``start`` (m) of ``length`` (m)."""
    seg = w.create("IfcPipeSegment", name, "RIGIDSEGMENT")
    w.place(seg, start, axis=(1.0, 0.0, 0.0))
    centre = w.f.createIfcAxis2Placement2D(w.f.createIfcCartesianPoint((0.0, 0.0)))
    w.extrusion(
        seg, w.f.createIfcCircleProfileDef("AREA", None, centre, w.u(PIPE_DIAMETER_M / 2)), length
    )
    w.quantities(seg, "Qto_PipeSegmentBaseQuantities", {"Length": w.u(length)})
    ifcopenshell.api.pset.edit_pset(
        w.f,
        pset=ifcopenshell.api.pset.add_pset(w.f, product=seg, name="Pset_PipeSegmentTypeCommon"),
        properties={"NominalDiameter": w.u(PIPE_DIAMETER_M)},
    )
    return seg


def _pipes(
    w: _Writer, storey: ifcopenshell.entity_instance, grid: tuple[int, int, float], z: float
) -> None:
    """A water line along y = 0 at height ``z`` (m): pump, pipes and tees, valve."""
    bays_x, _, bay = grid
    system = ifcopenshell.api.system.add_system(w.f, ifc_class="IfcDistributionSystem")
    system.Name, system.PredefinedType = "Domestic cold water", "DOMESTICCOLDWATER"
    pump, valve = (
        w.create("IfcPump", "Pump", "ENDSUCTION"),
        w.create("IfcValve", "Valve", "ISOLATING"),
    )
    w.place(pump, (0.0, 0.0, z))
    w.place(valve, (bays_x * bay, 0.0, z))
    chain: list[list[ifcopenshell.entity_instance]] = [_ported(w, pump, [(0.0, 0.0, z)])]
    products = [pump, valve]
    for i in range(bays_x):
        seg = _pipe_segment(w, (i * bay, 0.0, z), bay, f"Pipe {i}")
        chain.append(_ported(w, seg, [(i * bay, 0.0, z), ((i + 1) * bay, 0.0, z)]))
        products.append(seg)
        if i + 1 < bays_x:
            fitting = w.create("IfcPipeFitting", f"Tee {i + 1}", "JUNCTION")
            w.place(fitting, ((i + 1) * bay, 0.0, z))
            chain.append(_ported(w, fitting, [((i + 1) * bay, 0.0, z)] * 2))
            products.append(fitting)
    chain.append(_ported(w, valve, [(bays_x * bay, 0.0, z)]))
    for upstream, downstream in pairwise(chain):
        ifcopenshell.api.system.connect_port(
            w.f, port1=upstream[-1], port2=downstream[0], direction="SOURCE"
        )
    ifcopenshell.api.system.assign_system(w.f, products=products, system=system)
    for product in products:
        ifcopenshell.api.spatial.assign_container(
            w.f, products=[product], relating_structure=storey
        )


def _fix_identity(w: _Writer, seed: int) -> None:
    """Make GlobalIds and the header time stamp deterministic."""
    rng = random.Random(seed)
    for entity in sorted(w.f.by_type("IfcRoot"), key=lambda e: e.id()):
        entity.GlobalId = ifcopenshell.guid.compress(uuid.UUID(int=rng.getrandbits(128)).hex)
    w.f.header.file_name.time_stamp = "2000-01-01T00:00:00"
    unordered = list(w.f.by_type("IfcRelationship")) + list(w.f.by_type("IfcUnitAssignment"))
    for entity in unordered:  # the api fills these from Python sets; order them by STEP id
        for index, value in enumerate(entity):
            if (
                isinstance(value, tuple)
                and value
                and all(isinstance(v, ifcopenshell.entity_instance) for v in value)
            ):
                entity[index] = tuple(sorted(value, key=lambda v: v.id()))


def _site_and_building(
    w: _Writer, name: str, latitude_deg: float, longitude_deg: float
) -> ifcopenshell.entity_instance:
    """Write the georeferenced site (RefLatitude/RefLongitude, degrees) and the building."""
    site, building = w.create("IfcSite", "Demo site"), w.create("IfcBuilding", name)
    site.RefLatitude, site.RefLongitude = (
        degrees_to_dms(latitude_deg),
        degrees_to_dms(longitude_deg),
    )
    site.RefElevation = 0.0
    for product in (site, building):
        w.place(product, (0.0, 0.0, 0.0))
    ifcopenshell.api.aggregate.assign_object(w.f, products=[site], relating_object=w.project)
    ifcopenshell.api.aggregate.assign_object(w.f, products=[building], relating_object=site)
    return building


def write_demo_building_ifc(
    path: str | Path,
    *,
    name: str,
    latitude_deg: float,
    longitude_deg: float,
    storeys: int = 3,
    storey_height_m: float = 3.2,
    bays_x: int = 3,
    bays_y: int = 2,
    bay_m: float = 6.0,
    system: str = "concrete_frame",
    length_unit: str = "MILLIMETRE",
    seed: int = 0,
    with_pipes: bool = False,
) -> None:
    """Write the demo frame building (module docstring) as an IFC4 file at ``path``.

    ``latitude_deg``/``longitude_deg`` (WGS84 degrees) place the bay-grid corner; lengths are
    metres; ``system`` is ``concrete_frame`` or ``steel_frame``; ``length_unit`` is
    ``MILLIMETRE`` or ``METRE``; ``seed`` fixes the GlobalIds; ``with_pipes`` adds the water
    line in the first storey. Raises ValueError for an unsupported configuration.
    """
    if system not in MATERIALS or storeys < 1 or bays_x < 1 or bays_y < 1:
        raise ValueError(
            f"unsupported demo building: system={system!r}, storeys={storeys}, "
            f"bays={bays_x}x{bays_y}"
        )
    w = _Writer(length_unit)
    building = _site_and_building(w, name, latitude_deg, longitude_deg)
    material = ifcopenshell.api.material.add_material(
        w.f, name=MATERIALS[system], category="concrete" if "concrete" in system else "steel"
    )
    grid = (bays_x, bays_y, bay_m)
    levels = [_storey(w, building, i, storey_height_m, grid, material) for i in range(storeys)]
    if with_pipes:
        _pipes(w, levels[0], grid, storey_height_m - SLAB_M - BEAM_DEPTH_M - 0.3)
    _fix_identity(w, seed)
    w.f.write(str(path))
