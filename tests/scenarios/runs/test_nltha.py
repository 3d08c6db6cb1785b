"""The NLTHA branch of the buildings step on a real (tiny) town.

Chunks run in this process (``TWIN_DASK_SCHEDULER=inprocess``); the Dask fan-out itself is tested
in tests/structures/test_execution*.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scenarios import services
from scenarios.models import Scenario, ScenarioRun
from scenarios.pipeline import run_directory
from scenarios.steps.buildings import buildings_step
from scenarios.steps.hazard import hazard_step
from scenarios.steps.nltha import N_NLTHA, script_name
from structures import selectors as structure_selectors
from structures.engine.response import AnalysisFailed, shear_model_from_building
from structures.engine.response import chunk as chunk_module

pytestmark = pytest.mark.django_db
BUILDING_ARRAYS = {
    "building_id",
    "damage_state",
    "repair_cost_ratio",
    "repair_time_d",
    "casualties",
    "stars",
    "mean_damage_state",
    "collapse_probability",
}


@pytest.fixture(autouse=True)
def short_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "STEPS", [("hazard", hazard_step), ("buildings", buildings_step)])
    monkeypatch.setenv("TWIN_DASK_SCHEDULER", "inprocess")


def execute(scenario: Scenario, analysis: str) -> ScenarioRun:
    scenario.analysis = analysis
    scenario.save()
    run = services.run_start(scenario=scenario, enqueue=False)
    run = services.run_execute(run_id=run.pk)
    assert run.status == "succeeded", run.error
    return run


def arrays(run: ScenarioRun, name: str) -> dict[str, np.ndarray]:
    with np.load(run_directory(run) / f"{name}.npz") as data:
        return {k: data[k] for k in data.files}


def test_nltha_gives_the_fragility_outputs_and_keeps_its_later_realisations(
    scenario: Scenario,
) -> None:
    fragility, nltha = execute(scenario, "fragility"), execute(scenario, "nltha")
    assert set(nltha.summary) == set(fragility.summary)
    frag, th = arrays(fragility, "buildings"), arrays(nltha, "buildings")
    assert set(th) == set(frag) == BUILDING_ARRAYS
    assert all(th[k].shape == frag[k].shape for k in th)
    n = N_NLTHA  # the scenario has 8 realisations: 5 analysed, 3 from fragility
    assert np.array_equal(th["damage_state"][:, n:], frag["damage_state"][:, n:])
    drifts = arrays(nltha, "nltha")
    assert drifts["peak_drift_ratio"].shape == (2, n, 5) and drifts["analysed"].all()
    assert np.all(np.isfinite(drifts["peak_drift_ratio"][1]))  # the 5-storey building
    assert np.all((drifts["scale_factor"] >= 0.25) & (drifts["scale_factor"] <= 4.0))
    assert json.loads((run_directory(nltha) / "nltha-failures.json").read_text()) == {}
    assert len(list((run_directory(nltha) / "models").glob("*.py"))) == 2


def test_a_kept_model_script_reruns_outside_and_reproduces_the_stored_drift(
    scenario: Scenario, tmp_path: Path
) -> None:
    run = execute(scenario, "nltha")
    town = structure_selectors.town_buildings(scenario.town)
    b = 1
    script = run_directory(run) / "models" / script_name(town.inputs[b].id)
    out = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "analyze returned 0" in out.stdout
    deformation = np.array([float(x) for x in out.stdout.strip().splitlines()[-1].split()])
    heights = shear_model_from_building(town.inputs[b]).heights_m
    stored = arrays(run, "nltha")["peak_drift_ratio"][b, 0, : heights.size]
    np.testing.assert_allclose(deformation / heights, stored, rtol=1e-9)


def test_a_failing_analysis_is_recorded_and_falls_back_to_fragility(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    fragility = execute(scenario, "fragility")
    town = structure_selectors.town_buildings(scenario.town)
    victim = town.inputs[0].id
    real = chunk_module.run_time_history

    def diverges(model, motion, **kwargs):  # type: ignore[no-untyped-def]
        if model.id == victim:
            raise AnalysisFailed("no convergence after Newton dt/2, Newton dt/16", 3.2)
        return real(model, motion, **kwargs)

    monkeypatch.setattr(chunk_module, "run_time_history", diverges)
    nltha = execute(scenario, "nltha")
    failures = json.loads((run_directory(nltha) / "nltha-failures.json").read_text())
    assert list(failures) == [victim] and "no convergence" in failures[victim]
    frag, th = arrays(fragility, "buildings"), arrays(nltha, "buildings")
    assert np.array_equal(th["damage_state"][0], frag["damage_state"][0])
    assert not arrays(nltha, "nltha")["analysed"][0]


def test_without_a_record_library_the_stochastic_generator_drives_the_run(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWIN_RECORDS_DIR", "none")
    first = execute(scenario, "nltha")
    drifts = arrays(first, "nltha")
    assert set(drifts["motion_source"].ravel()) == {"stochastic"}
    assert drifts["analysed"].all()
    second = execute(scenario, "nltha")
    assert first.summary == second.summary
    for name in ("buildings.npz", "nltha.npz"):
        assert (run_directory(first) / name).read_bytes() == (
            run_directory(second) / name
        ).read_bytes()
