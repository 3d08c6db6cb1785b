"""Fire following earthquake (with the power–water–road cascade) and chemical releases of
one realisation.

* Ignitions: the Hazus/Scawthorn regression on each building's PGA and floor area, plus gas
  leaks (each repair of a gas pipe is a leak at its sampled position; pressure 4 bar for
  high-pressure lines, 0.4 bar otherwise; hole of √3 % of the bore for a leak, the full bore
  for a break) ignited by :func:`lifelines.engine.gas.gas_leak_events`.
* Spread and suppression: :func:`lifelines.engine.interdependency.run_cascade` on the damaged
  water model (broken pumps and tanks closed), the power network (out-of-service
  substations), the road graph without blocked links, engines from the fire stations.
  A town without water fights fires with ``NO_HYDRANT_WATER_FRACTION`` (tankers only).
* Chemicals: every ``hazchem_site`` gets a damage state from the anchored on-ground steel
  tank fragility (Hazus PW.ST.G.S.A) at the PGA of its own site; damaged sites
  release (:mod:`lifelines.engine.chemical`) under the scenario's wind with a
  Pasquill–Gifford class from the time of day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lifelines import selectors
from lifelines.engine.buildings import BuildingArrays, building_arrays
from lifelines.engine.chemical import ChemicalSite, pasquill_class, plume_exposure
from lifelines.engine.damage import sample_component_damage
from lifelines.engine.errors import ChemicalReleaseError
from lifelines.engine.fire import ProximityGraph, Wind, sample_ignitions
from lifelines.engine.fire_spread import Suppression, simulate_fire
from lifelines.engine.gas import GasLeak, gas_ignited_buildings, gas_leak_events
from lifelines.engine.interdependency import (
    CascadeInputs,
    FireStation,
    engine_travel_s,
    run_cascade,
)
from lifelines.engine.water import LEAK_AREA_FRACTION
from scenarios.steps.lifeline_service import ServiceState
from scenarios.steps.lifeline_town import Damage, LifelineTown, seed

HORIZON_S = 6 * 3600.0
STEP_S = 1200.0
"""Cascade step (s): power, pumps, water and access are recomputed every 20 min."""
NO_HYDRANT_WATER_FRACTION = 0.3
HIGH_PRESSURE_PA, MEDIUM_PRESSURE_PA = 4.0e5, 0.4e5
INSOLATION = {"2PM": "moderate", "5PM": "slight", "2AM": "night_clear"}


@dataclass(frozen=True, slots=True)
class FireResult:
    """One fire realisation: per building ignition and end times (s, inf = never), and the
    cascade's per-step state."""

    ignition_s: NDArray[np.float64]
    end_s: NDArray[np.float64]
    step_times_s: NDArray[np.float64]
    power_served: NDArray[np.float64]
    water_served: NDArray[np.float64]
    hydrant_water: NDArray[np.float64]
    burning: NDArray[np.int64]
    burnt: NDArray[np.int64]
    earthquake_ignitions: int
    gas_ignitions: int
    gas_fatalities: float


def fire_realisation(
    town: LifelineTown,
    r: int,
    damage: Damage,
    state: ServiceState,
    proximity: ProximityGraph,
    stations: tuple[FireStation, ...],
    wind: Wind,
    base_seed: int,
    night: bool,
) -> FireResult:
    """Ignitions, gas-leak ignitions and the coupled cascade of realisation ``r``."""
    arrays = building_arrays(town.states_at(r))
    pga = town.hazard["building_pga_g"][r]
    ignitions = sample_ignitions(arrays.floor_area_m2, pga, seed=seed(base_seed, r, "ignitions"))
    gas_at, gas_deaths = _gas_ignitions(town, damage, arrays, base_seed, r, night)
    fire_seed = seed(base_seed, r, "fire")
    if town.wn is None:
        return _fire_without_water(
            town, arrays, proximity, stations, state, ignitions, gas_at, wind, fire_seed, gas_deaths
        )
    broken = sorted(damage.out.get("water", frozenset()))
    pumps = set(town.wn.pump_name_list)
    closed = [k for k in broken if k in pumps] + [
        name
        for name, link in town.wn.links()
        if any(t in (link.start_node_name, link.end_node_name) for t in broken if t not in pumps)
    ]
    power = town.nets.get("power")
    inputs = CascadeInputs(
        buildings=arrays,
        proximity=proximity,
        wn=selectors.disable_links(town.wn, closed),
        road=town.road,
        stations=stations,
        power=power.graph if power else None,
        pump_substation=selectors.pump_power_nodes(power, town.wn) or None,
        pipe_damage=damage.pipes.get("water"),
        failed_power_nodes=tuple(sorted(damage.out.get("power", frozenset()))),
        blocked_roads=state.blocked,
        slowed_roads=state.slowed,
    )
    result = run_cascade(
        inputs,
        ignitions.tolist(),
        wind=wind,
        seed=fire_seed,
        horizon_s=HORIZON_S,
        step_s=STEP_S,
        gas_ignitions=gas_at,
    )
    s = result.steps
    return FireResult(
        result.fire.ignition_s,
        result.fire.end_s,
        np.array([x.time_s for x in s]),
        np.array([x.power_served_fraction for x in s]),
        np.array([x.water_demand_served for x in s]),
        np.array([x.mean_hydrant_water_fraction for x in s]),
        np.array([x.burning for x in s]),
        np.array([x.burnt for x in s]),
        int(ignitions.size),
        len(gas_at),
        gas_deaths,
    )


def _fire_without_water(  # type: ignore[no-untyped-def]
    town, arrays, proximity, stations, state, ignitions, gas_at, wind, fire_seed, gas_deaths
) -> FireResult:
    inputs = CascadeInputs(
        arrays,
        proximity,
        None,
        town.road,
        stations,
        blocked_roads=state.blocked,
        slowed_roads=state.slowed,
    )
    travel = engine_travel_s(inputs)
    water = np.full(len(arrays.ids), NO_HYDRANT_WATER_FRACTION)
    origins = ignitions.tolist() + [i for i, _ in gas_at]
    times = [0.0] * ignitions.size + [t for _, t in gas_at]
    fire = simulate_fire(
        proximity,
        arrays,
        origins,
        wind=wind,
        seed=fire_seed,
        horizon_s=HORIZON_S,
        step_s=STEP_S,
        suppression=Suppression(travel, water),
        ignition_times_s=times,
    )
    grid = np.arange(0.0, HORIZON_S + STEP_S / 2, STEP_S)
    burning = np.array([int(np.sum((fire.ignition_s <= t) & (fire.end_s > t))) for t in grid])
    burnt = np.array([int(np.sum(fire.end_s <= t)) for t in grid])
    ones = np.ones(grid.size)
    return FireResult(
        fire.ignition_s,
        fire.end_s,
        grid,
        ones,
        ones * 0.0,
        ones * NO_HYDRANT_WATER_FRACTION,
        burning,
        burnt,
        int(ignitions.size),
        len(gas_at),
        gas_deaths,
    )


def _gas_ignitions(
    town: LifelineTown, damage: Damage, arrays: BuildingArrays, base_seed: int, r: int, night: bool
) -> tuple[list[tuple[int, float]], float]:
    pipes = damage.pipes.get("gas")
    if pipes is None or pipes.repair_pipe.size == 0:
        return [], 0.0
    links = {k.key: k for k in town.nets["gas"].record.links}
    leaks = []
    for n, (p, f, is_break) in enumerate(
        zip(pipes.repair_pipe, pipes.repair_fraction, pipes.repair_is_break, strict=True)
    ):
        link = links[pipes.keys[p]]
        x, y = _along(link.coords, float(f))
        high = str(link.attributes.get("pressure_class", "")) == "high"
        bore = float(link.diameter_m or 0.1)
        hole = bore if is_break else bore * math.sqrt(LEAK_AREA_FRACTION)
        leaks.append(
            GasLeak(f"{link.key}#{n}", x, y, HIGH_PRESSURE_PA if high else MEDIUM_PRESSURE_PA, hole)
        )
    events = gas_leak_events(leaks, arrays, seed=seed(base_seed, r, "gas_events"))
    index, times = gas_ignited_buildings(events, seed=seed(base_seed, r, "gas_ignitions"))
    deaths = sum(e.fatalities_night if night else e.fatalities_day for e in events)
    first: dict[int, float] = {}
    for i, t in zip(index, times, strict=True):
        first[i] = min(t, first.get(i, math.inf))
    return sorted(first.items()), float(deaths)


def _along(coords: Any, fraction: float) -> tuple[float, float]:
    xy = np.asarray(coords, dtype=np.float64)
    seg = np.hypot(*np.diff(xy, axis=0).T)
    if seg.sum() <= 0:
        return float(xy[0, 0]), float(xy[0, 1])
    target = fraction * seg.sum()
    k = int(min(np.searchsorted(np.cumsum(seg), target), len(seg) - 1))
    before = float(np.cumsum(seg)[k] - seg[k])
    t = (target - before) / seg[k] if seg[k] > 0 else 0.0
    p = xy[k] + t * (xy[k + 1] - xy[k])
    return float(p[0]), float(p[1])


@dataclass(frozen=True, slots=True)
class ChemicalResult:
    """Worst threat level (0..3), highest ppm and earliest plume arrival (s) per building."""

    level: NDArray[np.int64]
    ppm: NDArray[np.float64]
    arrival_s: NDArray[np.float64]
    releasing_sites: tuple[str, ...]
    problems: tuple[str, ...]


def chemical_realisation(
    town: LifelineTown, r: int, wind: Wind, time_of_day: str, base_seed: int
) -> ChemicalResult:
    """Releases of damaged chemical sites and the exposure of every building."""
    n = len(town.states)
    level, ppm, arrival = np.zeros(n, np.int64), np.zeros(n), np.full(n, np.inf)
    sites = [f for f in town.facilities if f.kind == "hazchem_site"]
    if not sites:
        return ChemicalResult(level, ppm, arrival, (), ())
    pga = town.hazard["facility_pga_g"][r, town.column("facility", np.array([s.pk for s in sites]))]
    states = sample_component_damage(
        ["tank"] * len(sites), pga, seed=seed(base_seed, r, "chemical")
    )
    stability = pasquill_class(wind.speed_m_s, INSOLATION.get(time_of_day, "moderate"))
    releasing, problems = [], []
    for site, ds in zip(sites, states, strict=True):
        if ds < 2:
            continue
        chem = ChemicalSite(site.id, site.x_m, site.y_m, site.substance, site.inventory_kg, int(ds))
        try:
            exposure = plume_exposure(
                chem,
                town.arrays,
                wind_m_s=wind.speed_m_s,
                wind_from_deg=wind.from_deg,
                stability=stability,
            )
        except ChemicalReleaseError as exc:
            problems.append(str(exc))
            continue
        releasing.append(site.id)
        level = np.maximum(level, exposure.level)
        ppm = np.maximum(ppm, exposure.ppm)
        arrival = np.minimum(arrival, exposure.arrival_s)
    return ChemicalResult(level, ppm, arrival, tuple(releasing), tuple(problems))
