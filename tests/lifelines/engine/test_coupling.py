"""Coupling demonstrated by tests: water → fire, roads → fire, power → pumps → water."""

from __future__ import annotations

import numpy as np

from lifelines.engine.damage import PipeDamage
from lifelines.engine.fire import Wind
from lifelines.engine.interdependency import run_cascade
from lifelines.engine.water import water_service
from tests.lifelines.engine.town import cascade_inputs, water_model

HORIZON_S = 3 * 3600.0


def broken(pipe: str) -> PipeDamage:
    return PipeDamage(
        keys=(pipe,),
        repair_rate_per_km=np.ones(1),
        expected_repairs=np.ones(1),
        leaks=np.zeros(1, np.int64),
        breaks=np.ones(1, np.int64),
        repair_pipe=np.zeros(1, np.int64),
        repair_fraction=np.full(1, 0.5),
        repair_is_break=np.ones(1, bool),
        unknown_material=(),
    )


def test_breaking_the_main_increases_burnt_area() -> None:
    intact = run_cascade(cascade_inputs(), [0], wind=Wind(), seed=7, horizon_s=HORIZON_S)
    dry = run_cascade(
        cascade_inputs(pipe_damage=broken("M1")), [0], wind=Wind(), seed=7, horizon_s=HORIZON_S
    )
    assert dry.steps[0].mean_hydrant_water_fraction < 0.2
    assert intact.steps[0].mean_hydrant_water_fraction > 0.2
    assert dry.fire.burnt.size > intact.fire.burnt.size


def test_blocking_the_only_road_delays_suppression() -> None:
    open_road = run_cascade(cascade_inputs(), [0], wind=Wind(), seed=7, horizon_s=HORIZON_S)
    blocked = run_cascade(
        cascade_inputs(blocked_roads=("R1",)), [0], wind=Wind(), seed=7, horizon_s=HORIZON_S
    )
    assert np.isfinite(open_road.fire.engine_arrival_s[0])
    assert blocked.fire.engine_arrival_s[0] > open_road.fire.engine_arrival_s[0]
    assert blocked.fire.burnt.size > open_road.fire.burnt.size


def test_slowed_road_delays_arrival_but_still_arrives() -> None:
    open_road = run_cascade(cascade_inputs(), [0], wind=Wind(), seed=7, horizon_s=1200.0)
    slowed = run_cascade(
        cascade_inputs(slowed_roads=("R1",)), [0], wind=Wind(), seed=7, horizon_s=1200.0
    )
    assert np.isfinite(slowed.fire.engine_arrival_s[0])
    assert slowed.fire.engine_arrival_s[0] > open_road.fire.engine_arrival_s[0]


def test_substation_loss_stops_the_pump_and_lowers_served_demand() -> None:
    result = run_cascade(
        cascade_inputs(failed_power_nodes=("SS",)), [], wind=Wind(), seed=1, horizon_s=600.0
    )
    assert result.steps[0].pumps_off == ("P1",)
    assert result.steps[0].water_demand_served < 0.01
    powered = water_service(water_model())
    assert powered.demand_served_fraction > 0.99


def test_backup_power_keeps_the_pump_running_until_it_runs_out() -> None:
    result = run_cascade(
        cascade_inputs(failed_power_nodes=("SS",), pump_backup_s={"P1": 900.0}),
        [],
        wind=Wind(),
        seed=1,
        horizon_s=1200.0,
    )
    assert [s.pumps_off for s in result.steps] == [(), (), ("P1",)]


def test_fire_burns_power_nodes_near_burning_buildings() -> None:
    inputs = cascade_inputs()
    power = inputs.power
    assert power is not None
    x, y = inputs.buildings.xy_m[0]
    power.add_node("T1", x=float(x) + 2.0, y=float(y), component_type="bus", attributes={})
    power.add_edge("SS", "T1", key="L3", component_type="line", length_m=1.0, attributes={})
    result = run_cascade(inputs, [0], wind=Wind(), seed=1, horizon_s=1200.0)
    assert "T1" in result.steps[-1].failed_power_nodes


def test_cascade_steps_are_time_stamped_and_reproducible() -> None:
    first = run_cascade(
        cascade_inputs(pipe_damage=broken("M1")),
        [0, 55],
        wind=Wind(6, 270),
        seed=3,
        horizon_s=HORIZON_S,
    )
    again = run_cascade(
        cascade_inputs(pipe_damage=broken("M1")),
        [0, 55],
        wind=Wind(6, 270),
        seed=3,
        horizon_s=HORIZON_S,
    )
    assert [s.time_s for s in first.steps] == [600.0 * k for k in range(len(first.steps))]
    assert np.array_equal(first.fire.ignition_s, again.fire.ignition_s)
