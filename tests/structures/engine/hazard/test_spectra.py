"""Response spectra vs closed-form and lsim SDOF solutions; Chopra's El Centro values; scaling."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal

from structures.engine.hazard.records import G_M_S2, make_record, read_record
from structures.engine.hazard.selection import select_records
from structures.engine.hazard.spectra import (
    integrate,
    response_spectrum,
    scale_to_pga,
    scale_to_sa,
    scaled,
    sdof_displacement_peaks,
)
from tests.external import EXTERNAL, needs_external

#: Nigam–Jennings and lsim (first-order hold) are both exact for piecewise-linear input.
LSIM_RTOL = 1e-6
#: Closed-form sine response vs piecewise-linear sampling at T/200 (error ~ (π/200)²).
CLOSED_FORM_RTOL = 1e-3
#: Chopra's printed values have 3 significant digits.
CHOPRA_RTOL = 5e-3
#: A cubic fitted to a sine-plus-ramp displacement leaks a few % into the velocity.
BASELINE_PGV_RTOL = 0.06

SINE_AMP_M_S2, SINE_PERIOD_S, DT_S = 2.0, 0.8, 0.004


def _sine(duration_s: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(0.0, duration_s, DT_S)
    return t, SINE_AMP_M_S2 * np.sin(2 * np.pi / SINE_PERIOD_S * t)


def _closed_form_peak(period: float, zeta: float, t: np.ndarray) -> float:
    """Chopra eq. 3.2.1: full (transient + steady) response to p = −m·A·sin Ωt from rest."""
    w, big_w = 2 * np.pi / period, 2 * np.pi / SINE_PERIOD_S
    r, wd = big_w / w, w * math.sqrt(1 - zeta**2)
    ust = -SINE_AMP_M_S2 / w**2
    den = (1 - r**2) ** 2 + (2 * zeta * r) ** 2
    c, d = ust * (1 - r**2) / den, ust * (-2 * zeta * r) / den
    a = -d
    b = (zeta * w * a - big_w * c) / wd
    u = (
        np.exp(-zeta * w * t) * (a * np.cos(wd * t) + b * np.sin(wd * t))
        + c * np.sin(big_w * t)
        + d * np.cos(big_w * t)
    )
    return float(np.max(np.abs(u)))


@pytest.mark.parametrize("period", [0.2, 0.8, 2.0])
def test_sine_response_matches_lsim_and_closed_form(period: float) -> None:
    zeta = 0.05
    t, acc = _sine(12.0)
    peak = sdof_displacement_peaks(acc, DT_S, np.array([period]), zeta)[0]
    w = 2 * np.pi / period
    system = signal.lti([-1.0], [1.0, 2 * zeta * w, w**2])
    _, u, _ = signal.lsim(system, acc, t)
    assert peak == pytest.approx(np.max(np.abs(u)), rel=LSIM_RTOL)
    fine = np.arange(0.0, t[-1], DT_S / 20)
    assert peak == pytest.approx(_closed_form_peak(period, zeta, fine), rel=CLOSED_FORM_RTOL)


def test_spectrum_is_vectorised_over_periods() -> None:
    _, acc = _sine(6.0)
    periods = np.array([0.1, 0.5, 1.0, 3.0])
    together = sdof_displacement_peaks(acc, DT_S, periods)
    apart = [sdof_displacement_peaks(acc, DT_S, periods[i : i + 1])[0] for i in range(4)]
    np.testing.assert_allclose(together, apart, rtol=1e-12)


@needs_external
@pytest.mark.parametrize(
    ("period", "d_in", "a_g"), [(0.5, 2.67, 1.09), (1.0, 5.97, 0.610), (2.0, 7.47, 0.191)]
)
def test_el_centro_matches_chopra_section_6_4(period: float, d_in: float, a_g: float) -> None:
    # Chopra, Dynamics of Structures, §6.4 (ζ = 2 %); the values OpenSees'
    # verification/sdofTransient.tcl checks with this file (SOURCES.md; recalled values).
    record = read_record(EXTERNAL / "ground_motions" / "elCentro_1940_NS_Peknold_OpenSees.at2")
    spec = response_spectrum(record, np.array([period]), damping=0.02)
    assert spec.sd_m[0] / 0.0254 == pytest.approx(d_in, rel=CHOPRA_RTOL)
    assert spec.psa_g[0] == pytest.approx(a_g, rel=CHOPRA_RTOL)


def test_integration_of_a_pulse_with_baseline_correction() -> None:
    # a = A sin(2πt/T) over whole cycles: v = A T/(2π)(1 − cos), a drifting mean that the
    # cubic detrend of displacement removes; PGV then ≈ the oscillating part A T/(2π).
    _t, acc = _sine(8.0)
    record = make_record("sine", DT_S, acc / G_M_S2)
    raw, corrected = integrate(record, detrend_degree=-1), integrate(record)
    amp_v = SINE_AMP_M_S2 * SINE_PERIOD_S / (2 * np.pi)
    assert raw.pgv_m_s == pytest.approx(2 * amp_v, rel=1e-3)
    assert corrected.pgv_m_s == pytest.approx(amp_v, rel=BASELINE_PGV_RTOL)
    assert abs(np.mean(corrected.velocity_m_s)) < 0.05 * abs(np.mean(raw.velocity_m_s))
    assert corrected.pgd_m < raw.pgd_m


def test_scaling_to_pga_and_sa() -> None:
    _, acc = _sine(6.0)
    record = make_record("sine", DT_S, acc / G_M_S2)
    by_pga, factor = scale_to_pga(record, 0.4)
    assert by_pga.pga_g == pytest.approx(0.4) and factor == pytest.approx(0.4 / record.pga_g)
    by_sa, _ = scale_to_sa(record, 1.0, 0.3)
    assert response_spectrum(by_sa, np.array([1.0])).psa_g[0] == pytest.approx(0.3)


def test_selection_recovers_a_scaled_library_record() -> None:
    t = np.arange(0.0, 10.0, 0.01)
    rng = np.random.default_rng(0)
    library = [
        make_record(
            f"r{i}", 0.01, 0.2 * rng.standard_normal(t.size) * np.exp(-((t - 3 - i) ** 2) / 4)
        )
        for i in range(4)
    ]
    periods = np.geomspace(0.1, 2.0, 12)
    target = 2.5 * response_spectrum(library[2], periods).psa_g
    best = select_records(library, periods, target, period_range_s=(0.1, 2.0), n_select=2)
    assert best[0].index == 2 and best[0].scale_factor == pytest.approx(2.5, rel=1e-9)
    assert best[0].misfit_ln == pytest.approx(0.0, abs=1e-9)
    limited = select_records(
        library, periods, target, period_range_s=(0.1, 2.0), n_select=1, scale_limits=(0.5, 2.0)
    )
    assert limited[0].scale_factor <= 2.0
    assert scaled(library[0], 2.0).pga_g == pytest.approx(2 * library[0].pga_g)
