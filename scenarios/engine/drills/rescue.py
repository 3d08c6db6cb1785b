"""Search and rescue: prioritising collapsed buildings by trapped occupants and survival time.

The share of trapped people alive when extricated falls steeply by day after the earthquake
(data/survival_trapped.json, after Coburn & Spence 2002). Rescue teams are dispatched
greedily: whenever a team is free it takes the site with the most expected survivors per
team-hour, ``trapped * S(arrival) / (travel + work)``, where work is hours per trapped person
by damage state (light rescue in extensive damage, heavy rescue in collapse). Victims come out
one by one during the work; each counts with S at its own extraction time.

References
----------
Coburn, A., Spence, R. (2002). Earthquake Protection, 2nd ed. Wiley. doi:10.1002/0470855185
INSARAG (2020). INSARAG Guidelines, Vol. II Manual B (light / medium / heavy USAR capability).
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from scenarios.engine.drills.state import Building, DrillState
from scenarios.engine.errors import DrillError

SURVIVAL_PATH = Path(__file__).resolve().parents[1] / "data" / "survival_trapped.json"
#: Team-hours to extricate one trapped person, by damage state (platform defaults).
WORK_H_PER_TRAPPED: Mapping[int, float] = {0: 0.5, 1: 0.5, 2: 1.0, 3: 2.0, 4: 4.0}
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class SurvivalCurve:
    """Share alive at extrication: ``alive_share[k]`` until ``day_end_h[k]`` hours, then next."""

    day_end_h: NDArray[np.float64]
    alive_share: NDArray[np.float64]
    after_last: float
    source: str

    def __call__(self, hours: float) -> float:
        """Share of trapped people alive when extricated ``hours`` after the earthquake."""
        k = int(np.searchsorted(self.day_end_h, hours, side="right"))
        return float(self.alive_share[k]) if k < self.alive_share.size else self.after_last


@lru_cache(maxsize=1)
def survival_curve() -> SurvivalCurve:
    """The platform's survival curve of trapped victims (see the data file for sources)."""
    raw = json.loads(SURVIVAL_PATH.read_text(encoding="utf-8"))
    curve = SurvivalCurve(
        np.asarray(raw["day_end_h"], dtype=np.float64),
        np.asarray(raw["alive_share"], dtype=np.float64),
        float(raw["after_last"]),
        str(raw["source"]),
    )
    if np.any(np.diff(curve.alive_share) > 0.0) or np.any(np.diff(curve.day_end_h) <= 0.0):
        raise DrillError("survival curve must fall with time on increasing day ends")
    return curve


@dataclass(frozen=True, slots=True)
class RescueTask:
    """One team's work at one building (hours after the earthquake)."""

    team: int
    building_id: str
    start_h: float
    end_h: float
    trapped: int
    expected_alive: float


@dataclass(frozen=True, slots=True)
class RescuePlan:
    """Team assignments, expected survivors, and sites no team can reach."""

    tasks: tuple[RescueTask, ...]
    expected_alive: float
    trapped_total: int
    unreachable: tuple[str, ...]

    @property
    def rescued_alive_share(self) -> float:
        """Expected share of trapped people rescued alive (1 when nobody is trapped)."""
        return self.expected_alive / self.trapped_total if self.trapped_total else 1.0


def plan_rescue(
    state: DrillState,
    *,
    teams: int,
    base_node: Hashable,
    curve: SurvivalCurve | None = None,
) -> RescuePlan:
    """Dispatch ``teams`` rescue teams from ``base_node`` to buildings with trapped people.

    Parameters
    ----------
    state : DrillState
        Current drill state; work starts at ``state.time_s``.
    teams : int
        Number of rescue teams (>= 1).
    base_node : hashable
        Road node the teams start from (travel by the open road network).
    curve : SurvivalCurve, optional
        Survival of trapped people; default the platform curve.

    Returns
    -------
    RescuePlan

    Notes
    -----
    Greedy list scheduling, O(B^2) for B sites; travel from the base for every site.
    """
    if teams < 1 or base_node not in state.roads:
        raise DrillError(
            f"need at least one rescue team and a base node on the road graph, got {base_node!r}"
        )
    curve = curve or survival_curve()
    travel = nx.single_source_dijkstra_path_length(state.open_roads(), base_node, weight="travel_s")
    sites = sorted((b for b in state.buildings if b.trapped > 0), key=lambda b: b.id)
    reachable = [b for b in sites if b.node in travel]
    t0 = state.time_s / SECONDS_PER_HOUR
    free = [(t0, k) for k in range(teams)]
    tasks: list[RescueTask] = []
    while reachable:
        start, team = heapq.heappop(free)
        best = max(reachable, key=lambda b: (_rate(b, start, travel, curve), b.id))
        reachable.remove(best)
        task = _task(team, best, start, travel[best.node] / SECONDS_PER_HOUR, curve)
        tasks.append(task)
        heapq.heappush(free, (task.end_h, team))
    tasks.sort(key=lambda t: (t.start_h, t.team))
    unreachable = tuple(b.id for b in sites if b.node not in travel)
    return RescuePlan(
        tuple(tasks),
        float(sum(t.expected_alive for t in tasks)),
        sum(b.trapped for b in sites),
        unreachable,
    )


def _rate(
    b: Building, start_h: float, travel: Mapping[Hashable, float], curve: SurvivalCurve
) -> float:
    go_h = travel[b.node] / SECONDS_PER_HOUR
    work_h = b.trapped * WORK_H_PER_TRAPPED[b.damage_state]
    return b.trapped * curve(start_h + go_h) / max(go_h + work_h, 1e-9)


def _task(team: int, b: Building, start_h: float, go_h: float, curve: SurvivalCurve) -> RescueTask:
    work_h = b.trapped * WORK_H_PER_TRAPPED[b.damage_state]
    arrive = start_h + go_h
    # Victims come out one by one through the work; S at each extraction time.
    each = work_h / b.trapped
    alive = sum(curve(arrive + (k + 1) * each) for k in range(b.trapped))
    return RescueTask(team, b.id, start_h, arrive + work_h, b.trapped, float(alive))
