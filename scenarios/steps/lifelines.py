"""Lifelines step: network damage and service, fire following earthquake, chemical releases.

Pipe repair rates use every realisation; networks, hydraulics, the fire cascade and
chemicals use the first ``min(R, LIFELINE_REALISATIONS)`` (the hazard and building damage of
those realisations). Day 3 is the state after the repairs a median-duration schedule of the
system's crews (scenarios.steps.repairs) finishes in three days. See docs/scenarios/run-chain.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from lifelines import selectors
from lifelines.engine.errors import LifelineError
from lifelines.engine.fire import Wind, proximity_graph
from scenarios.engine.recovery import RepairTask, schedule_repairs
from scenarios.pipeline import RunContext, StepFailed
from scenarios.steps.lifeline_fire import chemical_realisation, fire_realisation
from scenarios.steps.lifeline_service import (
    ServiceState,
    customer_nodes,
    damaged_components,
    road_weights,
    service_state,
)
from scenarios.steps.lifeline_town import (
    LIFELINE_REALISATIONS,
    LifelineTown,
    load_town,
    sample_damage,
)
from scenarios.steps.repairs import attributed_tasks, crew_pools

DAY3 = 3.0
PRIORITY_KINDS = ("hospital", "shelter")
CRITICAL_KINDS = ("hospital", "shelter", "fire_station", "command_centre")


def lifelines_step(ctx: RunContext) -> dict[str, float]:
    """Damage, service on day 0 and day 3, fire and chemical releases of every realisation."""
    town = load_town(ctx)
    try:
        return _run(ctx, town)
    except LifelineError as exc:
        raise StepFailed(f"lifelines: {exc}") from exc


def _run(ctx: RunContext, town: LifelineTown) -> dict[str, float]:
    base = ctx.seed_for("lifelines")
    n_real = min(town.realisations, LIFELINE_REALISATIONS)
    damages = [sample_damage(town, r, base) for r in range(town.realisations)]
    ctx.progress(0.1, f"network damage sampled ({town.realisations} realisations)")
    customers = {
        k: customer_nodes(town, k)
        for k in ("water", "gas", "power")
        if k in town.nets and (k != "water" or town.wn is not None)
    }
    crews = crew_pools(
        {k: town.nets[k].link_length_km() for k in ("water", "gas") if k in town.nets},
        town.nets["power"].graph.number_of_nodes() if "power" in town.nets else 0,
        town.nets["road"].link_length_km("road") + town.nets["road"].link_length_km("bridge")
        if "road" in town.nets
        else 0.0,
        len(town.states),
    )
    stations = selectors.fire_stations(town.facilities, town.road)
    proximity = proximity_graph(town.arrays)
    wind = Wind(ctx.scenario.wind_speed_m_s, ctx.scenario.wind_from_deg)
    night = ctx.scenario.time_of_day == "2AM"
    rows: list[dict[str, Any]] = []
    for r in range(n_real):
        rows.append(
            _realisation(
                ctx, town, r, damages[r], customers, crews, stations, proximity, wind, night, base
            )
        )
        ctx.progress(0.1 + 0.85 * (r + 1) / n_real, f"realisation {r + 1} of {n_real}")
    _save(ctx, town, rows, damages, crews)
    return _outputs(ctx, town, rows, damages, stations)


def _realisation(ctx, town, r, damage, customers, crews, stations, proximity, wind, night, base):  # type: ignore[no-untyped-def]
    day0 = service_state(town, damage, customers, r)
    tasks = _tasks(town, damage, day0)
    schedule = schedule_repairs(tasks, {k: v for k, v in crews.items() if k != "buildings"})
    unrepaired = {s.task_id for s in schedule if s.end_days > DAY3}
    day3 = service_state(town, damage, customers, r, unrepaired=unrepaired)
    fire = fire_realisation(town, r, damage, day0, proximity, stations, wind, base, night)
    chem = chemical_realisation(town, r, wind, ctx.scenario.time_of_day, base)
    return {"day0": day0, "day3": day3, "tasks": tasks, "fire": fire, "chemical": chem}


def _tasks(town: LifelineTown, damage: Any, state: ServiceState) -> list[RepairTask]:
    items = damaged_components(town, damage, state)
    residents = town.arrays.population_night
    xy = town.arrays.xy_m
    tasks: list[RepairTask] = []
    for system in ("water", "gas", "power"):
        if system not in items or system not in state.served:
            continue
        lost = ~state.served[system]
        weight = residents[lost] if system == "water" else np.ones(int(lost.sum()))
        tasks += attributed_tasks(
            system, items[system], xy[lost], weight, _priority_points(town, state, system)
        )
    weights = road_weights(town, items["roads"], state)
    stations = (
        {n for n in selectors.nearest_road_nodes(town.road, _points(town, "hospital"))}
        if len(_points(town, "hospital"))
        else set()
    )
    links = {k.key: k for k in town.nets["road"].record.links} if "road" in town.nets else {}
    for d in items["roads"]:
        link = links[d.key]
        serves = "hospital" if {link.start, link.end} & stations else "other"
        tasks.append(RepairTask(f"roads:{d.key}", "roads", d.work_days, weights[d.key], serves))
    return tasks


def _points(town: LifelineTown, kind: str) -> NDArray[np.float64]:
    return town.facility_xy(kind)[1]


def _priority_points(
    town: LifelineTown, state: ServiceState, system: str
) -> dict[str, NDArray[np.float64]]:
    out = {}
    for kind in PRIORITY_KINDS:
        points = _points(town, kind)
        if len(points):
            served = facility_served(town, state, points)[system]
            out[kind] = points[~served]
    return out


def facility_served(
    town: LifelineTown, state: ServiceState, points: NDArray[np.float64]
) -> dict[str, NDArray[np.bool_]]:
    """Service of each facility point, read at its nearest building."""
    from scipy.spatial import cKDTree

    _, index = cKDTree(town.arrays.xy_m).query(points.reshape(-1, 2))
    return {k: v[np.atleast_1d(index)] for k, v in state.served.items()}


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else 0.0


def _outputs(ctx, town, rows, damages, stations) -> dict[str, float]:  # type: ignore[no-untyped-def]
    residents = town.arrays.population_night
    people = town.population(ctx.scenario.time_of_day)
    n_buildings = float(len(town.states))
    out: dict[str, float] = {}
    km = town.nets["water"].link_length_km() if "water" in town.nets else 0.0
    repairs = [
        float((d.pipes["water"].leaks + d.pipes["water"].breaks).sum())
        for d in damages
        if "water" in d.pipes
    ]
    out["water.pipe_repairs_per_km"] = _mean(repairs) / km if km > 0 else 0.0
    for system in ("water", "gas", "power"):
        present = any(system in row["day0"].served for row in rows)
        out[f"{system}.network_present"] = 1.0 if present else 0.0
        day0 = [
            float(w @ ~row["day0"].served[system]) if present else 0.0
            for row in rows
            for w in [residents if system == "water" else np.ones(len(residents))]
        ]
        day3 = [
            float(w @ ~row["day3"].served[system]) if present else 0.0
            for row in rows
            for w in [residents if system == "water" else np.ones(len(residents))]
        ]
        if system == "water":
            out["water.population_without_service_day0"] = _mean(day0)
            out["water.population_without_service_day3"] = _mean(day3)
        else:
            # Without the network there are no customers; the tree's applies_if on
            # network_present marks the indicator not applicable rather than dividing by 0.
            out[f"{system}.customers"] = n_buildings if present else 0.0
            out[f"{system}.customers_without_service_day0"] = _mean(day0)
            out[f"{system}.customers_without_service_day3"] = _mean(day3)
    fires = [row["fire"] for row in rows]
    burnt = [np.isfinite(f.ignition_s) for f in fires]
    out["fire.burnt_area_m2"] = _mean([float(town.arrays.floor_area_m2[b].sum()) for b in burnt])
    out["fire.buildings_burnt"] = _mean([float(b.sum()) for b in burnt])
    out["fire.ignitions"] = _mean([float(f.earthquake_ignitions + f.gas_ignitions) for f in fires])
    out["fire.gas_ignitions"] = _mean([float(f.gas_ignitions) for f in fires])
    out["gas.explosion_fire_deaths"] = _mean([f.gas_fatalities for f in fires])
    out["fire.stations"] = float(len(stations))
    chems = [row["chemical"] for row in rows]
    out["chemical.people_exposed"] = _mean([float(people[c.level >= 2].sum()) for c in chems])
    out["chemical.buildings_evacuated"] = _mean([float((c.level >= 2).sum()) for c in chems])
    out["chemical.releases"] = _mean([float(len(c.releasing_sites)) for c in chems])
    out["roads.blocked_links"] = _mean([float(len(row["day0"].blocked)) for row in rows])
    out["lifelines.realisations"] = float(len(rows))
    return out


def _save(ctx, town, rows, damages, crews) -> None:  # type: ignore[no-untyped-def]
    from scenarios.steps.lifeline_store import save_results

    save_results(ctx, town, rows, damages, crews, facility_served)
