"""Time-stepped cascade across lifelines and fire (interdependencies both ways).

At each cascade step ``t_k`` (``step_s`` apart):

1. **power → pumps**: power service from working sources; a pump whose substation is not
   served stops (after its backup time, pump attribute ``backup_s``);
2. **pumps + pipe damage → water**: pressure-driven service (WNTR/EPANET, topological
   fallback); **water → fire**: hydrant water fraction ``min(p / FIRE_FLOW_PRESSURE_M, 1)``
   at the junction nearest each building (served fraction under the fallback);
3. **building collapse → road debris → roads → engines**: travel times from the fire stations
   over the road graph without blocked links (slowed links × SLOWDOWN);
4. **gas leaks → ignitions** enter the fire run at their time; **fire** advances to
   ``t_{k+1}`` with the current water and access;
5. **fire → networks and buildings**: power nodes within ``fire_damage_radius_m`` of a
   burning building fail from the next step; burnt buildings are losses.

Every step is recorded (:class:`CascadeStep`) so a dashboard can animate the chain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from lifelines.engine.buildings import BuildingArrays
from lifelines.engine.damage import PipeDamage
from lifelines.engine.errors import NetworkModelError, ProgressFn, report
from lifelines.engine.fire import ProximityGraph, Wind
from lifelines.engine.fire_spread import FireRun, FireSpread, Suppression
from lifelines.engine.service import nearest_nodes, power_service, travel_times
from lifelines.engine.water import WaterService, water_service

FIRE_FLOW_PRESSURE_M = 14.0
"""Residual hydrant pressure for full fire flow (20 psi ≈ 14 m, NFPA 291 / AWWA M31)."""
FIRE_DAMAGE_RADIUS_M = 10.0
"""Power nodes closer than this to a burning building fail (poles, transformers)."""


@dataclass(frozen=True, slots=True)
class FireStation:
    """A fire station at road node ``road_node`` with ``engines`` engines."""

    id: str
    road_node: str
    engines: int = 2


@dataclass(frozen=True, slots=True)
class CascadeStep:
    """Lifeline and fire state at ``time_s``."""

    time_s: float
    power_served_fraction: float
    pumps_off: tuple[str, ...]
    water_demand_served: float
    water_method: str
    mean_hydrant_water_fraction: float
    burning: int
    burnt: int
    failed_power_nodes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CascadeResult:
    """All steps of the cascade plus the fire realisation and the last water service."""

    steps: tuple[CascadeStep, ...]
    fire: FireSpread
    water: WaterService | None


@dataclass(frozen=True, slots=True)
class CascadeInputs:
    """Networks, damage and resources of one realisation (all in one metric CRS).

    ``pump_substation`` maps WNTR pump names to power-node keys (``pump_backup_s``: hours of
    backup power per pump, in s); ``wn`` is the WNTR model
    whose node coordinates are metric; ``blocked_roads`` / ``slowed_roads`` come from
    :func:`lifelines.engine.debris.road_blockage` and bridge damage.
    """

    buildings: BuildingArrays
    proximity: ProximityGraph
    wn: Any
    road: nx.MultiGraph
    stations: tuple[FireStation, ...]
    power: nx.MultiGraph | None = None
    pump_substation: Mapping[str, str] | None = None
    pipe_damage: PipeDamage | None = None
    failed_power_nodes: tuple[str, ...] = ()
    blocked_roads: tuple[str, ...] = ()
    slowed_roads: tuple[str, ...] = ()
    pump_backup_s: Mapping[str, float] | None = None


def hydrant_water_fraction(
    wn: Any, service: WaterService, xy_m: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Share of fire flow available at the junction nearest each point (0..1)."""
    coords = np.array([wn.get_node(j).coordinates for j in service.junctions], dtype=np.float64)
    _, index = cKDTree(coords).query(xy_m)
    if service.method == "pdd":
        value = np.clip(service.pressure_m / FIRE_FLOW_PRESSURE_M, 0.0, 1.0)
    else:
        value = service.served_fraction
    return np.asarray(value[index], dtype=np.float64)


def engine_travel_s(inputs: CascadeInputs) -> NDArray[np.float64]:
    """Travel time (s) of every engine (rows, station order) to every building (columns)."""
    if not inputs.stations:
        return np.zeros((0, len(inputs.buildings.ids)))
    times = travel_times(
        inputs.road,
        [s.road_node for s in inputs.stations],
        blocked=inputs.blocked_roads,
        slowed=inputs.slowed_roads,
    )
    column = {n: i for i, n in enumerate(times.nodes)}
    nearest = nearest_nodes(inputs.road, inputs.buildings.xy_m)
    per_station = times.time_s[:, [column[n] for n in nearest]]
    return np.repeat(per_station, [s.engines for s in inputs.stations], axis=0)


def _pumps_off(inputs: CascadeInputs, served: set[str], time_s: float) -> tuple[str, ...]:
    if inputs.pump_substation is None:
        return ()
    off = []
    for pump, node in inputs.pump_substation.items():
        backup = (inputs.pump_backup_s or {}).get(pump, 0.0)
        if node not in served and time_s >= backup:
            off.append(pump)
    return tuple(sorted(off))


def _power(inputs: CascadeInputs, failed: set[str]) -> tuple[float, set[str]]:
    if inputs.power is None:
        return 1.0, set()
    service = power_service(inputs.power, failed_nodes=sorted(failed))
    served = {n for n, ok in zip(service.nodes, service.served, strict=True) if ok}
    return service.demand_served_fraction, served


def run_cascade(
    inputs: CascadeInputs,
    ignitions: Sequence[int],
    *,
    wind: Wind,
    seed: int,
    horizon_s: float = 6 * 3600.0,
    step_s: float = 600.0,
    gas_ignitions: Sequence[tuple[int, float]] = (),
    fire_damage_radius_m: float = FIRE_DAMAGE_RADIUS_M,
    progress: ProgressFn | None = None,
) -> CascadeResult:
    """Run the coupled power–water–road–fire cascade in steps of ``step_s`` (s).

    Parameters
    ----------
    inputs : CascadeInputs
    ignitions : earthquake ignitions (building indices) at t = 0.
    wind : Wind
    seed : int
        Seed of the fire realisation.
    gas_ignitions : (building index, time s) pairs from :mod:`lifelines.engine.gas`.

    Raises
    ------
    NetworkModelError
        A pump or station that names nothing in the networks.
    """
    _check(inputs)
    travel = engine_travel_s(inputs)
    run = FireRun(inputs.proximity, inputs.buildings, ignitions, wind=wind, seed=seed)
    for index, time in gas_ignitions:
        run.ignite([index], time)
    failed: set[str] = set(inputs.failed_power_nodes)
    steps: list[CascadeStep] = []
    water: WaterService | None = None
    power_xy = _power_xy(inputs.power)
    edges = np.arange(0.0, horizon_s + step_s / 2, step_s)
    for k, t in enumerate(edges):
        until = t + step_s if k + 1 < edges.size else t
        step, water = _step(inputs, run, travel, failed, float(t), until)
        burning = _burning(run, until)
        failed |= _burnt_nodes(power_xy, inputs.buildings.xy_m[burning], fire_damage_radius_m)
        steps.append(step)
        report(progress, "cascade", (k + 1) / edges.size)
    return CascadeResult(tuple(steps), run.result(horizon_s, 60.0), water)


def _step(
    inputs: CascadeInputs,
    run: FireRun,
    travel: NDArray[np.float64],
    failed: set[str],
    t: float,
    until: float,
) -> tuple[CascadeStep, WaterService]:
    """One cascade step: power → pumps → water → hydrants → fire up to ``until``."""
    fraction, served = _power(inputs, failed)
    pumps = _pumps_off(inputs, served, t)
    water = water_service(inputs.wn, inputs.pipe_damage, pumps_off=pumps, time_s=int(t))
    hydrant = hydrant_water_fraction(inputs.wn, water, inputs.buildings.xy_m)
    run.advance(until, Suppression(travel, hydrant))
    step = CascadeStep(
        t,
        fraction,
        pumps,
        water.demand_served_fraction,
        water.method,
        float(hydrant.mean()),
        int(_burning(run, until).size),
        int(np.sum(np.array(run.end) <= until)),
        tuple(sorted(failed)),
    )
    return step, water


def _check(inputs: CascadeInputs) -> None:
    missing = [s.road_node for s in inputs.stations if s.road_node not in inputs.road]
    if missing:
        raise NetworkModelError(f"fire station road node {missing[0]} is not in the road network")
    pumps = set(inputs.wn.pump_name_list)
    for pump, node in (inputs.pump_substation or {}).items():
        if pump not in pumps or inputs.power is None or node not in inputs.power:
            raise NetworkModelError(f"pump {pump} → power node {node}: one of them does not exist")


def _burning(run: FireRun, t: float) -> NDArray[np.int64]:
    ign, end = np.array(run.ignited), np.array(run.end)
    return np.flatnonzero((ign <= t) & (end > t)).astype(np.int64)


def _power_xy(power: nx.MultiGraph | None) -> tuple[list[str], NDArray[np.float64]]:
    if power is None:
        return [], np.zeros((0, 2))
    names = list(power.nodes)
    return names, np.array([(power.nodes[n]["x"], power.nodes[n]["y"]) for n in names])


def _burnt_nodes(
    power_xy: tuple[list[str], NDArray[np.float64]], fires: NDArray[np.float64], radius_m: float
) -> set[str]:
    names, xy = power_xy
    if not names or fires.size == 0:
        return set()
    hits = cKDTree(fires).query_ball_point(xy, radius_m)
    return {names[i] for i, h in enumerate(hits) if h}
