"""Generate a whole town from its profile: blocks, buildings, networks, facilities, site zones.

Everything is in the town's local plane (metres; x east, y north; origin at the profile's
latitude/longitude) and depends only on ``(profile, seed, size_factor)``: the random
generator is seeded with ``[seed, crc32(slug)]``, so towns do not change when another
town's profile changes.

Order: candidate block grid → facility blocks (hospitals near the centre, schools, fire
stations and command centre spread out, parks every ``1/park_share`` blocks, landmark plots)
→ each block's use and era from its district → buildings, facility blocks first, then by
rank until the target count → streets around the blocks in use → water, gas, power and road
networks → facilities and site zones.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace

import networkx as nx
import numpy as np
import shapely

from twin.engine.ifc.step_text import global_id
from twin.engine.records import FacilityRecord, NetworkRecord, SiteZoneRecord
from twin.engine.towns import grids, places
from twin.engine.towns.buildings import (
    DEFAULT_FOOTPRINT,
    GAP_M,
    GeneratedBuilding,
    _pick,
    block_buildings,
    district_of,
)
from twin.engine.towns.layout import (
    Block,
    CandidateGrid,
    candidate_grid,
    street_layout,
    terrain_elevation,
)
from twin.engine.towns.profile import TownProfile
from twin.engine.towns.water import WaterDesign, water_network

XY = tuple[float, float]
GAS_M3_PER_PERSON_DAY = 0.6
POWER_W_PER_M2 = 40.0


@dataclass(frozen=True, slots=True)
class GeneratedTown:
    """A generated town in local metres (``epsg`` 0 records, placed by the shell)."""

    profile: TownProfile
    seed: int
    size_factor: float
    buildings: tuple[GeneratedBuilding, ...]
    networks: tuple[NetworkRecord, ...]
    facilities: tuple[FacilityRecord, ...]
    site_zones: tuple[SiteZoneRecord, ...]
    boundary_wkt: str
    landmark_sites: tuple[tuple[str, float, float], ...]
    elevation_m: dict[str, float]

    def terrain_at(self, key: str) -> float:
        return self.elevation_m.get(key, self.profile.elevation_m)


def town_rng(profile: TownProfile, seed: int, stream: int = 0) -> np.random.Generator:
    """The town's random generator (independent streams by ``stream``)."""
    return np.random.default_rng([seed, zlib.crc32(profile.slug.encode()), stream])


def _estimate_blocks(profile: TownProfile, target: int) -> int:
    bx, by = (float(v) for v in profile.layout.get("block_m", (120.0, 90.0)))
    district = profile.districts[0]
    occupancy = max(district.occupancy, key=district.occupancy.get)  # type: ignore[arg-type]
    (lmin, lmax), (_, wmax) = district.footprint.get(occupancy) or DEFAULT_FOOTPRINT.get(
        occupancy, DEFAULT_FOOTPRINT["default"]
    )
    rows = 2 if by >= 2 * (wmax + 4.0) + GAP_M else 1
    per_block = max(1.0, rows * (bx - 8.0) / ((lmin + lmax) / 2.0 + GAP_M))
    parks = float(profile.layout.get("park_share", 0.05))
    return max(6, math.ceil(target / per_block / (1.0 - parks) * 1.15) + 8)


def _forced_uses(
    profile: TownProfile, grid: CandidateGrid, n_est: int, size_factor: float
) -> dict[int, str]:
    """Blocks reserved for facilities, parks and landmarks (rank -> use); facility counts
    given in the profile are for size factor 1 and scale with it (at least one each)."""
    params = {
        k: (max(1, round(v * size_factor)) if isinstance(v, (int, float)) else v)
        for k, v in profile.facilities.items()
        if k in ("hospitals", "schools", "fire_stations")
    }
    area_km2 = n_est * math.prod(float(v) for v in profile.layout.get("block_m", (120, 90))) / 1e6
    inner = list(grid.blocks[: max(6, n_est)])
    forced: dict[int, str] = {}
    every = max(2, round(1.0 / max(1e-3, float(profile.layout.get("park_share", 0.05)))))
    for block in inner[min(3, len(inner) - 1) :: every]:
        forced[block.rank] = "park"
    for k, _ in enumerate(profile.landmarks):
        free = [b for b in inner[1:] if b.rank not in forced]
        forced[free[min(len(free) - 1, 2 * k)].rank] = "landmark"
    free = [b for b in inner if b.rank not in forced]
    forced[free[0].rank] = "GOV1"
    for k in range(int(params.get("hospitals", 1))):
        free = [b for b in inner if b.rank not in forced]
        forced[free[min(len(free) - 1, k * 3)].rank] = "COM6"
    stations = int(params.get("fire_stations", max(1, math.ceil(area_km2 / 7.0))))
    schools = int(params.get("schools", max(1, round(n_est / 25))))
    for use, count in (("GOV2", stations), ("EDU1", schools)):
        for _ in range(count):
            free = [b for b in inner if b.rank not in forced]
            if not free:
                break
            taken = [b.centre for b in inner if forced.get(b.rank) in (use,)]
            best = max(
                free,
                key=lambda b: (
                    min((math.dist(b.centre, t) for t in taken), default=-b.rank),
                    -b.rank,
                ),
            )
            forced[best.rank] = use
    return forced


def _fill(
    profile: TownProfile,
    grid: CandidateGrid,
    target: int,
    size_factor: float,
    rng: np.random.Generator,
) -> tuple[list[Block], dict[int, str], list[GeneratedBuilding]]:
    n_est = _estimate_blocks(profile, target)
    forced = _forced_uses(profile, grid, n_est, size_factor)
    uses: dict[int, str] = {}
    eras: dict[int, str] = {}
    for block in grid.blocks:
        district = district_of(profile, block.rank, n_est)
        uses[block.index] = forced.get(block.rank) or _pick(rng, district.occupancy)
        eras[block.index] = _pick(rng, district.eras)
    facility_first = [b for b in grid.blocks if b.rank in forced]
    others = [b for b in grid.blocks if b.rank not in forced]
    buildings: list[GeneratedBuilding] = []
    chosen: list[Block] = []
    for block in facility_first + others:
        use = uses[block.index]
        if use in ("park", "landmark"):
            chosen.append(replace(block, use=use))
            continue
        if len(buildings) >= target:
            continue
        district = district_of(profile, block.rank, n_est)
        made = block_buildings(
            profile, block, use, eras[block.index], district, rng, limit=target - len(buildings)
        )
        if made:
            buildings += made
            chosen.append(block)
    last = max((b.rank for b in chosen if b.use == "built"), default=0)
    parks = [b for b in chosen if b.use == "park"]
    chosen = [b for b in chosen if b.use == "built" or b.rank <= last]
    if parks and not any(b.use == "park" for b in chosen):  # every town keeps a shelter
        chosen.append(min(parks, key=lambda b: b.rank))
    return sorted(chosen, key=lambda b: b.rank), uses, buildings


def generate_town(
    profile: TownProfile, *, seed: int = 0, size_factor: float = 1.0
) -> GeneratedTown:
    """Generate the town of ``profile`` (module docstring)."""
    target = max(20, round(profile.buildings * size_factor))
    rng = town_rng(profile, seed)
    grid = candidate_grid(
        profile.layout, _estimate_blocks(profile, target), town_rng(profile, seed, 1)
    )
    chosen, uses, buildings = _fill(profile, grid, target, size_factor, rng)
    streets = street_layout(grid, chosen, profile.layout)
    kept = {b.index for b in streets.blocks}
    buildings = [b for b in buildings if b.block in kept]
    graph = streets.graph()
    half = max(math.hypot(*xy) for xy in streets.nodes.values())

    def elevation(xy: XY) -> float:
        return round(terrain_elevation(profile.terrain, profile.elevation_m, xy, half), 2)

    by_block: dict[int, list[GeneratedBuilding]] = {}
    for b in buildings:
        by_block.setdefault(b.block, []).append(b)
    networks, plant = _networks(profile, streets.blocks, by_block, graph, elevation)
    facilities = places.facilities(
        streets.blocks, uses, by_block, profile.facilities, global_id, plant
    )
    extent = shapely.MultiPoint(list(streets.nodes.values())).convex_hull
    zones = places.site_zones(
        profile.site_zones, extent, streets.rivers, elevation, half, f"profile {profile.slug}"
    )
    landmarks = tuple(
        (name, round(b.centre[0], 2), round(b.centre[1], 2))
        for name, b in zip(
            profile.landmarks, [b for b in streets.blocks if b.use == "landmark"], strict=False
        )
    )
    return GeneratedTown(
        profile=profile,
        seed=seed,
        size_factor=size_factor,
        buildings=tuple(buildings),
        networks=networks,
        facilities=tuple(facilities),
        site_zones=tuple(zones),
        boundary_wkt=shapely.to_wkt(extent.buffer(60.0, quad_segs=4), rounding_precision=2),
        landmark_sites=landmarks,
        elevation_m={b.key: elevation((b.x_m, b.y_m)) for b in buildings},
    )


def _networks(
    profile: TownProfile,
    blocks: tuple[Block, ...],
    by_block: dict[int, list[GeneratedBuilding]],
    graph: nx.Graph,
    elevation: Callable[[XY], float],
) -> tuple[tuple[NetworkRecord, ...], XY]:
    xy = nx.get_node_attributes(graph, "xy")
    people: dict[int, float] = {}
    area: dict[int, float] = {}
    for block in blocks:
        members = by_block.get(block.index, [])
        if not members:
            continue
        corners = [n for n in block.nodes if n in xy]
        node = min(corners, key=lambda n: (math.dist(xy[n], block.centre), n))
        people[node] = people.get(node, 0.0) + sum(b.night_population for b in members)
        area[node] = area.get(node, 0.0) + sum(b.floor_area_m2 for b in members)
    return lifelines(profile, graph, people, area, elevation)


def lifelines(
    profile: TownProfile,
    graph: nx.Graph,
    people: dict[int, float],
    floor_area: dict[int, float],
    elevation: Callable[[XY], float],
    *,
    skip: frozenset[str] = frozenset(),
) -> tuple[tuple[NetworkRecord, ...], XY]:
    """Water, gas, power and road networks on a street graph with people and floor area
    per street node; ``skip`` names kinds taken from real data instead."""
    xy = nx.get_node_attributes(graph, "xy")
    ground = {n: elevation(p) for n, p in xy.items()}
    design = WaterDesign.from_profile(profile.water)
    per_person = design.demand_l_per_person_day / 1000.0 / 86400.0 * design.peak_factor
    water = water_network(
        f"{profile.name} water",
        graph,
        {n: p * per_person for n, p in people.items()},
        elevation,
        design,
    )
    plant = next((n.x, n.y) for n in water.nodes if n.key == "PS1")
    n_blocks = max(1, len(people))
    out = [] if "water" in skip else [water]
    if "gas" not in skip:
        gas_per = GAS_M3_PER_PERSON_DAY / 24.0 * 2.0
        out.append(
            grids.gas_network(
                f"{profile.name} gas",
                graph,
                {n: p * gas_per for n, p in people.items()},
                ground,
                profile.gas,
                n_blocks,
            )
        )
    if "power" not in skip:
        loads = {n: a * POWER_W_PER_M2 / 1000.0 for n, a in floor_area.items()}
        out.append(
            grids.power_network(
                f"{profile.name} power",
                graph,
                loads,
                profile.power,
                n_blocks,
                [("LOAD-PU1", plant, "water:PU1")],
            )
        )
    if "road" not in skip:
        out.append(grids.road_network(f"{profile.name} roads", graph, ground))
    return tuple(out), plant
