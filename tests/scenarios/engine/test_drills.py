"""Drills: injects change the plan; evacuation, rescue and hospital allocation behave."""

from __future__ import annotations

import networkx as nx
import pytest

from scenarios.engine.drills.flow import allocate
from scenarios.engine.drills.plan import beds_reachable_per_1000, plan_response
from scenarios.engine.drills.rescue import survival_curve
from scenarios.engine.drills.run import Drill, after_action_report, run_drill
from scenarios.engine.drills.state import (
    Aftershock,
    Building,
    BuildingDamage,
    DrillState,
    Hospital,
    HospitalPowerLoss,
    Ignition,
    RoadClosure,
    Shelter,
)
from scenarios.engine.errors import DrillError


def town() -> DrillState:
    """b1 -- x -- s1 (4 min) and b1 -- y -- z -- s2 (9 min); hospital on z and on x."""
    g = nx.Graph()
    g.add_edge("b1", "x", travel_s=120.0)
    g.add_edge("x", "s1", travel_s=120.0)
    g.add_edge("b1", "y", travel_s=180.0)
    g.add_edge("y", "z", travel_s=180.0)
    g.add_edge("z", "s2", travel_s=180.0)
    g.add_edge("b2", "y", travel_s=60.0)
    buildings = (
        Building("B1", "b1", occupants=80, trapped=3, injured=5, damage_state=4),
        Building("B2", "b2", occupants=40, damage_state=1),
    )
    return DrillState(
        g,
        buildings,
        (Shelter("S1", "s1", 100), Shelter("S2", "s2", 100)),
        (Hospital("H1", "x", 10), Hospital("H2", "z", 50)),
    )


def test_road_closure_on_route_to_shelter_reroutes_evacuation() -> None:
    drill = Drill(town(), (RoadClosure(600.0, "x", "s1"),), rescue_teams=1, rescue_base="y")
    out = run_drill(drill)
    assert out.initial_plan.shelter_of("B1") == {"S1": 80}
    assert out.final_plan.shelter_of("B1") == {"S2": 80}
    final = next(m for m in out.final_plan.evacuation if m.building_id == "B1")
    assert final.path == ("b1", "y", "z", "s2")
    assert final.travel_s == pytest.approx(540.0)
    aar = after_action_report(out)
    assert aar.reassigned_buildings == ("B1",)
    items = {i.topic: i for i in aar.items}
    assert items["shelter:S1"].delta == -80 and items["shelter:S2"].delta == 80
    assert items["evacuation_mean_travel_min"].delta == pytest.approx(5.0)


def test_capacity_shortfall_spills_to_next_shelter_and_reports_unmet() -> None:
    state = town()
    small = DrillState(
        state.roads,
        state.buildings,
        (Shelter("S1", "s1", 50), Shelter("S2", "s2", 20)),
        state.hospitals,
    )
    plan = plan_response(small, rescue_teams=1, rescue_base="y")
    assert plan.shelter_of("B1") == {"S1": 50, "S2": 20}
    assert plan.evacuation_unmet == {"B1": 10}
    assert any("No reachable shelter place for 10" in line for line in plan.text_en)
    assert any("10人无可达避难位置" in line for line in plan.text_zh)


def test_isolated_building_is_unmet_and_unreachable_for_rescue() -> None:
    state = town()
    drill = Drill(state, (RoadClosure(60.0, "b1", "x"), RoadClosure(60.0, "b1", "y")), 2, "y")
    final = run_drill(drill).final_plan
    assert final.evacuation_unmet == {"B1": 80}
    assert final.rescue.unreachable == ("B1",)


def test_aftershock_and_ignition_add_evacuees_and_trapped() -> None:
    injects = (
        Aftershock(900.0, (BuildingDamage("B2", 4, trapped=4, injured=2),)),
        Ignition(1200.0, "B2"),
    )
    out = run_drill(Drill(town(), injects, rescue_teams=2, rescue_base="y"))
    assert out.initial_plan.evacuees == 80
    assert out.final_plan.evacuees == 80 + 34
    assert out.final_plan.rescue.trapped_total == 7
    assert len(out.final_state.log) == 2


def test_hospital_power_loss_moves_casualties_to_other_hospital() -> None:
    base = plan_response(town(), rescue_teams=1, rescue_base="y")
    state = run_drill(Drill(town(), (HospitalPowerLoss(60.0, "H1"),), 1, "y")).final_state
    after = plan_response(state, rescue_teams=1, rescue_base="y")
    assert base.hospital_loads["H1"] == sum(m.persons for m in base.casualties if m.dest_id == "H1")
    assert after.hospital_loads["H1"] <= 3  # backup power: 30 % of 10 beds
    assert after.hospital_loads["H1"] + after.hospital_loads["H2"] == sum(
        m.persons for m in after.casualties
    )


def test_beds_reachable_falls_when_power_is_lost() -> None:
    state = town()
    before = beds_reachable_per_1000(state, within_s=400.0)
    after = beds_reachable_per_1000(
        run_drill(Drill(state, (HospitalPowerLoss(0.0, "H1"),), 1, "y")).final_state, within_s=400.0
    )
    assert after < before


def test_rescue_priority_prefers_more_trapped_and_survival_falls() -> None:
    g = nx.path_graph(["a", "base", "c"])
    nx.set_edge_attributes(g, 60.0, "travel_s")
    bs = (
        Building("few", "a", 0, trapped=1, damage_state=3),
        Building("many", "c", 0, trapped=6, damage_state=3),
    )
    plan = plan_response(DrillState(g, bs, (), ()), rescue_teams=1, rescue_base="base")
    assert [t.building_id for t in plan.rescue.tasks] == ["many", "few"]
    curve = survival_curve()
    assert (
        curve(1.0) == 0.81 and curve(30.0) == 0.34 and curve(100.0) == 0.07 and curve(1000.0) == 0.0
    )


def test_bad_injects_raise_drill_error_naming_the_item() -> None:
    with pytest.raises(DrillError, match="no road between"):
        run_drill(Drill(town(), (RoadClosure(1.0, "b1", "s2"),), 1, "y"))
    with pytest.raises(DrillError, match="unknown building 'B9'"):
        run_drill(Drill(town(), (Ignition(1.0, "B9"),), 1, "y"))
    with pytest.raises(DrillError, match="unknown hospital"):
        run_drill(Drill(town(), (HospitalPowerLoss(1.0, "H9"),), 1, "y"))


def test_allocation_respects_road_capacity() -> None:
    g = nx.Graph()
    g.add_edge("o", "s", travel_s=10.0, capacity=5)
    g.add_edge("o", "m", travel_s=10.0)
    g.add_edge("m", "s", travel_s=10.0)
    alloc = allocate(g, {"o": 8}, {"S": ("s", 100)})
    by_len = sorted((len(r.path), r.persons) for r in alloc.routes)
    assert by_len == [(2, 5), (3, 3)]
    assert alloc.person_seconds == pytest.approx(5 * 10 + 3 * 20)
