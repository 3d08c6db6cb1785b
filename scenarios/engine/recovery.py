"""Post-earthquake restoration: crews repair damaged components, functionality Q(t) recovers.

Each system (water, gas, power, roads, buildings) has a pool of repair crews that arrives after
a mobilisation delay. Repairs are scheduled by an event-driven list scheduler: tasks are taken
in restoration order and each goes to the crew that becomes free first (one crew per task).
Restoration order: priority class first (:data:`PRIORITY_CLASSES`: components serving
hospitals, then shelters, then water for fire fighting, then housing, then the rest), and
within a class the largest service restored per crew-day first (Smith's ratio rule, which
minimises the weighted completion time, i.e. the area above Q(t), on a single crew).

A system's functionality is the share of its service (customers, population, floor area ...)
not lost: ``Q_s(t) = 100 (1 - sum of weights of unrepaired tasks / total service)``, a
right-continuous step function. The town's functionality is the weighted mean of the systems.

References
----------
Smith, W. E. (1956). Various optimizers for single-stage production. Naval Research
    Logistics Quarterly 3(1-2), 59-66. doi:10.1002/nav.3800030106
Bruneau, M., et al. (2003). Earthquake Spectra 19(4), 733-752. doi:10.1193/1.1623497
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scenarios.engine.errors import RecoveryError
from scenarios.engine.resilience import Q_FULL, resilience_loss, time_to_level

#: Restoration priority classes, first restored first.
PRIORITY_CLASSES: tuple[str, ...] = ("hospital", "shelter", "fire_water", "housing", "other")
SYSTEMS: tuple[str, ...] = ("water", "gas", "power", "roads", "buildings")
#: Functionality levels reported (percent).
LEVEL_90, LEVEL_100 = 90.0, 100.0
#: Service weights of a system's tasks may exceed its total by round-off only (relative).
WEIGHT_RTOL = 1e-9


@dataclass(frozen=True, slots=True)
class RepairTask:
    """One damaged component to repair.

    Attributes
    ----------
    id : str
        Component id (pipe, substation, road segment, building ...).
    system : str
        System it belongs to (a key of the crew pools).
    work_days : float
        Crew-days of work (one crew), d; building repair times from the structures results.
    weight : float
        Service lost while unrepaired, in the system's service unit (customers, persons, m2).
    serves : str
        Priority class (:data:`PRIORITY_CLASSES`).
    """

    id: str
    system: str
    work_days: float
    weight: float
    serves: str = "other"


@dataclass(frozen=True, slots=True)
class CrewPool:
    """Repair crews of one system: how many, and when they start (days after the event)."""

    system: str
    crews: int
    mobilisation_days: float = 0.0


@dataclass(frozen=True, slots=True)
class ScheduledRepair:
    """A task's slot: crew index within its system, start and end (days)."""

    task_id: str
    system: str
    crew: int
    start_days: float
    end_days: float


@dataclass(frozen=True, slots=True)
class FunctionalityCurve:
    """A right-continuous step curve Q(t) with its metrics.

    ``q_pct[k]`` holds on ``[times_days[k], times_days[k+1])``; after the last time Q holds.
    ``loss_pct_days`` is integrated from 0 to ``horizon_days``.
    """

    name: str
    times_days: NDArray[np.float64]
    q_pct: NDArray[np.float64]
    loss_pct_days: float
    time_to_90_days: float
    time_to_100_days: float
    horizon_days: float


@dataclass(frozen=True, slots=True)
class RecoveryResult:
    """Schedule and functionality curves of one restoration realisation."""

    systems: tuple[FunctionalityCurve, ...]
    town: FunctionalityCurve
    schedule: tuple[ScheduledRepair, ...]

    def system(self, name: str) -> FunctionalityCurve:
        """Curve of system ``name``."""
        for c in self.systems:
            if c.name == name:
                return c
        raise RecoveryError(f"no system {name!r} in this recovery result")


def restoration_key(task: RepairTask) -> tuple[int, float, str]:
    """Sort key of the restoration order: priority class, then service per crew-day (desc)."""
    ratio = task.weight / task.work_days if task.work_days > 0.0 else math.inf
    return PRIORITY_CLASSES.index(task.serves), -ratio, task.id


def _validate(
    tasks: Sequence[RepairTask], crews: Mapping[str, CrewPool], totals: Mapping[str, float]
) -> None:
    ids = [t.id for t in tasks]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise RecoveryError(f"task id {dup!r} appears twice; give each damaged component one task")
    for task in tasks:
        if task.system not in crews or task.system not in totals:
            raise RecoveryError(
                f"task {task.id!r}: system {task.system!r} has no crews or total service"
            )
        if task.serves not in PRIORITY_CLASSES:
            raise RecoveryError(
                f"task {task.id!r}: priority {task.serves!r} not in {PRIORITY_CLASSES}"
            )
        if not (task.work_days >= 0.0 and task.weight >= 0.0):
            raise RecoveryError(f"task {task.id!r}: work_days and weight must be non-negative")
    for name, pool in crews.items():
        if pool.crews < 1 or pool.mobilisation_days < 0.0:
            raise RecoveryError(f"system {name!r}: needs at least one crew and mobilisation >= 0 d")
        if not totals.get(name, 0.0) > 0.0:
            raise RecoveryError(f"system {name!r}: total service must be positive")
        lost = math.fsum(t.weight for t in tasks if t.system == name)
        if lost > totals[name] * (1.0 + WEIGHT_RTOL):
            raise RecoveryError(
                f"system {name!r}: damaged service {lost:g} exceeds total {totals[name]:g}"
            )


def schedule_repairs(
    tasks: Sequence[RepairTask], crews: Mapping[str, CrewPool]
) -> tuple[ScheduledRepair, ...]:
    """List-schedule the tasks of every system on its crews in restoration order."""
    out: list[ScheduledRepair] = []
    for name in sorted(crews):
        pool = crews[name]
        free = [(pool.mobilisation_days, k) for k in range(pool.crews)]
        heapq.heapify(free)
        for task in sorted((t for t in tasks if t.system == name), key=restoration_key):
            start, crew = heapq.heappop(free)
            end = start + task.work_days
            out.append(ScheduledRepair(task.id, name, crew, start, end))
            heapq.heappush(free, (end, crew))
    return tuple(out)


def _curve(
    name: str, ends: NDArray[np.float64], weights: NDArray[np.float64], total: float, horizon: float
) -> FunctionalityCurve:
    """Step curve from completion times and restored weights; Q(0) = 100 (1 - lost / total)."""
    order = np.argsort(ends, kind="stable")
    e, restored_cum = ends[order], np.cumsum(weights[order])
    times = np.unique(np.concatenate([[0.0], e]))
    done = np.searchsorted(e, times, side="right")
    restored = np.where(done > 0, restored_cum[np.maximum(done - 1, 0)] if e.size else 0.0, 0.0)
    lost = float(restored_cum[-1]) if e.size else 0.0
    q = Q_FULL * (1.0 - (lost - restored) / total)
    return _finish(name, times, np.clip(q, 0.0, Q_FULL), horizon)


def _finish(
    name: str, t: NDArray[np.float64], q: NDArray[np.float64], horizon: float
) -> FunctionalityCurve:
    return FunctionalityCurve(
        name,
        t,
        q,
        resilience_loss(t, q, horizon=horizon, interpolation="step"),
        time_to_level(t, q, LEVEL_90, interpolation="step"),
        time_to_level(t, q, LEVEL_100, interpolation="step"),
        horizon,
    )


def combine_curves(
    name: str, curves: Sequence[FunctionalityCurve], weights: Sequence[float], horizon: float
) -> FunctionalityCurve:
    """Weighted mean of step curves (weights normalised to sum 1) on the union of their times."""
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (len(curves),) or np.any(w < 0.0) or not w.sum() > 0.0:
        raise RecoveryError("system weights must be non-negative, one per system, positive sum")
    w = w / w.sum()
    times = np.unique(np.concatenate([c.times_days for c in curves]))
    gap = np.zeros_like(times)  # summing the gaps keeps Q exactly 100 once all systems are
    for c, wk in zip(curves, w, strict=True):
        idx = np.searchsorted(c.times_days, times, side="right") - 1
        gap += wk * (Q_FULL - c.q_pct[idx])
    return _finish(name, times, np.clip(Q_FULL - gap, 0.0, Q_FULL), horizon)


def simulate_recovery(
    tasks: Sequence[RepairTask],
    crews: Mapping[str, CrewPool],
    totals: Mapping[str, float],
    *,
    system_weights: Mapping[str, float] | None = None,
    horizon_days: float | None = None,
) -> RecoveryResult:
    """Schedule repairs and compute Q(t) per system and for the town.

    Parameters
    ----------
    tasks : sequence of RepairTask
        Damaged components of all systems.
    crews : mapping system -> CrewPool
        One pool per system considered (systems without damage recover at once).
    totals : mapping system -> float
        Total service of each system (same unit as the task weights).
    system_weights : mapping system -> float, optional
        Weights of the systems in the town's functionality; equal by default.
    horizon_days : float, optional
        End of the loss integral, d; default the last completion (at least 1 d).

    Returns
    -------
    RecoveryResult

    Raises
    ------
    RecoveryError
        Unknown system or priority, no crews, negative work, damage above the total.

    Notes
    -----
    O(m log m + m log c) for m tasks and c crews per system.
    """
    _validate(tasks, crews, totals)
    schedule = schedule_repairs(tasks, crews)
    by_id = {t.id: t for t in tasks}
    end = max((s.end_days for s in schedule), default=0.0)
    horizon = float(horizon_days) if horizon_days is not None else max(end, 1.0)
    names = sorted(crews)
    curves = tuple(
        _curve(
            n,
            np.array([s.end_days for s in schedule if s.system == n], dtype=np.float64),
            np.array(
                [by_id[s.task_id].weight for s in schedule if s.system == n], dtype=np.float64
            ),
            totals[n],
            horizon,
        )
        for n in names
    )
    sw = system_weights or {n: 1.0 for n in names}
    missing = [n for n in names if n not in sw]
    if missing:
        raise RecoveryError(f"no town weight for system {missing[0]!r}; give one per crew pool")
    town = combine_curves("town", curves, [sw[n] for n in names], horizon)
    return RecoveryResult(curves, town, schedule)
