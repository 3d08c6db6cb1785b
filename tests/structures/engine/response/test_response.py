"""Shear models, OpenSees time history, generated scripts and the batch cross-check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from structures.engine.response import (
    BuildingModelInput,
    GroundMotion,
    IsolatorParameters,
    modal_analysis,
    model_script,
    run_batch,
    run_time_history,
    shear_model_commands,
    shear_model_from_building,
)
from structures.engine.response.inputs import HAZUS_TYPES
from structures.engine.response.tables import capacity_curve, defined_level

CROSS_CHECK_RTOL = 0.01  # required: batch peak drift within 1 % of OpenSees
SOLVER_AGREEMENT_RTOL = 1e-8  # measured 4.5e-12: same equations, same ||du|| < 1e-10 m test
TYPES = [
    t for t in HAZUS_TYPES if t not in ("S5L", "S5M", "S5H", "C3L", "C3M", "C3H", "URML", "URMM")
]


def make(i: int, rng: np.random.Generator) -> BuildingModelInput:
    n = int(rng.integers(1, 5))
    iso = None
    if i % 10 == 9:
        w = 5e5 * n * 9.81
        iso = IsolatorParameters(w / 0.05 * 10, 0.05 * w, w / 0.05 * 0.15, 5e5)
    return BuildingModelInput(
        f"b{i}",
        TYPES[i % len(TYPES)],
        tuple(rng.uniform(2.8, 4.5, n)),
        tuple(rng.uniform(2e5, 8e5, n)),
        design_level=("HC", "MC", "LC", "PC")[i % 4],
        isolator=iso,
    )


def test_first_period_and_yield_follow_the_hazus_capacity_curve() -> None:
    b = BuildingModelInput("b", "C1L", (3.0, 3.0), (4e5, 4e5), design_level="HC")
    model = shear_model_from_building(b)
    modes = modal_analysis(shear_model_commands(model), 2)
    cap = capacity_curve("C1L", "HC")
    t_hazus = 2 * np.pi * np.sqrt(cap.dy_m / (cap.ay_g * 9.80665))
    height_ratio = 6.0 / (240 * 0.0254)  # Hazus C1L typical roof height 240 in
    assert modes.periods_s[0] == np.float64(modes.periods_s[0])
    assert abs(modes.periods_s[0] / (t_hazus * height_ratio**0.75) - 1) < 1e-9
    # first-mode base shear at yield = alpha1 * Ay * W
    alpha1 = modes.mass_participation[0]
    assert abs(model.fy_n[0] / (alpha1 * cap.ay_g * 9.80665 * 8e5) - 1) < 1e-6


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_every_defined_type_and_level_builds_a_stable_model(seed: int) -> None:
    rng = np.random.default_rng(seed)
    b = make(int(rng.integers(0, 10_000)), rng)
    model = shear_model_from_building(b)
    assert defined_level(b.structural_system, b.design_level or "PC") == b.design_level
    assert np.all(model.k0_n_m > 0) and np.all(model.fy_n > 0)
    assert np.all((model.hardening > 0) & (model.hardening < 1))
    assert model.rayleigh[0] > 0 and model.rayleigh[1] > 0


def test_time_history_outputs(el_centro: GroundMotion) -> None:
    b = BuildingModelInput("b", "C1M", (4.0, 3.0, 3.0, 3.0), (5e5,) * 4, design_level="MC")
    r = run_time_history(shear_model_from_building(b), el_centro.truncated(8.0).padded(2.0))
    assert r.strategy == "Newton" and r.peak_drift_ratio.shape == (4,)
    assert np.all(r.peak_drift_ratio > 1e-4) and np.all(r.peak_floor_acc_m_s2 > 1.0)
    assert np.all(np.abs(r.residual_drift_ratio) < r.peak_drift_ratio)


def test_isolation_layer_reduces_drift(el_centro: GroundMotion) -> None:
    fixed = BuildingModelInput("b", "C2M", (3.0,) * 4, (5e5,) * 4, design_level="HC")
    w = 2e6 * 9.81
    iso = IsolatorParameters(w / 0.05 * 10, 0.05 * w, w / 0.05 * 0.15, 5e5)
    isolated = BuildingModelInput(
        "i", "C2M", (3.0,) * 4, (5e5,) * 4, design_level="HC", isolator=iso
    )
    motion = el_centro.truncated(10.0)
    rf = run_time_history(shear_model_from_building(fixed), motion)
    ri = run_time_history(shear_model_from_building(isolated), motion)
    assert ri.peak_isolator_disp_m is not None and ri.peak_isolator_disp_m > 0.01
    assert ri.peak_drift_ratio.max() < 0.5 * rf.peak_drift_ratio.max()


def test_generated_script_reproduces_the_periods(tmp_path: Path) -> None:
    b = BuildingModelInput("b", "S1M", (4.0, 3.5, 3.5, 3.5, 3.5), (3e5,) * 5, design_level="LC")
    model = shear_model_from_building(b)
    script = tmp_path / "model.py"
    script.write_text(model_script(model))
    run = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    periods = json.loads(next(ln for ln in run.stdout.splitlines() if ln.startswith("[")))
    expected = modal_analysis(shear_model_commands(model), 5).periods_s
    assert np.allclose(periods, expected, rtol=1e-12)


def test_batch_matches_opensees_on_200_buildings_and_motions(records: list[GroundMotion]) -> None:
    """Required acceptance test: peak drift within 1 % of OpenSees on >= 200 pairs.

    The pairs mix 1-4 storeys, 20 isolated buildings and three records (time steps 0.01 and
    0.02 s, scaled 0.5-3x); most yield. Where OpenSees' plain Newton converges the batch solver
    solves the same equations with the same stopping rule, so the agreement is far tighter than
    1 % (``SOLVER_AGREEMENT_RTOL``).
    """
    rng = np.random.default_rng(20240601)
    models = [shear_model_from_building(make(i, rng)) for i in range(200)]
    motions = []
    for k in range(200):
        rec = records[k % len(records)]
        start = int(rng.integers(0, rec.acc_m_s2.size // 3))
        acc = rec.acc_m_s2[start : start + int(10.0 / rec.dt_s) + 1] * rng.uniform(0.5, 3.0)
        motions.append(GroundMotion(rec.dt_s, acc, f"{rec.name}@{start}"))
    pairs = [(k, k) for k in range(200)]
    batch = run_batch(models, motions, pairs)
    assert batch.converged.all()
    worst, yielded = 0.0, 0
    for k in range(200):
        ref = run_time_history(models[k], motions[k])
        assert ref.strategy == "Newton"
        n = ref.peak_drift_ratio.size
        err = np.abs(batch.peak_drift_ratio[k, :n] / ref.peak_drift_ratio - 1).max()
        worst = max(worst, float(err))
        assert np.allclose(batch.peak_floor_acc_m_s2[k, :n], ref.peak_floor_acc_m_s2, rtol=0.01)
        s = int(models[k].isolated)
        deformation = batch.peak_drift_ratio[k, :n] * models[k].heights_m[s:]
        yielded += int(np.any(deformation * models[k].k0_n_m[s:] > models[k].fy_n[s:]))
        if models[k].isolated:
            assert ref.peak_isolator_disp_m == pytest.approx(
                batch.peak_isolator_disp_m[k], rel=0.01
            )
    assert sum(m.isolated for m in models) == 20 and yielded >= 100
    assert worst < CROSS_CHECK_RTOL
    assert worst < SOLVER_AGREEMENT_RTOL
