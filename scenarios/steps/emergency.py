"""Emergency step: evacuation to shelters, search and rescue, hospital access, response plan.

Per lifeline realisation, a drill state at t = 0 on the damaged roads (blocked links removed,
slowed links × SLOWDOWN): people at the scenario's time of day; trapped occupants of
collapsed (50 %) and completely damaged (5 %) buildings; injured = the structures step's
Hazus severity 1–3 casualties; buildings that burn or lie in an AEGL-2 plume are threatened
and must evacuate. Hospitals without grid power on day 0 keep their backup-power beds.
The plan of the realisation with the median number of evacuees is stored (response-plan.json).
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import networkx as nx
import numpy as np

from lifelines import selectors
from lifelines.engine.service import SLOWDOWN, link_travel_time_s
from scenarios.engine.drills.plan import ResponsePlan, beds_reachable_per_1000, plan_response
from scenarios.engine.drills.state import Building, DrillState, Hospital, Shelter
from scenarios.engine.errors import DrillError
from scenarios.pipeline import RunContext, StepFailed
from scenarios.steps.lifeline_town import LifelineTown, load_town

TRAPPED_SHARE = {4: 0.05, 5: 0.5}
"""Share of occupants trapped by damage state (complete, collapse): platform assumption after
Coburn & Spence (2002), Earthquake Protection, ch. 9 (doi:10.1002/0470855185)."""
PEOPLE_PER_RESCUE_TEAM = 5000


def emergency_step(ctx: RunContext) -> dict[str, float]:
    """Evacuation unmet share, trapped rescued alive, beds reachable in 30 min, shelter places."""
    town = load_town(ctx)
    life, fire, chem = (ctx.load_arrays(n) for n in ("lifelines", "fire", "chemical"))
    damage = ctx.load_arrays("buildings")
    people = town.population(ctx.scenario.time_of_day)
    nodes = selectors.nearest_road_nodes(town.road, town.arrays.xy_m)
    shelters, hospitals = _facilities(town)
    teams = max(2, math.ceil(float(people.sum()) / PEOPLE_PER_RESCUE_TEAM))
    base = _rescue_base(town)
    results: list[tuple[ResponsePlan, float]] = []
    for r in range(fire["ignition_s"].shape[0]):
        state = _state(town, r, life, fire, chem, damage, people, nodes, shelters, hospitals)
        try:
            plan = plan_response(state, rescue_teams=teams, rescue_base=base)
        except DrillError as exc:
            raise StepFailed(f"emergency: {exc}") from exc
        results.append((plan, beds_reachable_per_1000(state)))
        ctx.progress((r + 1) / fire["ignition_s"].shape[0], f"realisation {r + 1} planned")
    plans = [p for p, _ in results]
    evacuees = [p.evacuees for p in plans]
    chosen = int(np.argsort(evacuees, kind="stable")[(len(evacuees) - 1) // 2])
    ctx.save_json(
        "response-plan",
        {
            "realisation": chosen,
            "rescue_teams": teams,
            "rescue_base": base,
            "plan": asdict(plans[chosen]),
        },
    )
    population = float(town.arrays.population_night.sum())
    return {
        "evacuation.unmet_share": float(np.mean([_unmet(p) for p in plans])),
        "evacuation.evacuees": float(np.mean(evacuees)),
        "rescue.trapped_rescued_alive_share": float(
            np.mean([p.rescue.rescued_alive_share for p in plans])
        ),
        "rescue.trapped": float(np.mean([p.rescue.trapped_total for p in plans])),
        "hospital.beds_reachable_30min_per_1000": float(np.mean([b for _, b in results])),
        "shelter.capacity_per_capita": sum(s.capacity for s in shelters) / population
        if population > 0
        else 0.0,
    }


def _unmet(plan: ResponsePlan) -> float:
    return sum(plan.evacuation_unmet.values()) / plan.evacuees if plan.evacuees else 0.0


def _facilities(town: LifelineTown) -> tuple[list[Shelter], list[tuple[Any, ...]]]:
    out = {}
    for kind in ("shelter", "hospital"):
        sites, xy = town.facility_xy(kind)
        nodes = selectors.nearest_road_nodes(town.road, xy) if len(sites) else []
        out[kind] = [(f, n) for f, n in zip(sites, nodes, strict=True)]
    shelters = [Shelter(f.id, n, int(f.capacity or 0)) for f, n in out["shelter"]]
    return shelters, out["hospital"]


def _rescue_base(town: LifelineTown) -> str:
    for kind in ("fire_station", "command_centre"):
        sites, xy = town.facility_xy(kind)
        if sites:
            return selectors.nearest_road_nodes(town.road, xy[:1])[0]
    return selectors.nearest_road_nodes(town.road, town.arrays.xy_m.mean(axis=0, keepdims=True))[0]


def _roads(town: LifelineTown, blocked: set[str], slowed: set[str]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(sorted(town.road.nodes))
    for u, v, key, data in sorted(town.road.edges(keys=True, data=True), key=lambda e: e[2]):
        if key in blocked:
            continue
        t = max(link_travel_time_s(data), 1.0) * (SLOWDOWN if key in slowed else 1.0)
        if not graph.has_edge(u, v) or graph.edges[u, v]["travel_s"] > t:
            graph.add_edge(u, v, travel_s=t)
    return graph


def _state(town, r, life, fire, chem, damage, people, nodes, shelters, hospitals) -> DrillState:  # type: ignore[no-untyped-def]
    blocked = slowed = set()
    if "road_link_key" in life:
        keys = life["road_link_key"]
        blocked, slowed = (
            set(keys[life["road_blocked_day0"][r]]),
            set(keys[life["road_slowed_day0"][r]]),
        )
    ds = damage["damage_state"][:, r]
    injured_all = np.round(damage["casualties"][:, :3].sum(axis=1)).astype(int)
    threatened = np.isfinite(fire["ignition_s"][r]) | (chem["level"][r] >= 2)
    buildings = []
    for i, bid in enumerate(life["building_id"]):
        present = round(float(people[i]))
        trapped = min(present, round(present * TRAPPED_SHARE.get(int(ds[i]), 0.0)))
        injured = min(present - trapped, int(injured_all[i]))
        buildings.append(
            Building(
                str(bid),
                nodes[i],
                present - trapped - injured,
                trapped,
                injured,
                min(int(ds[i]), 4),
                bool(threatened[i]),
            )
        )
    power = life.get("power_served_day0")
    beds = []
    for f, node in hospitals:
        powered = True
        if power is not None:
            near = int(np.argmin(np.hypot(*(town.arrays.xy_m - (f.x_m, f.y_m)).T)))
            powered = bool(power[r][near])
        beds.append(Hospital(f.id, node, int(f.capacity or 0), powered))
    return DrillState(_roads(town, blocked, slowed), tuple(buildings), tuple(shelters), tuple(beds))
