"""Run lifecycle: success, determinism, failure, kill and resume, cancellation.

The chain is cut to the hazard and buildings steps plus a test step, so these tests exercise
the run machinery on real engines without the whole chain.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from scenarios import services
from scenarios.models import Scenario, ScenarioRun
from scenarios.pipeline import RunContext, StepFailed, run_directory
from scenarios.steps.buildings import buildings_step
from scenarios.steps.hazard import hazard_step
from twin.models import Facility

pytestmark = pytest.mark.django_db


def tally(ctx: RunContext) -> dict[str, float]:
    return {"tally.buildings": float(ctx.load_arrays("buildings")["building_id"].size)}


@pytest.fixture(autouse=True)
def short_chain(monkeypatch: pytest.MonkeyPatch) -> list:  # type: ignore[type-arg]
    steps = [("hazard", hazard_step), ("buildings", buildings_step), ("tally", tally)]
    monkeypatch.setattr(services, "STEPS", steps)
    return steps


def execute(scenario: Scenario) -> ScenarioRun:
    run = services.run_start(scenario=scenario, enqueue=False)
    return services.run_execute(run_id=run.pk)


def test_a_run_succeeds_and_records_what_it_did(scenario: Scenario) -> None:
    run = execute(scenario)
    assert run.status == "succeeded" and run.progress == 1.0, run.error
    assert run.summary["tally.buildings"] == 2.0
    assert 0.0 < run.summary["hazard.median_pga_g_mean"] < 2.0
    assert set(run.timings) == {"hazard", "buildings", "tally"}
    assert run.versions["openseespy"] and len(run.input_digest) == 64
    assert "hazard: started" in run.log


def test_the_same_run_twice_is_byte_identical(scenario: Scenario) -> None:
    first, second = execute(scenario), execute(scenario)
    assert first.summary == second.summary
    for name in ["hazard.npz", "buildings.npz"]:
        assert (run_directory(first) / name).read_bytes() == (
            run_directory(second) / name
        ).read_bytes()


def test_facilities_are_hazard_sites_of_their_own(scenario: Scenario) -> None:
    """A chemical tank 40 km east of the town gets the motion at its own site (weaker than at
    any building, which are 10 km from the epicentre), not that of its nearest building."""
    far = Facility.objects.create(
        town=scenario.town,
        kind="hazchem_site",
        name="far tank farm",
        location=Point(103.6 + 40 / 95.3, 31.0, srid=4326),  # ~40 km east at 31° N
        substance="chlorine",
        inventory_kg=1000.0,
    )
    run = execute(scenario)
    with np.load(run_directory(run) / "hazard.npz") as h:
        assert h["facility_id"].tolist() == [far.pk]
        assert h["facility_pga_g"].shape == (8, 1)
        facility = np.median(h["facility_pga_g"][:, 0])
        buildings = np.median(h["building_pga_g"], axis=0)
        assert h["lon"].size == h["vs30_m_s"].size == buildings.size + 1  # no networks here
    assert facility < 0.5 * buildings.min()


def test_a_failed_step_marks_the_run_failed_and_keeps_earlier_results(
    scenario: Scenario,
    short_chain: list,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[type-arg]
) -> None:
    def broken(ctx: RunContext) -> dict[str, float]:
        raise StepFailed("the water network has no source")

    monkeypatch.setattr(services, "STEPS", [*short_chain[:2], ("water", broken)])
    run = execute(scenario)
    assert run.status == "failed" and run.error == "water: the water network has no source"
    assert (run_directory(run) / "buildings.npz").exists()


def test_a_killed_worker_leaves_a_run_that_resumes_to_the_same_result(
    scenario: Scenario,
    short_chain: list,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[type-arg]
) -> None:
    reference = execute(scenario)
    calls = {"n": 0}

    def dies_once(ctx: RunContext) -> dict[str, float]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt("worker killed")  # like SIGKILL: nothing is written
        return tally(ctx)

    monkeypatch.setattr(services, "STEPS", [*short_chain[:2], ("tally", dies_once)])
    run = services.run_start(scenario=scenario, enqueue=False)
    with pytest.raises(KeyboardInterrupt):
        services.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "running" and run.step == "tally"
    hazard_file = (run_directory(run) / "hazard.npz").stat().st_mtime_ns
    ScenarioRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert services.runs_resume_orphaned(enqueue=False) == [run.pk]
    resumed = services.run_execute(run_id=run.pk)
    assert resumed.status == "succeeded" and resumed.summary == reference.summary
    assert (run_directory(run) / "hazard.npz").stat().st_mtime_ns == hazard_file  # not redone
    assert "resumed" in resumed.log


def test_cancelling_stops_at_the_next_step(
    scenario: Scenario,
    short_chain: list,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[type-arg]
) -> None:
    def cancel_me(ctx: RunContext) -> dict[str, float]:
        services.run_cancel(run=ScenarioRun.objects.get(pk=ctx.run_id))
        return {}

    monkeypatch.setattr(services, "STEPS", [("cancel", cancel_me), *short_chain])
    run = execute(scenario)
    assert run.status == "cancelled" and not (run_directory(run) / "hazard.npz").exists()


def test_a_queued_run_cancels_at_once(scenario: Scenario) -> None:
    run = services.run_start(scenario=scenario, enqueue=False)
    services.run_cancel(run=run)
    run.refresh_from_db()
    assert run.status == "cancelled" and services.run_execute(run_id=run.pk).status == "cancelled"


def test_the_input_digest_ignores_how_numbers_were_typed(scenario: Scenario) -> None:
    scenario.strike_deg = 229  # an int on the fresh object, 229.0 once read back
    scenario.save()
    fresh = services.scenario_digest(scenario)
    assert services.scenario_digest(Scenario.objects.get(pk=scenario.pk)) == fresh
    scenario.magnitude = 6.6
    assert services.scenario_digest(scenario) != fresh
