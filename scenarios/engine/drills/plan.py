"""The generated response plan: what goes where and when, as data and as text (English, Chinese).

A plan at drill time t combines (1) evacuation of the free occupants of buildings that must be
left (extensive/complete damage or threatened by fire) to shelters, (2) search and rescue of
trapped people, and (3) distribution of casualties (injured plus people expected to be rescued
alive, rounded) to hospitals by available beds, both flows by minimum total travel time over
the open roads (:mod:`scenarios.engine.drills.flow`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import networkx as nx

from scenarios.engine.drills.flow import Allocation, allocate
from scenarios.engine.drills.rescue import SECONDS_PER_HOUR, RescuePlan, plan_rescue
from scenarios.engine.drills.state import Building, DrillState, validate_state

#: Access-time limit of the "beds reachable" indicator, s (30 min).
BEDS_ACCESS_LIMIT_S = 1800.0
SECONDS_PER_MINUTE = 60.0


@dataclass(frozen=True, slots=True)
class Movement:
    """People moved from a building to a shelter or hospital (a line of the plan)."""

    kind: str  # "evacuate" | "hospital"
    building_id: str
    dest_id: str
    persons: int
    travel_s: float
    path: tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class ResponsePlan:
    """A structured response plan at drill time ``time_s`` with its text in two languages."""

    time_s: float
    evacuation: tuple[Movement, ...]
    evacuation_unmet: Mapping[str, int]
    shelter_loads: Mapping[str, int]
    casualties: tuple[Movement, ...]
    casualties_unmet: Mapping[str, int]
    hospital_loads: Mapping[str, int]
    rescue: RescuePlan
    text_en: tuple[str, ...]
    text_zh: tuple[str, ...]

    def shelter_of(self, building_id: str) -> dict[str, int]:
        """Persons from ``building_id`` per shelter."""
        out: dict[str, int] = {}
        for m in self.evacuation:
            if m.building_id == building_id:
                out[m.dest_id] = out.get(m.dest_id, 0) + m.persons
        return out

    @property
    def evacuees(self) -> int:
        """Persons to evacuate (placed plus unmet)."""
        return sum(m.persons for m in self.evacuation) + sum(self.evacuation_unmet.values())


def _split_by_building(
    alloc: Allocation, people: Mapping[str, int], nodes: Mapping[str, Hashable], kind: str
) -> tuple[tuple[Movement, ...], dict[str, int]]:
    """Share node-level routes among the buildings on each node, in building-id order."""
    left = dict(sorted(people.items()))
    moves: list[Movement] = []
    for route in alloc.routes:
        amount = route.persons
        for bid in [b for b in left if nodes[b] == route.origin]:
            take = min(amount, left[bid])
            if take:
                moves.append(Movement(kind, bid, route.dest_id, take, route.travel_s, route.path))
                left[bid] -= take
                amount -= take
            if amount == 0:
                break
    return tuple(moves), {b: n for b, n in left.items() if n > 0}


def _flow(
    state: DrillState,
    people: Mapping[str, int],
    dests: Mapping[str, tuple[Hashable, int]],
    kind: str,
) -> tuple[tuple[Movement, ...], dict[str, int], dict[str, int]]:
    nodes = {b.id: b.node for b in state.buildings}
    supplies: dict[Hashable, int] = {}
    for bid, n in people.items():
        supplies[nodes[bid]] = supplies.get(nodes[bid], 0) + n
    alloc = allocate(state.open_roads(), supplies, dests)
    moves, unmet = _split_by_building(alloc, people, nodes, kind)
    return moves, unmet, dict(alloc.loads)


def plan_response(state: DrillState, *, rescue_teams: int, rescue_base: Hashable) -> ResponsePlan:
    """Generate the response plan for the drill state.

    Parameters
    ----------
    state : DrillState
        The town at drill time.
    rescue_teams : int
        Search-and-rescue teams available.
    rescue_base : hashable
        Road node the rescue teams start from.

    Returns
    -------
    ResponsePlan

    Raises
    ------
    DrillError
        Invalid state (see :func:`scenarios.engine.drills.state.validate_state`).
    """
    validate_state(state)
    evac_people = {
        b.id: b.occupants for b in state.buildings if b.must_evacuate and b.occupants > 0
    }
    shelters = {s.id: (s.node, s.capacity) for s in state.shelters}
    evac, evac_unmet, shelter_loads = _flow(state, evac_people, shelters, "evacuate")
    rescue = plan_rescue(state, teams=rescue_teams, base_node=rescue_base)
    alive = {t.building_id: round(t.expected_alive) for t in rescue.tasks}
    casualties = {
        b.id: b.injured + alive.get(b.id, 0)
        for b in state.buildings
        if b.injured + alive.get(b.id, 0) > 0
    }
    beds = {h.id: (h.node, h.beds_available) for h in state.hospitals}
    cas, cas_unmet, hospital_loads = _flow(state, casualties, beds, "hospital")
    en, zh = plan_text(state.time_s, evac, evac_unmet, cas, cas_unmet, rescue)
    return ResponsePlan(
        state.time_s,
        evac,
        evac_unmet,
        shelter_loads,
        cas,
        cas_unmet,
        hospital_loads,
        rescue,
        en,
        zh,
    )


def _clock(seconds: float) -> str:
    minutes = round(seconds / SECONDS_PER_MINUTE)
    return f"T+{minutes // 60:02d}:{minutes % 60:02d}"


#: Plan sentences (English, Chinese); fields: t time, n persons, b building, d destination,
#: m minutes, e end time, k team, a expected alive.
PLAN_TEXT: dict[str, tuple[str, str]] = {
    "evacuate": (
        "{t} Evacuate {n} people from {b} to shelter {d} ({m:.1f} min).",
        "{t} 将{n}人从{b}疏散至避难场所{d}（行程{m:.1f}分钟）。",
    ),
    "evacuate_unmet": (
        "{t} No reachable shelter place for {n} people from {b}: "
        "open a temporary shelter or clear a road.",
        "{t} {b}有{n}人无可达避难位置：需开设临时避难点或抢通道路。",
    ),
    "rescue": (
        "{t} Rescue team {k} to {b}: {n} trapped, about {a:.1f} expected alive, until {e}.",
        "{t} 救援队{k}前往{b}：被困{n}人，预计存活约{a:.1f}人，作业至{e}。",
    ),
    "unreachable": (
        "{t} {b} cannot be reached by rescue teams: clear access first.",
        "{t} 救援队无法到达{b}：需先抢通道路。",
    ),
    "hospital": (
        "{t} Transport {n} casualties from {b} to hospital {d} ({m:.1f} min).",
        "{t} 将{n}名伤员从{b}转运至医院{d}（行程{m:.1f}分钟）。",
    ),
    "hospital_unmet": (
        "{t} No hospital bed reachable for {n} casualties from {b}: request a field hospital.",
        "{t} {b}有{n}名伤员无可达床位：请求野战医院支援。",
    ),
}


def plan_text(
    time_s: float,
    evac: tuple[Movement, ...],
    evac_unmet: Mapping[str, int],
    cas: tuple[Movement, ...],
    cas_unmet: Mapping[str, int],
    rescue: RescuePlan,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Plan lines in English and Chinese (one action per line, grouped by kind)."""
    t = _clock(time_s)
    items: list[tuple[str, dict[str, object]]] = []
    for m in (*evac, *cas):
        items.append(
            (
                m.kind,
                {
                    "n": m.persons,
                    "b": m.building_id,
                    "d": m.dest_id,
                    "m": m.travel_s / SECONDS_PER_MINUTE,
                },
            )
        )
    items += [("evacuate_unmet", {"n": n, "b": b}) for b, n in evac_unmet.items()]
    items += [("hospital_unmet", {"n": n, "b": b}) for b, n in cas_unmet.items()]
    items += [("unreachable", {"b": b}) for b in rescue.unreachable]
    for r in rescue.tasks:
        items.append(
            (
                "rescue",
                {
                    "t": _clock(r.start_h * SECONDS_PER_HOUR),
                    "k": r.team + 1,
                    "b": r.building_id,
                    "n": r.trapped,
                    "a": r.expected_alive,
                    "e": _clock(r.end_h * SECONDS_PER_HOUR),
                },
            )
        )
    lines = [tuple(x.format(**{"t": t, **kw}) for x in PLAN_TEXT[key]) for key, kw in items]
    return tuple(en for en, _ in lines), tuple(zh for _, zh in lines)


def beds_reachable_per_1000(state: DrillState, *, within_s: float = BEDS_ACCESS_LIMIT_S) -> float:
    """Population-weighted hospital beds reachable within ``within_s`` per 1000 occupants.

    For each building, the available beds of every hospital it reaches within the limit over
    the open roads; averaged over the buildings' people (occupants, trapped and injured) and
    expressed per 1000 people of the town.
    """
    roads = state.open_roads()
    reach = {
        h.id: nx.single_source_dijkstra_path_length(
            roads, h.node, cutoff=within_s, weight="travel_s"
        )
        for h in state.hospitals
    }
    people = {b.id: b.occupants + b.trapped + b.injured for b in state.buildings}
    total = sum(people.values())
    if total == 0:
        return 0.0
    mean_beds = (
        sum(
            people[b.id] * sum(h.beds_available for h in state.hospitals if b.node in reach[h.id])
            for b in state.buildings
        )
        / total
    )
    return 1000.0 * mean_beds / total


def evacuees_of(buildings: tuple[Building, ...]) -> int:
    """Free occupants of buildings that must be evacuated."""
    return sum(b.occupants for b in buildings if b.must_evacuate)
