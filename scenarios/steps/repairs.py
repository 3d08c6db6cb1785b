"""Repair tasks and crews of a realisation's damage (shared by the lifelines and recovery steps).

Work (crew-days of one crew):

* pipes: 0.25 d per leak and 0.5 d per break (Hazus MR4 §8.1.7 assumes 4 h per leak and
  8 h per break with 16-hour working days);
* components by damage state 1..4 (:data:`RESTORE_DAYS`, the means of the Hazus MR4
  restoration functions for substations, pumping plants, tanks, compressor stations and
  highway bridges, rounded);
* roads: 1 d to clear a blocked link, 0.25 d for a slowed one;
* buildings: the structures engine's repair time (one contractor team per building task).

Crews per system scale with the size of the town (:func:`crew_pools`).

A task's weight is the service its repair gives back. Customers that lost service are
attributed to the nearest damaged component of the same system (straight-line distance):
a proxy for "the repair that reconnects them"; outages caused by another system (a pump
without power) come back with that system's repairs and are not counted twice. A task that
reconnects a hospital serves ``hospital``, a shelter ``shelter``; other pumps, tanks and
mains of DN200 and more serve ``fire_water``; residential buildings ``housing``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from scenarios.engine.recovery import CrewPool, RepairTask

LEAK_DAYS, BREAK_DAYS = 0.25, 0.5
RESTORE_DAYS = {
    "substation": (0.0, 1.0, 3.0, 7.0, 70.0),
    "generator": (0.0, 0.5, 3.6, 22.0, 65.0),
    "pump": (0.0, 0.9, 3.1, 13.5, 35.0),
    "tank": (0.0, 1.2, 3.1, 93.0, 155.0),
    "regulator": (0.0, 0.9, 3.1, 13.5, 35.0),
    "bridge": (0.0, 0.6, 2.5, 75.0, 230.0),
}
BLOCKED_DAYS, SLOWED_DAYS = 1.0, 0.25
MAIN_DIAMETER_M = 0.2
MOBILISATION_DAYS = {"water": 0.5, "gas": 0.5, "power": 0.25, "roads": 0.25, "buildings": 7.0}
"""Days before the first crews start (call-out, inspection, isolation)."""
KM_PER_CREW = {"water": 20.0, "gas": 20.0, "roads": 10.0}
NODES_PER_POWER_CREW = 50
BUILDINGS_PER_TEAM = 10
MIN_CREWS = 2


def crew_pools(
    pipe_km: Mapping[str, float], power_nodes: int, road_km: float, buildings: int
) -> dict[str, CrewPool]:
    """Crews of each system present: one per 20 km of water or gas pipe, per 50 power
    nodes, per 10 km of road (at least 2 each), and one contractor team per 10 buildings."""
    pools = {
        kind: CrewPool(
            kind, max(MIN_CREWS, math.ceil(km / KM_PER_CREW[kind])), MOBILISATION_DAYS[kind]
        )
        for kind, km in pipe_km.items()
    }
    if power_nodes:
        pools["power"] = CrewPool(
            "power",
            max(MIN_CREWS, math.ceil(power_nodes / NODES_PER_POWER_CREW)),
            MOBILISATION_DAYS["power"],
        )
    pools["roads"] = CrewPool(
        "roads",
        max(MIN_CREWS, math.ceil(road_km / KM_PER_CREW["roads"])),
        MOBILISATION_DAYS["roads"],
    )
    pools["buildings"] = CrewPool(
        "buildings",
        max(1, math.ceil(buildings / BUILDINGS_PER_TEAM)),
        MOBILISATION_DAYS["buildings"],
    )
    return pools


@dataclass(frozen=True, slots=True)
class Damaged:
    """A damaged component of a system: key, position (m), crew-days, whether it is a
    main/plant for fire water."""

    key: str
    xy: tuple[float, float]
    work_days: float
    fire_water: bool = False


def attributed_tasks(
    system: str,
    damaged: Sequence[Damaged],
    lost_xy: NDArray[np.float64],
    lost_weight: NDArray[np.float64],
    priority_xy: Mapping[str, NDArray[np.float64]],
) -> list[RepairTask]:
    """Tasks of one system with the lost service attributed to the nearest damaged component.

    ``priority_xy``: positions of out-of-service hospitals and shelters (class → points).
    """
    if not damaged:
        return []
    tree = cKDTree(np.array([d.xy for d in damaged], dtype=np.float64))
    weight = np.zeros(len(damaged))
    if len(lost_xy):
        _, index = tree.query(np.asarray(lost_xy, dtype=np.float64).reshape(-1, 2))
        np.add.at(weight, np.atleast_1d(index), lost_weight)
    serves = ["fire_water" if d.fire_water else "other" for d in damaged]
    for cls in ("shelter", "hospital"):  # hospital last: it wins
        points = priority_xy.get(cls, np.zeros((0, 2)))
        if len(points):
            _, index = tree.query(np.asarray(points, dtype=np.float64).reshape(-1, 2))
            for i in np.atleast_1d(index):
                serves[i] = cls
    return [
        RepairTask(f"{system}:{d.key}", system, d.work_days, float(w), s)
        for d, w, s in zip(damaged, weight, serves, strict=True)
    ]


def building_tasks(
    ids: Sequence[str],
    damage_state: NDArray[np.int64],
    repair_days: NDArray[np.float64],
    residents: NDArray[np.float64],
    serves: Sequence[str],
) -> list[RepairTask]:
    """One task per building with at least moderate damage; the residents of buildings with
    extensive damage or worse (displaced) are the service it gives back."""
    out = []
    for i in np.flatnonzero(damage_state >= 2).tolist():
        lost = float(residents[i]) if damage_state[i] >= 3 else 0.0
        out.append(
            RepairTask(f"buildings:{ids[i]}", "buildings", float(repair_days[i]), lost, serves[i])
        )
    return out


def task_to_json(task: RepairTask) -> list[object]:
    return [task.id, task.system, round(task.work_days, 9), round(task.weight, 9), task.serves]


def task_from_json(row: Sequence[object]) -> RepairTask:
    return RepairTask(str(row[0]), str(row[1]), float(row[2]), float(row[3]), str(row[4]))  # type: ignore[arg-type]
