"""Published modal and closed-form dynamic cases via the project's builders (VERIFICATION.md)."""

from __future__ import annotations

import numpy as np
import pytest

from structures.engine.response import (
    GroundMotion,
    elastic_chain_model,
    frame_commands,
    matrix_model_commands,
    modal_analysis,
    regular_frame,
    run_time_history,
    shear_model_commands,
)

SMALL_EIGEN_TOL = 1e-6  # OpenSees SmallEigen.tcl
BATHE_WILSON_TOL = (9.99e-6, 9.99e-6, 9.99e-5)  # OpenSees EigenFrame.tcl, vs SAP2000
SDOF_RTOL = 1e-3


def test_small_eigen_3dof_spring_chain_section_2() -> None:
    k = np.array([[50.0, -20, 0], [-20, 30, -10], [0, -10, 10]])
    m = np.array([11.1, 22.2, 33.3])
    expected = [0.139300647653736, 1.05865310768512, 4.9582024008173]
    generic = modal_analysis(matrix_model_commands(k, m), 3).eigenvalues
    chain = modal_analysis(
        shear_model_commands(elastic_chain_model("se", np.array([30.0, 20, 10]), m)), 3
    )
    assert np.all(np.abs(generic - expected) < SMALL_EIGEN_TOL)
    assert np.all(np.abs(chain.eigenvalues - expected) < SMALL_EIGEN_TOL)


def test_bathe_wilson_frame_section_3() -> None:
    frame = regular_frame(
        10, 9, 20.0, 10.0, area=3.0, modulus=432000.0, inertia=1.0, mass_per_length=3.0
    )
    lam = modal_analysis(frame_commands(frame), 3, full_solver=False).eigenvalues
    sap2000 = [0.589541, 5.52696, 16.5879]
    for got, ref, tol in zip(lam, sap2000, BATHE_WILSON_TOL, strict=True):
        assert abs(got - ref) < tol


def test_chopra_example_10_4_section_5() -> None:
    modes = modal_analysis(
        shear_model_commands(elastic_chain_model("ch", np.array([2.0, 1.0]), np.array([2.0, 1.0]))),
        2,
    )
    assert np.allclose(np.sqrt(modes.eigenvalues), [np.sqrt(0.5), np.sqrt(2.0)], rtol=1e-12)
    shapes = modes.shapes[1:] / modes.shapes[-1]  # row 0 is the fixed base node
    assert np.allclose(shapes[:, 0], [0.5, 1.0], atol=1e-12)
    assert np.allclose(shapes[:, 1], [-1.0, 1.0], atol=1e-12)


def test_undamped_sdof_harmonic_response_closed_form() -> None:
    """u(t) of m u'' + k u = -m a0 sin(W t) from rest (Chopra eq. 3.1.3); peak over 4 s."""
    k, m, w_load, a0 = 400.0, 1.0, 7.0, 1.0
    wn = np.sqrt(k / m)
    dt = 1e-4
    t = np.arange(0.0, 4.0 + dt / 2, dt)
    motion = GroundMotion(dt, a0 * np.sin(w_load * t), "sine")
    model = elastic_chain_model("sdof", np.array([k]), np.array([m]), damping_ratio=1e-12)
    r = run_time_history(model, motion)
    ust = -m * a0 / k
    u = ust / (1 - (w_load / wn) ** 2) * (np.sin(w_load * t) - w_load / wn * np.sin(wn * t))
    assert r.peak_drift_ratio[0] == pytest.approx(np.abs(u).max(), rel=SDOF_RTOL)
