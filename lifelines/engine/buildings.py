"""Building state as the lifeline engines see it (position, size, damage, people).

Built from :class:`twin.engine.records.BuildingRecord` plus a damage state from the
structures engine. Units: metres, square metres, persons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from shapely import wkt

from lifelines.engine.errors import FireModelError
from twin.engine.records import BuildingRecord

STOREY_HEIGHT_M = 3.0
"""Storey height used when a building has storeys but no height (m)."""

NON_COMBUSTIBLE_PREFIXES = ("C", "PC", "RM", "S", "URM")
"""Hazus structural systems treated as fire resistant (concrete, steel, masonry) in Hamada's
fire-resistant share; wood (W*) and mobile homes (MH) are combustible."""


@dataclass(frozen=True, slots=True)
class BuildingState:
    """One building for the cascade engines.

    Parameters
    ----------
    id : str
        Building key (CIM ``global_id``).
    x_m, y_m : float
        Footprint centroid in a metric CRS (m).
    footprint_area_m2 : float
        Footprint area (m²).
    storeys : int
        Storeys above ground.
    material : str
        Hazus structural system (``W1``, ``C2L`` ...) or a material word.
    damage_state : int
        0 none, 1 slight, 2 moderate, 3 extensive, 4 complete (Hazus).
    population_day, population_night : float
        People inside at 2 PM and 2 AM.
    occupancy : str
        Hazus occupancy class (``RES1`` ...).
    height_m : float
        Height (m); ``storeys × 3 m`` when unknown.
    """

    id: str
    x_m: float
    y_m: float
    footprint_area_m2: float
    storeys: int = 1
    material: str = "W1"
    damage_state: int = 0
    population_day: float = 0.0
    population_night: float = 0.0
    occupancy: str = "RES1"
    height_m: float = 0.0

    @property
    def floor_area_m2(self) -> float:
        """Total floor area (m²) = footprint × storeys."""
        return self.footprint_area_m2 * max(self.storeys, 1)

    @property
    def effective_height_m(self) -> float:
        """Height (m), from storeys when not given."""
        return self.height_m if self.height_m > 0 else STOREY_HEIGHT_M * max(self.storeys, 1)

    @property
    def fire_resistant(self) -> bool:
        """True for non-combustible structural systems (Hamada's fire-resistant share)."""
        return self.material.upper().startswith(NON_COMBUSTIBLE_PREFIXES)


def building_from_record(record: BuildingRecord, damage_state: int = 0) -> BuildingState:
    """Convert a CIM building record (metric CRS) and a damage state to a :class:`BuildingState`.

    Raises
    ------
    FireModelError
        If the record has no footprint.
    """
    if not record.footprint_wkt:
        raise FireModelError(f"building {record.global_id} has no footprint; import one or drop it")
    shape = wkt.loads(record.footprint_wkt)
    storeys = record.storeys_above_ground or max(1, round((record.height_m or 3.0) / 3.0))
    return BuildingState(
        id=record.global_id,
        x_m=float(shape.centroid.x),
        y_m=float(shape.centroid.y),
        footprint_area_m2=float(shape.area),
        storeys=int(storeys),
        material=record.structural_system or "W1",
        damage_state=int(damage_state),
        population_day=float(record.day_population or 0.0),
        population_night=float(record.night_population or 0.0),
        occupancy=record.occupancy or "RES1",
        height_m=float(record.height_m or 0.0),
    )


@dataclass(frozen=True, slots=True)
class BuildingArrays:
    """Column view of many buildings for vectorised engines (same order as the input)."""

    ids: tuple[str, ...]
    xy_m: NDArray[np.float64]
    footprint_area_m2: NDArray[np.float64]
    floor_area_m2: NDArray[np.float64]
    height_m: NDArray[np.float64]
    fire_resistant: NDArray[np.bool_]
    damage_state: NDArray[np.int64]
    population_day: NDArray[np.float64]
    population_night: NDArray[np.float64]


def building_arrays(buildings: Sequence[BuildingState]) -> BuildingArrays:
    """Stack building attributes into arrays.

    Raises
    ------
    FireModelError
        If there are no buildings or a footprint area is not positive.
    """
    if not buildings:
        raise FireModelError("no buildings given; load the town's buildings first")
    area = np.array([b.footprint_area_m2 for b in buildings], dtype=np.float64)
    if np.any(~(area > 0)):
        bad = buildings[int(np.argmax(~(area > 0)))].id
        raise FireModelError(f"building {bad} has no positive footprint area; fix its footprint")
    return BuildingArrays(
        ids=tuple(b.id for b in buildings),
        xy_m=np.array([(b.x_m, b.y_m) for b in buildings], dtype=np.float64),
        footprint_area_m2=area,
        floor_area_m2=np.array([b.floor_area_m2 for b in buildings], dtype=np.float64),
        height_m=np.array([b.effective_height_m for b in buildings], dtype=np.float64),
        fire_resistant=np.array([b.fire_resistant for b in buildings], dtype=bool),
        damage_state=np.array([b.damage_state for b in buildings], dtype=np.int64),
        population_day=np.array([b.population_day for b in buildings], dtype=np.float64),
        population_night=np.array([b.population_night for b in buildings], dtype=np.float64),
    )
