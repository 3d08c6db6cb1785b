"""Drill services on a real run: injects change the evacuation plan; editing rules; bad input."""

from __future__ import annotations

import math

import pytest

from scenarios import drill_outcome
from scenarios.drills import (
    DrillConflict,
    DrillInputError,
    drill_advance,
    drill_create,
    drill_run,
    inject_add,
    inject_delete,
    inject_update,
)
from scenarios.models import Drill, ScenarioRun
from twin.models import Facility, NetworkLink

pytestmark = pytest.mark.django_db


def _road(run: ScenarioRun, key: str) -> NetworkLink:
    return NetworkLink.objects.get(network__town=run.town, key=key)


def _outcome(drill: Drill) -> dict:
    stored = drill_outcome.load(drill)
    assert stored is not None
    return stored


def test_road_closure_on_the_only_route_to_s1_moves_evacuees_to_s2_then_unmet(
    run_pk: int,
) -> None:
    run = ScenarioRun.objects.get(pk=run_pk)
    building = run.town.buildings.order_by("id")[1]
    drill = drill_create(run=run, name="closure")
    inject_add(drill=drill, kind="ignition", time_s=600.0, building=building.pk)
    inject_add(drill=drill, kind="road_closure", time_s=1200.0, road=_road(run, "hub-x1").pk)

    drill_advance(drill=drill, until_s=900.0)
    fire = _outcome(drill)["plan"]
    evacuees = fire["evacuation"]
    assert evacuees and {m["dest_id"] for m in evacuees} == {"shelter:S1"}
    assert all(m["path"] == ["hub", "x1", "s1"] for m in evacuees)
    persons = sum(m["persons"] for m in evacuees)

    drill_advance(drill=drill, until_s=1500.0)
    after = _outcome(drill)
    moved = after["plan"]["evacuation"]
    assert {m["dest_id"] for m in moved} == {"shelter:S2"}
    assert sum(m["persons"] for m in moved) == persons
    assert all(m["path"] == ["hub", "w1", "w2", "s2"] for m in moved)
    assert after["plan"]["shelter_loads"] == {"shelter:S1": 0, "shelter:S2": persons}
    assert any("S2" in line for line in after["plan"]["text_en"])
    assert any("避难场所shelter:S2" in line for line in after["plan"]["text_zh"])
    routes = after["routes"]["features"]
    assert {
        f["properties"]["destination"] for f in routes if f["properties"]["kind"] == "evacuate"
    } == {"shelter:S2"}
    west = [_road(run, k).pk for k in ("hub-w1", "w1-w2", "w2-s2")]
    assert all(
        f["properties"]["roads"] == west for f in routes if f["properties"]["kind"] == "evacuate"
    )

    # during the drill: close the western route too, effective now -> nobody has a place
    inject_add(drill=drill, kind="road_closure", time_s=1500.0, road=_road(run, "hub-w1").pk)
    stranded = _outcome(drill)["plan"]
    assert stranded["evacuation"] == []
    assert sum(stranded["evacuation_unmet"].values()) == persons
    assert any("No reachable shelter place" in line for line in stranded["text_en"])

    drill_run(drill=drill)
    report = _outcome(drill)["after_action"]
    items = {i["topic"]: i for i in report["items"]}
    assert items["evacuees"]["planned"] == 0 and items["evacuees"]["outcome"] == persons
    assert items["evacuees_without_place"]["delta"] == persons
    assert report["reassigned_buildings"] == []  # unmet people are not "reassigned" ones
    assert [line.split(",")[0] for line in report["log"]][-3:] == [
        f"ignition in {building.pk}",
        "road hub-x1 closed",
        "road hub-w1 closed",
    ]
    timeline = _outcome(drill)["timeline"]
    assert [t["inject"]["kind"] if t["inject"] else None for t in timeline] == [
        None,
        "ignition",
        "road_closure",
        "road_closure",
    ]


def test_injects_are_editable_before_and_during_the_drill(run_pk: int) -> None:
    run = ScenarioRun.objects.get(pk=run_pk)
    hospital = Facility.objects.get(town=run.town, kind="hospital")
    drill = drill_create(run=run, start_s=300.0)
    early = inject_add(drill=drill, kind="hospital_power_loss", time_s=400.0, hospital=hospital.pk)
    late = inject_add(drill=drill, kind="aftershock", time_s=5000.0, magnitude=4.5)
    inject_update(inject=early, time_s=350.0)  # before the start: anything may change
    assert _outcome(drill)["timeline"][-1]["inject"] is None  # a planned drill shows its start
    assert len(_outcome(drill)["pending"]) == 2

    drill_advance(drill=drill, until_s=1000.0)
    beds = {
        f["properties"]["id"]: f["properties"] for f in _outcome(drill)["facilities"]["features"]
    }
    assert beds["hospital:H1"]["beds_available"] == 30  # backup power: 30 % of 100 beds
    with pytest.raises(DrillConflict, match="happened"):
        inject_update(inject=early, time_s=2000.0)
    with pytest.raises(DrillConflict):
        inject_delete(inject=early)
    inject_update(inject=late, magnitude=5.0, time_s=4000.0)  # still ahead of the clock
    with pytest.raises(DrillInputError, match="before the drill's current time"):
        inject_update(inject=late, time_s=999.0)  # cannot move into the past
    inject_delete(inject=late)
    assert _outcome(drill)["pending"] == []
    aftershock = inject_add(drill=drill, kind="aftershock", time_s=1000.0, magnitude=5.5)
    stored = _outcome(drill)
    assert stored["timeline"][-1]["inject"]["id"] == aftershock.pk
    assert stored["timeline"][-1]["log"].startswith("aftershock damages")

    drill_run(drill=drill)
    with pytest.raises(DrillConflict, match="finished"):
        inject_add(drill=drill, kind="aftershock", time_s=2000.0, magnitude=4.0)
    with pytest.raises(DrillConflict, match="finished"):
        drill_advance(drill=drill, until_s=3000.0)


@pytest.mark.parametrize(
    ("kind", "time_s", "target", "field", "message"),
    [
        ("aftershock", 100.0, {"magnitude": 4.0}, "time_s", "before the drill's start"),
        ("aftershock", math.nan, {"magnitude": 4.0}, "time_s", "seconds"),
        ("aftershock", 9e9, {"magnitude": 4.0}, "time_s", "7-day"),
        ("aftershock", 600.0, {"magnitude": 7.9}, "magnitude", "between 3.0 and the main"),
        ("aftershock", 600.0, {"magnitude": 2.0}, "magnitude", "between 3.0"),
        ("aftershock", 600.0, {}, "magnitude", "needs a magnitude"),
        ("road_closure", 600.0, {"road": 999_999}, "road", "no road 999999"),
        ("ignition", 600.0, {"building": 999_999}, "building", "no building 999999"),
        ("hospital_power_loss", 600.0, {"hospital": 999_999}, "hospital", "no hospital"),
        ("flood", 600.0, {}, "kind", "unknown inject kind"),
    ],
)
def test_bad_injects_are_rejected_with_a_message(
    run_pk: int, kind: str, time_s: float, target: dict, field: str, message: str
) -> None:
    drill = drill_create(run=ScenarioRun.objects.get(pk=run_pk), start_s=300.0)
    with pytest.raises(DrillInputError, match=message) as info:
        inject_add(drill=drill, kind=kind, time_s=time_s, **target)
    assert info.value.field == field
    assert drill.injects.count() == 0


def test_a_shelter_is_not_a_hospital_and_a_failed_run_cannot_drill(run_pk: int) -> None:
    run = ScenarioRun.objects.get(pk=run_pk)
    drill = drill_create(run=run)
    shelter = Facility.objects.get(town=run.town, name="S1")
    with pytest.raises(DrillInputError, match="no hospital"):
        inject_add(drill=drill, kind="hospital_power_loss", time_s=10.0, hospital=shelter.pk)
    water = NetworkLink.objects.filter(network__town=run.town).exclude(network__kind="road")
    assert not water.exists()  # the town has roads only; a foreign pk is just unknown
    failed = ScenarioRun.objects.create(scenario=run.scenario, status=ScenarioRun.Status.FAILED)
    with pytest.raises(DrillInputError, match="succeeded run"):
        drill_create(run=failed)
    with pytest.raises(DrillInputError, match="before"):
        drill_create(run=run, start_s=-5.0)
