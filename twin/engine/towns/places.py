"""Key facilities and site-class zones of a town (local metres).

Facilities (``twin.models.Facility``; capacities are project assumptions, docs/towns.md):

* hospital: each ``COM6`` block's largest building; beds = floor area / ``M2_PER_BED``;
* school: each ``EDU1`` block's largest building; pupils = floor area / ``M2_PER_PUPIL``;
* fire station: each ``GOV2`` block; engines from the profile (default 3);
* command centre: the ``GOV1`` block nearest the centre;
* shelter: every park; people = ``SHELTER_USABLE`` x park area / ``M2_PER_EVACUEE``;
* hazardous-chemical site: each ``IND3`` block's largest building, substances and
  inventories cycled from the profile's ``hazchem`` list; plus the chlorine store of the
  water plant.

Site zones: a ``default`` zone over the whole town (buffered hull), then zones cut out of it
in profile order: ``river`` (a band ``width_m`` either side of each river), ``uphill``
(the part of a slope above ``from_fraction`` of its rise), ``outer`` (beyond
``from_fraction`` of the town radius) and ``side`` (the half-plane beyond ``offset_m``
along ``bearing_deg``). Later zones win where they overlap; no two zones overlap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import shapely
import shapely.affinity
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from twin.engine.records import FacilityRecord, SiteZoneRecord
from twin.engine.towns.buildings import GeneratedBuilding
from twin.engine.towns.layout import Block

M2_PER_BED = 90.0
M2_PER_PUPIL = 10.0
M2_PER_EVACUEE = 2.0
SHELTER_USABLE = 0.7
VS30_DEFAULT = {"I0": 900.0, "I1": 650.0, "II": 350.0, "III": 200.0, "IV": 130.0}
XY = tuple[float, float]


def _largest(buildings: Sequence[GeneratedBuilding]) -> GeneratedBuilding:
    return max(buildings, key=lambda b: (b.floor_area_m2, b.key))


def facilities(
    blocks: Sequence[Block],
    uses: dict[int, str],
    by_block: dict[int, list[GeneratedBuilding]],
    params: dict,
    gid: Callable[[str], str],
    plant_xy: XY | None,
) -> list[FacilityRecord]:
    """The facilities of a generated town (module docstring)."""
    out: list[FacilityRecord] = []
    substances = list(params.get("hazchem", [])) or [
        {"substance": "chlorine", "inventory_kg": 5000}
    ]
    engines = float(params.get("engines_per_station", 3))
    counters: dict[str, int] = {}
    for block in blocks:
        use = uses[block.index]
        members = by_block.get(block.index, [])
        if block.use == "park":
            area = block.polygon.area
            out.append(
                _facility(
                    "shelter",
                    counters,
                    block.centre,
                    None,
                    capacity=math.floor(SHELTER_USABLE * area / M2_PER_EVACUEE),
                    attributes={"area_m2": round(area, 1)},
                )
            )
            continue
        if not members:
            continue
        main = _largest(members)
        where = (main.x_m, main.y_m)
        building = gid(main.key)
        if use == "COM6":
            beds = sum(b.floor_area_m2 for b in members if b.occupancy == "COM6") / M2_PER_BED
            out.append(
                _facility(
                    "hospital",
                    counters,
                    where,
                    building,
                    capacity=math.floor(beds),
                    attributes={"isolated": "yes" if main.isolated else "no"},
                )
            )
        elif use == "EDU1":
            pupils = sum(b.floor_area_m2 for b in members) / M2_PER_PUPIL
            out.append(
                _facility(
                    "school",
                    counters,
                    where,
                    building,
                    capacity=math.floor(pupils),
                    attributes={"isolated": "yes" if main.isolated else "no"},
                )
            )
        elif use == "GOV2":
            out.append(_facility("fire_station", counters, where, building, capacity=engines))
        elif use == "GOV1" and "command_centre" not in counters:
            out.append(_facility("command_centre", counters, where, building))
        elif use == "IND3":
            item = substances[counters.get("hazchem_site", 0) % len(substances)]
            out.append(
                _facility(
                    "hazchem_site",
                    counters,
                    where,
                    building,
                    substance=str(item["substance"]),
                    inventory_kg=float(item["inventory_kg"]),
                )
            )
    if plant_xy is not None:
        out.append(
            FacilityRecord(
                "hazchem_site",
                "Water plant chlorine store",
                plant_xy[0],
                plant_xy[1],
                substance="chlorine",
                inventory_kg=2000.0,
                attributes={"use": "disinfection"},
            )
        )
    return out


_LABEL = {
    "hospital": "Hospital",
    "school": "School",
    "fire_station": "Fire station",
    "command_centre": "Emergency command centre",
    "hazchem_site": "Chemical site",
    "shelter": "Shelter",
}


def _facility(
    kind: str, counters: dict[str, int], where: XY, building: str | None, **fields: object
) -> FacilityRecord:
    counters[kind] = counters.get(kind, 0) + 1
    return FacilityRecord(
        kind,  # type: ignore[arg-type]
        f"{_LABEL[kind]} {counters[kind]}",
        round(where[0], 2),
        round(where[1], 2),
        building=building,
        **fields,  # type: ignore[arg-type]
    )


def site_zones(
    specs: Sequence[dict],
    extent: BaseGeometry,
    rivers: Sequence[Polygon],
    elevation: Callable[[XY], float],
    half_size_m: float,
    source: str,
) -> list[SiteZoneRecord]:
    """Non-overlapping site-class zones (module docstring), later zones on top."""
    domain = extent.buffer(300.0).envelope
    shapes: list[tuple[dict, BaseGeometry]] = []
    for spec in specs:
        shapes.append((spec, _zone_shape(spec, domain, rivers, elevation, half_size_m)))
    out = []
    for i, (spec, shape) in enumerate(shapes):
        later = [s for _, s in shapes[i + 1 :] if not s.is_empty]
        area = shape.difference(shapely.union_all(later)) if later else shape
        area = area.intersection(domain)
        if area.is_empty or area.area < 1.0:
            continue
        site_class = str(spec["site_class"])
        out.append(
            SiteZoneRecord(
                name=str(spec.get("name", f"zone {i + 1}")),
                area_wkt=shapely.to_wkt(shapely.set_precision(area, 0.01)),
                site_class=site_class,
                vs30_m_s=float(spec.get("vs30_m_s", VS30_DEFAULT[site_class])),
                source=str(spec.get("source", source)),
            )
        )
    return out


def _zone_shape(
    spec: dict,
    domain: Polygon,
    rivers: Sequence[Polygon],
    elevation: Callable[[XY], float],
    half: float,
) -> BaseGeometry:
    kind = spec.get("kind", "default")
    if kind == "default":
        return domain
    if kind == "river":
        width = float(spec.get("width_m", 300.0))
        return shapely.union_all([r.buffer(width) for r in rivers]) if rivers else Polygon()
    if kind == "outer":
        return domain.difference(
            shapely.Point(0, 0).buffer(half * float(spec.get("from_fraction", 0.7)))
        )
    if kind in ("uphill", "side"):
        bearing = math.radians(float(spec.get("bearing_deg", 0.0)))
        offset = float(spec.get("offset_m", 0.0))
        if kind == "uphill":
            offset = half * (2.0 * float(spec.get("from_fraction", 0.5)) - 1.0)
        big = 10.0 * half + 10000.0
        plane = box(-big, offset, big, big)
        rotated = shapely.affinity.rotate(plane, -math.degrees(bearing), origin=(0, 0))
        return rotated.intersection(domain)
    raise ValueError(f"unknown site zone kind {kind!r}")
