"""The whole run chain (hazard → buildings → lifelines → recovery → emergency → indicators)
on a small generated town: every registry output, determinism, coupling, missing networks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from scenarios import pipeline, services
from scenarios.engine.indicator_tree import load_tree
from scenarios.models import ScenarioRun
from tests.scenarios.shell.conftest import make_scenario
from twin.models import LifelineNetwork

pytestmark = pytest.mark.django_db
STORED = ("lifelines", "fire", "chemical", "recovery")


@pytest.fixture(autouse=True)
def _without_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF report (tested in test_report.py) is left out: it takes most of a run's time."""
    monkeypatch.setattr(services, "STEPS", [s for s in services.STEPS if s[0] != "report"])


def _run(scenario) -> ScenarioRun:  # type: ignore[no-untyped-def]
    run = services.run_execute(run_id=services.run_start(scenario=scenario, enqueue=False).pk)
    assert run.status == ScenarioRun.Status.SUCCEEDED, run.error + run.log
    return run


def _arrays(run: ScenarioRun, name: str) -> dict[str, np.ndarray]:
    with np.load(pipeline.run_directory(run) / f"{name}.npz") as data:
        return {k: data[k] for k in data.files}


def test_chain_gives_every_registry_output_and_time_stepped_arrays(demo_town: int) -> None:
    run = _run(make_scenario(demo_town))
    for key in load_tree().outputs:
        assert key in run.summary, key
        assert math.isfinite(run.summary[key]), key
    fire = _arrays(run, "fire")
    b = fire["building_id"].size
    assert fire["state"].shape == (3, fire["times_s"].size, b)
    assert _arrays(run, "chemical")["level"].shape == (3, b)
    recovery = _arrays(run, "recovery")
    assert recovery["q_mean"].shape == (len(recovery["names"]), recovery["grid_days"].size)
    plan = json.loads((pipeline.run_directory(run) / "response-plan.json").read_text())
    assert {"text_en", "text_zh", "evacuation", "rescue"} <= set(plan["plan"])
    assert 0.0 <= run.summary["evacuation.unmet_share"] <= 1.0


def test_same_scenario_twice_gives_identical_summary_and_arrays(demo_town: int) -> None:
    first = _run(make_scenario(demo_town))
    second = _run(make_scenario(demo_town))
    assert first.summary == second.summary
    for name in STORED:
        a, b = _arrays(first, name), _arrays(second, name)
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=f"{name}.{key}")
    assert (pipeline.run_directory(first) / "repairs.json").read_text() == (
        pipeline.run_directory(second) / "repairs.json"
    ).read_text()


def test_stronger_earthquake_never_gives_better_access_or_power(demo_town: int) -> None:
    """Coupling across steps: the same seed draws the same uniforms, so a larger magnitude
    damages more buildings (debris on more roads) and more substations, and so hospitals
    lose reach and power; neither can improve."""
    weak = _run(make_scenario(demo_town, magnitude=5.5)).summary
    strong = _run(make_scenario(demo_town, magnitude=7.2)).summary
    assert strong["roads.blocked_links"] > weak["roads.blocked_links"]
    assert (
        strong["power.customers_without_service_day0"]
        >= weak["power.customers_without_service_day0"]
    )
    assert (
        strong["hospital.beds_reachable_30min_per_1000"]
        <= weak["hospital.beds_reachable_30min_per_1000"]
    )
    assert strong["evacuation.evacuees"] > weak["evacuation.evacuees"]


def test_town_without_gas_runs_and_its_gas_indicator_is_not_applicable(demo_town: int) -> None:
    LifelineNetwork.objects.filter(town_id=demo_town, kind="gas").delete()
    run = _run(make_scenario(demo_town))
    assert run.summary["gas.network_present"] == 0.0
    assert run.summary["gas.customers"] == 0.0
    assert run.summary["gas.customers_without_service_day3"] == 0.0
    card = json.loads((pipeline.run_directory(run) / "scorecard.json").read_text())
    leaves = {leaf["node_id"]: leaf for leaf in card["leaves"]}
    assert leaves["gas_outage_day3"]["applicable"] is False
    assert leaves["gas_outage_day3"]["global_weight"] == 0.0
    assert leaves["water_outage_day3"]["weight_path"][-1] == pytest.approx(1.0)
    assert sum(leaf["global_weight"] for leaf in card["leaves"]) == pytest.approx(1.0)
    assert run.summary["fire.gas_ignitions"] == 0.0
    assert "no gas network" in (pipeline.run_directory(run) / "repairs.json").read_text()
