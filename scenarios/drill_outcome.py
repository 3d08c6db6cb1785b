"""A drill's plans from its start to its clock: the run's drill state, the injects turned into
engine injects, the plan after each, the after-action report, and routes as GeoJSON.

The drill state is the one the emergency step planned on (realisation and rescue resources
from ``response-plan.json``). Aftershocks are simulated here: a point source of the given
magnitude at the main shock's hypocentre, the run's GMPE and site conditions, one
realisation of PGA at the buildings, and the run's fragility functions (damage never lowers;
newly trapped = the emergency step's share of present occupants, newly injured = Hazus
severity 1-3 casualties of the aftershock alone). An ignition threatens the burning building
and the buildings exposed to it in the fire engine's proximity graph (gap <= 15 m).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from pyproj import Transformer

from lifelines import selectors
from lifelines.engine.fire import proximity_graph
from scenarios.engine.drills.plan import Movement, ResponsePlan, plan_response
from scenarios.engine.drills.run import DrillOutcome, DrillStep, after_action_report
from scenarios.engine.drills.state import (
    Aftershock,
    BuildingDamage,
    DrillState,
    HospitalPowerLoss,
    Ignition,
    Inject,
    RoadClosure,
    apply_inject,
)
from scenarios.engine.errors import DrillError
from scenarios.models import Drill, DrillInject, ScenarioRun
from scenarios.pipeline import RunContext, run_directory
from scenarios.steps.emergency import TRAPPED_SHARE, _facilities, _state
from scenarios.steps.hazard import GMPES
from scenarios.steps.lifeline_town import LifelineTown, load_town
from structures import selectors as structure_selectors
from structures.engine.hazard.distances import Sites
from structures.engine.hazard.fields import simulate_fields
from structures.engine.hazard.sources import PointSource
from structures.engine.response import fragility_losses
from structures.engine.response.losses import TIMES_OF_DAY


class InjectNotApplicable(ValueError):
    """An inject names something the run's drill state does not hold."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(slots=True)
class Base:
    """The run's drill state at t = 0 with what is needed to place plans on the map."""

    run: ScenarioRun
    town: LifelineTown
    state: DrillState
    realisation: int
    teams: int
    rescue_base: str
    lonlat: Transformer


def drill_file(drill: Drill) -> Any:
    """Where the drill's plans are stored."""
    folder = run_directory(drill.run) / "drills"
    folder.mkdir(exist_ok=True)
    return folder / f"{drill.pk}.json"


def load(drill: Drill) -> dict[str, Any] | None:
    """The stored outcome of ``drill`` (None before its first computation)."""
    path = drill_file(drill)
    return json.loads(path.read_text()) if path.exists() else None


def base_state(run: ScenarioRun) -> Base:
    """Rebuild the drill state the run's emergency step planned on."""
    ctx = RunContext(run.pk, run.scenario, run_directory(run), lambda f, m: None)
    meta = ctx.load_json("response-plan")
    town = load_town(ctx)
    life, fire, chem = (ctx.load_arrays(n) for n in ("lifelines", "fire", "chemical"))
    damage = ctx.load_arrays("buildings")
    people = town.population(run.scenario.time_of_day)
    nodes = selectors.nearest_road_nodes(town.road, town.arrays.xy_m)
    shelters, hospitals = _facilities(town)
    r = int(meta["realisation"])
    state = _state(town, r, life, fire, chem, damage, people, nodes, shelters, hospitals)
    lonlat = Transformer.from_crs(town.epsg, 4326, always_xy=True)
    return Base(run, town, state, r, int(meta["rescue_teams"]), meta["rescue_base"], lonlat)


def compute(
    drill: Drill, applied: Sequence[DrillInject], pending: Sequence[DrillInject]
) -> dict[str, Any]:
    """Plan the drill from its start through ``applied``; write and return the outcome."""
    base = base_state(drill.run)
    teams = drill.rescue_teams or base.teams
    state = replace(base.state, time_s=drill.start_s)
    steps = [DrillStep(state.time_s, None, _plan(state, teams, base))]
    labels: list[dict[str, Any]] = [{"time_s": state.time_s, "inject": None, "log": "start"}]
    for inject in applied:
        engine = engine_inject(drill, inject, state, base)
        before = len(state.log)
        try:
            if isinstance(engine, RoadClosure) and not state.roads.has_edge(engine.u, engine.v):
                state = replace(
                    state,
                    time_s=engine.time_s,
                    log=(*state.log, f"road {describe(inject)['label']} already impassable"),
                )
            else:
                state = apply_inject(state, engine)
        except DrillError as exc:
            raise InjectNotApplicable(REQUIRED_FIELD[inject.kind], str(exc)) from exc
        steps.append(DrillStep(state.time_s, engine, _plan(state, teams, base)))
        labels.append(
            {"time_s": inject.time_s, "inject": describe(inject), "log": state.log[before]}
        )
    outcome = DrillOutcome(tuple(steps), state)
    result = _serialise(drill, base, outcome, labels, pending)
    drill_file(drill).write_text(json.dumps(result, sort_keys=True, default=_plain))
    return result


REQUIRED_FIELD = {"aftershock": "magnitude", "ignition": "building", "road_closure": "road"}
REQUIRED_FIELD["hospital_power_loss"] = "hospital"


def _plan(state: DrillState, teams: int, base: Base) -> ResponsePlan:
    return plan_response(state, rescue_teams=teams, rescue_base=base.rescue_base)


def engine_inject(drill: Drill, inject: DrillInject, state: DrillState, base: Base) -> Inject:
    """The engine inject of a stored one, at the drill state just before it."""
    t = float(inject.time_s)
    ids = {b.id for b in state.buildings}
    if inject.kind == DrillInject.Kind.ROAD_CLOSURE:
        link = inject.road
        assert link is not None  # the service validated the target
        road = base.town.nets.get("road")
        if road is None or link.pk not in set(road.link_ids.tolist()):
            raise InjectNotApplicable("road", f"road {link.key} is not in the network the run used")
        return RoadClosure(t, link.start.key, link.end.key)
    if inject.kind == DrillInject.Kind.HOSPITAL_POWER_LOSS:
        assert inject.hospital is not None
        return HospitalPowerLoss(t, f"hospital:{inject.hospital.name}")
    if inject.kind == DrillInject.Kind.IGNITION:
        bid = str(inject.building_id)
        if bid not in ids:
            raise InjectNotApplicable(
                "building", f"building {bid} was not part of run {base.run.pk}"
            )
        return Ignition(t, bid, _exposed(base.town, bid))
    return Aftershock(t, aftershock_damage(drill, inject, state, base))


def _exposed(town: LifelineTown, building_id: str) -> tuple[str, ...]:
    ids = [str(i) for i in town.hazard["building_id"]]
    i = ids.index(building_id)
    graph = proximity_graph(town.arrays)
    return tuple(sorted(ids[j] for j in graph.target[graph.indptr[i] : graph.indptr[i + 1]]))


def aftershock_damage(
    drill: Drill, inject: DrillInject, state: DrillState, base: Base
) -> tuple[BuildingDamage, ...]:
    """Damage of an aftershock of ``inject.magnitude`` at the main shock's hypocentre."""
    scenario = base.run.scenario
    hazard = base.town.hazard
    n = len(hazard["building_id"])
    sites = Sites(hazard["lon"][:n], hazard["lat"][:n], hazard["vs30_m_s"][:n])
    source = PointSource(
        lon=scenario.epicentre.x,
        lat=scenario.epicentre.y,
        depth_km=scenario.depth_km,
        magnitude=float(inject.magnitude or 0.0),
        rake=scenario.rake_deg,
        strike=scenario.strike_deg,
        dip=scenario.dip_deg,
    )
    seed = int(np.random.SeedSequence([scenario.seed, drill.pk, inject.pk]).generate_state(1)[0])
    fields = simulate_fields(GMPES[scenario.gmpe](), source, sites, ["PGA"], 1, seed)
    pga = fields.realisations[0, :, 0]
    found = structure_selectors.town_buildings(drill.town)
    inputs = dict(zip(found.ids, found.inputs, strict=True))
    ordered = [inputs[int(i)] for i in hazard["building_id"]]
    losses = fragility_losses(ordered, pga[:, None], seed=seed)
    when = TIMES_OF_DAY.index(scenario.time_of_day)
    now = {b.id: b for b in state.buildings}
    out = []
    for k, bid in enumerate(str(i) for i in hazard["building_id"]):
        ds = int(losses.damage_state[k, 0])
        b = now[bid]
        if min(ds, 4) <= b.damage_state:
            continue
        trapped = round(b.occupants * TRAPPED_SHARE.get(ds, 0.0))
        injured = round(float(losses.casualties[k, when, :3].sum()))
        out.append(BuildingDamage(bid, min(ds, 4), trapped, injured))
    return tuple(out)


def describe(inject: DrillInject) -> dict[str, Any]:
    """An inject as the API shows it."""
    target: dict[str, Any] = {"magnitude": inject.magnitude}
    if inject.building is not None:
        target = {"building": inject.building_id, "label": str(inject.building)}
    elif inject.road is not None:
        target = {"road": inject.road_id, "label": inject.road.key}
    elif inject.hospital is not None:
        target = {"hospital": inject.hospital_id, "label": inject.hospital.name}
    return {"id": inject.pk, "kind": inject.kind, "time_s": inject.time_s, **target}


def _serialise(
    drill: Drill,
    base: Base,
    outcome: DrillOutcome,
    labels: list[dict[str, Any]],
    pending: Sequence[DrillInject],
) -> dict[str, Any]:
    first, last = outcome.initial_plan, outcome.final_plan
    aar = after_action_report(outcome)
    timeline = [
        {
            **label,
            "evacuees": step.plan.evacuees,
            "evacuees_without_place": sum(step.plan.evacuation_unmet.values()),
            "shelter_loads": dict(step.plan.shelter_loads),
            "hospital_loads": dict(step.plan.hospital_loads),
        }
        for label, step in zip(labels, outcome.steps, strict=True)
    ]
    summary = {
        "clock_s": drill.clock_s,
        "applied": len(labels) - 1,
        "pending": len(pending),
        "evacuees": last.evacuees,
        "evacuees_without_place": sum(last.evacuation_unmet.values()),
        "shelter_loads": dict(last.shelter_loads),
    }
    return {
        "drill": drill.pk,
        "run": drill.run_id,
        "status": drill.status,
        "start_s": drill.start_s,
        "clock_s": drill.clock_s,
        "realisation": base.realisation,
        "rescue_teams": drill.rescue_teams or base.teams,
        "timeline": timeline,
        "pending": [describe(i) for i in pending],
        "initial_plan": asdict(first),
        "plan": asdict(last),
        "after_action": {
            "items": [{**asdict(i), "delta": i.delta} for i in aar.items],
            "reassigned_buildings": list(aar.reassigned_buildings),
            "log": list(aar.log),
        },
        "routes": routes_geojson(base, last),
        "initial_routes": routes_geojson(base, first),
        "facilities": facilities_geojson(base, outcome.final_state, last, first),
        "summary": summary,
    }


def routes_geojson(base: Base, plan: ResponsePlan) -> dict[str, Any]:
    """Evacuation and casualty movements as lines: building → roads → shelter or hospital."""
    links = _links_between(base.town)
    sites = {f.id: (f.x_m, f.y_m) for f in base.town.facilities}
    centroid = dict(
        zip(map(str, base.town.hazard["building_id"]), base.town.arrays.xy_m, strict=True)
    )
    features = []
    for m in (*plan.evacuation, *plan.casualties):
        xy, roads = _route_xy(base.town, links, m)
        xy = [tuple(centroid[m.building_id]), *xy, sites[m.dest_id]]
        lon, lat = base.lonlat.transform(*np.asarray(xy, dtype=float).T)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        [round(a, 7), round(b, 7)] for a, b in zip(lon, lat, strict=True)
                    ],
                },
                "properties": {
                    "kind": m.kind,
                    "building": m.building_id,
                    "destination": m.dest_id,
                    "persons": m.persons,
                    "travel_min": round(m.travel_s / 60.0, 2),
                    "roads": roads,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _links_between(town: LifelineTown) -> dict[frozenset[str], list[tuple[Any, int]]]:
    road = town.nets.get("road")
    out: dict[frozenset[str], list[tuple[Any, int]]] = {}
    if road is None:
        return out
    for link, pk in zip(road.record.links, road.link_ids.tolist(), strict=True):
        out.setdefault(frozenset((link.start, link.end)), []).append((link, pk))
    return out


def _route_xy(
    town: LifelineTown, links: dict[frozenset[str], list[tuple[Any, int]]], m: Movement
) -> tuple[list[tuple[float, float]], list[int]]:
    nodes = town.road.nodes
    xy: list[tuple[float, float]] = [(nodes[m.path[0]]["x"], nodes[m.path[0]]["y"])]
    roads: list[int] = []
    for u, v in zip(m.path, m.path[1:], strict=False):
        found = sorted(
            links.get(frozenset((str(u), str(v))), []), key=lambda lp: (lp[0].length_m, lp[1])
        )
        if found:
            link, pk = found[0]
            coords = list(link.coords) if link.start == u else list(reversed(link.coords))
            xy += [tuple(c) for c in coords[1:]]
            roads.append(pk)
        else:
            xy.append((nodes[v]["x"], nodes[v]["y"]))
    return xy, roads


def facilities_geojson(
    base: Base, state: DrillState, plan: ResponsePlan, initial: ResponsePlan
) -> dict[str, Any]:
    """Shelters and hospitals as points with capacity, load now and load in the initial plan."""
    beds = {h.id: h.beds_available for h in state.hospitals}
    features = []
    for f in base.town.facilities:
        if f.kind not in {"shelter", "hospital"}:
            continue
        lon, lat = base.lonlat.transform(f.x_m, f.y_m)
        loads, first = (
            (plan.shelter_loads, initial.shelter_loads)
            if f.kind == "shelter"
            else (plan.hospital_loads, initial.hospital_loads)
        )
        props = {
            "id": f.id,
            "kind": f.kind,
            "name": f.name,
            "capacity": int(f.capacity or 0),
            "load": int(loads.get(f.id, 0)),
            "initial_load": int(first.get(f.id, 0)),
        }
        if f.id in beds:
            props["beds_available"] = beds[f.id]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, frozenset | set | tuple):
        return sorted(value, key=str)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
