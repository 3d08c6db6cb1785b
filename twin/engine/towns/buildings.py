"""Buildings of a generated town: footprints in blocks and their attributes.

Each block gets one use (a Hazus occupancy drawn from its district's mix, or a facility use
forced on it) and one construction era (buildings of a block were built together); its
buildings stand in one or two rows along the block's long sides, with rectangular
footprints drawn from the district's size ranges and storeys drawn per building. The
structural system follows the profile's rules (first match; ``mix`` of Hazus families, the
height class added from the storeys), else the project's imputation rules. Floor area is
footprint x storeys (as the IFC slab quantities give it); populations and replacement cost
come from the imputation rules (``twin/engine/data/imputation_rules.json``) times the
profile's ``factors``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from shapely.geometry import Polygon

from twin.engine.imputation import impute
from twin.engine.records import BuildingRecord
from twin.engine.towns.layout import Block
from twin.engine.towns.profile import ERAS, District, TownProfile

STOREY_HEIGHT_M = {
    "RES": 3.0,
    "COM": 3.9,
    "EDU": 3.6,
    "IND": 6.0,
    "GOV": 3.6,
    "REL": 4.5,
    "AGR": 4.5,
}
DEFAULT_FOOTPRINT = {
    "RES1": ((10.0, 16.0), (8.0, 12.0)),
    "RES3": ((30.0, 60.0), (11.0, 14.0)),
    "COM1": ((12.0, 30.0), (10.0, 16.0)),
    "COM4": ((30.0, 50.0), (16.0, 22.0)),
    "COM6": ((60.0, 90.0), (20.0, 30.0)),
    "EDU1": ((50.0, 70.0), (15.0, 20.0)),
    "GOV1": ((40.0, 60.0), (16.0, 22.0)),
    "GOV2": ((30.0, 40.0), (15.0, 20.0)),
    "IND": ((40.0, 90.0), (20.0, 40.0)),
    "default": ((15.0, 30.0), (10.0, 14.0)),
}
DEFAULT_STOREYS = {
    "RES1": (1, 3),
    "RES3": (4, 7),
    "COM6": (4, 8),
    "EDU1": (3, 5),
    "IND": (1, 2),
    "GOV2": (2, 3),
    "default": (2, 4),
}
GAP_M, SETBACK_M = 6.0, 4.0
NO_HEIGHT_CLASS = {"PC1", "W1", "W2", "S3", "MH"}


@dataclass(frozen=True, slots=True)
class GeneratedBuilding:
    """One generated building (local metres; attributes as the CIM stores them)."""

    key: str
    name: str
    block: int
    x_m: float
    y_m: float
    rotation_deg: float
    length_m: float
    width_m: float
    storeys: int
    storey_height_m: float
    occupancy: str
    design_era: str
    year: int
    structural_system: str
    isolated: bool
    fortification_intensity: float
    floor_area_m2: float
    day_population: float
    night_population: float
    replacement_cost: float

    def footprint(self) -> Polygon:
        """The rectangle in local metres."""
        a = math.radians(self.rotation_deg)
        ux, uy = math.cos(a), math.sin(a)
        hl, hw = self.length_m / 2.0, self.width_m / 2.0
        corners = [(-hl, -hw), (hl, -hw), (hl, hw), (-hl, hw)]
        return Polygon(
            [(self.x_m + u * ux - v * uy, self.y_m + u * uy + v * ux) for u, v in corners]
        )


def hazus_code(family: str, storeys: int) -> str:
    """Hazus model building type from a family (``C2``) and storeys: L/M/H height class."""
    if family in NO_HEIGHT_CLASS:
        return family
    if family == "URM":
        return "URML" if storeys <= 2 else "URMM"
    if family == "RM1":
        return "RM1L" if storeys <= 3 else "RM1M"
    return family + ("L" if storeys <= 3 else "M" if storeys <= 7 else "H")


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _lookup(table: dict, occupancy: str, default: object) -> object:
    for key in (occupancy, occupancy[:3], "default"):
        if key in table:
            return table[key]
    return default


def _matches(when: dict, occupancy: str, era: str, storeys: int) -> bool:
    tests = {
        "occupancy_in": lambda v: occupancy in v,
        "occupancy_prefix": lambda v: occupancy.startswith(tuple(v)),
        "era_in": lambda v: era in v,
        "storeys_min": lambda v: storeys >= v,
        "storeys_max": lambda v: storeys <= v,
    }
    return all(tests[k](v) for k, v in when.items())


def structural_family(
    profile: TownProfile, occupancy: str, era: str, storeys: int, rng: np.random.Generator
) -> str | None:
    """Hazus family from the first matching profile rule (None: use the imputation rules)."""
    for rule in profile.systems:
        if _matches(rule.get("when", {}), occupancy, era, storeys):
            return _pick(rng, rule["mix"])
    return None


def _isolated(profile: TownProfile, occupancy: str, era: str, rng: np.random.Generator) -> bool:
    for rule in profile.isolation:
        if occupancy in rule.get("occupancy_in", [occupancy]) and era in rule.get("era_in", [era]):
            return bool(rng.random() < float(rule.get("share", 1.0)))
    return False


def district_of(profile: TownProfile, rank: int, n_blocks: int) -> District:
    """The district of the block ``rank`` (0 = most central) by cumulative shares."""
    total = sum(d.share for d in profile.districts)
    edge = 0.0
    for district in profile.districts:
        edge += district.share / total
        if rank < edge * n_blocks:
            return district
    return profile.districts[-1]


def _rows(block: Block, widths: tuple[float, float]) -> list[tuple[XYPair, XYPair, float]]:
    """Rows along the long sides: (start, end, inward offset of the row axis, m)."""
    c = block.corners
    sides = [(c[0], c[1]), (c[1], c[2]), (c[2], c[3]), (c[3], c[0])]
    length = [math.dist(a, b) for a, b in sides]
    long_pair = (0, 2) if length[0] + length[2] >= length[1] + length[3] else (1, 3)
    depth = (length[(long_pair[0] + 1) % 4] + length[(long_pair[1] + 1) % 4]) / 2.0
    wmax = widths[1]
    if depth >= 2 * (wmax + SETBACK_M) + GAP_M:
        return [
            (*sides[long_pair[0]], SETBACK_M + wmax / 2.0),
            (*sides[long_pair[1]], SETBACK_M + wmax / 2.0),
        ]
    return [(*sides[long_pair[0]], depth / 2.0)]


XYPair = tuple[float, float]


def _row_buildings(
    start: XYPair, end: XYPair, inward: float, dims: tuple, rng: np.random.Generator
) -> list[tuple[float, float, float, float, float]]:
    """(x, y, rotation deg, length, width) of the buildings of one row (counter-clockwise)."""
    (lmin, lmax), (wmin, wmax) = dims
    run = math.dist(start, end)
    ux, uy = (end[0] - start[0]) / run, (end[1] - start[1]) / run
    nx_, ny_ = -uy, ux  # blocks are counter-clockwise: the left normal points inside
    rotation = math.degrees(math.atan2(uy, ux))
    out: list[tuple[float, float, float, float, float]] = []
    u = SETBACK_M
    while True:
        length = float(rng.uniform(lmin, lmax))
        width = float(rng.uniform(wmin, wmax))
        if u + length > run - SETBACK_M:
            if not out and run - 2 * SETBACK_M >= lmin * 0.6:
                length = run - 2 * SETBACK_M
            else:
                break
        cx = start[0] + ux * (u + length / 2.0) + nx_ * inward
        cy = start[1] + uy * (u + length / 2.0) + ny_ * inward
        out.append((cx, cy, rotation, length, min(width, 2 * inward - 2.0)))
        u += length + GAP_M
    return out


def block_buildings(
    profile: TownProfile,
    block: Block,
    occupancy: str,
    era: str,
    district: District,
    rng: np.random.Generator,
    *,
    limit: int,
) -> list[GeneratedBuilding]:
    """The buildings of one block (at most ``limit``)."""
    dims: Any = _lookup(district.footprint, occupancy, None) or _lookup(
        DEFAULT_FOOTPRINT, occupancy, DEFAULT_FOOTPRINT["default"]
    )
    storeys_range: Any = _lookup(district.storeys, occupancy, None) or _lookup(
        DEFAULT_STOREYS, occupancy, DEFAULT_STOREYS["default"]
    )
    placed = []
    for start, end, inward in _rows(block, dims[1]):
        placed += _row_buildings(start, end, inward, dims, rng)
    year_lo, year_hi = ERAS[era]
    year = int(rng.integers(year_lo, year_hi + 1))
    out = []
    for n, (x, y, rot, length, width) in enumerate(placed[:limit]):
        storeys = int(rng.integers(storeys_range[0], storeys_range[1] + 1))
        out.append(
            _attributes(
                profile, block, n, (x, y, rot, length, width), storeys, occupancy, era, year, rng
            )
        )
    return out


def _attributes(
    profile: TownProfile,
    block: Block,
    n: int,
    geometry: tuple[float, float, float, float, float],
    storeys: int,
    occupancy: str,
    era: str,
    year: int,
    rng: np.random.Generator,
) -> GeneratedBuilding:
    x, y, rot, length, width = geometry
    length, width = round(length, 2), round(width, 2)  # the IFC quantities use these values
    family = structural_family(profile, occupancy, era, storeys, rng)
    floor_area = length * width * storeys
    record = impute(
        BuildingRecord(
            global_id="",
            name="",
            footprint_wkt=None,
            footprint_epsg=0,
            storeys_above_ground=storeys,
            occupancy=occupancy,
            design_era=era,
            fortification_intensity=profile.fortification_intensity,
            floor_area_m2=floor_area,
            structural_system=hazus_code(family, storeys) if family else None,
        )
    )
    factors = profile.factors
    key = f"{profile.slug}:b{block.index:05d}-{n:02d}"
    return GeneratedBuilding(
        key=key,
        name=f"{occupancy} block {block.index} no. {n + 1}",
        block=block.index,
        x_m=round(x, 3),
        y_m=round(y, 3),
        rotation_deg=round(rot, 4),
        length_m=length,
        width_m=width,
        storeys=storeys,
        storey_height_m=STOREY_HEIGHT_M.get(occupancy[:3], 3.3),
        occupancy=occupancy,
        design_era=era,
        year=year,
        structural_system=str(record.structural_system),
        isolated=_isolated(profile, occupancy, era, rng),
        fortification_intensity=profile.fortification_intensity,
        floor_area_m2=floor_area,
        day_population=round(
            float(record.day_population or 0) * factors.get("day_population", 1.0), 2
        ),
        night_population=round(
            float(record.night_population or 0) * factors.get("night_population", 1.0), 2
        ),
        replacement_cost=round(float(record.replacement_cost or 0) * factors.get("cost", 1.0), 0),
    )
