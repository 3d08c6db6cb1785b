"""Elastic response spectra, integration to velocity/displacement, and record scaling.

The SDOF oscillator ü + 2ζωu̇ + ω²u = −a_g(t) is solved exactly for piecewise-linear a_g by
the Nigam & Jennings (1969) recurrence (Chopra, Dynamics of Structures, §5.2), vectorised over
periods. Sd = max|u| (m), PSV = ω·Sd (m/s), PSA = ω²·Sd (reported in g).

References
----------
Nigam, N. C. & Jennings, P. C. (1969). Calculation of response spectra from strong-motion
earthquake records. BSSA 59(2), 909–922. https://doi.org/10.1785/BSSA0590020909
Boore, D. M. (2005). On pads and filters: processing strong-motion data. BSSA 95(2), 745–750.
https://doi.org/10.1785/0120040160 (baseline correction by polynomial fits).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy.integrate import cumulative_trapezoid

from structures.engine.hazard.errors import HazardInputError
from structures.engine.hazard.records import G_M_S2, GroundMotionRecord

#: Default viscous damping ratio.
DAMPING = 0.05
#: Default degree of the polynomial removed from the displacement.
DETREND_DEGREE = 3


@dataclass(frozen=True, slots=True)
class ResponseSpectrum:
    """Response spectrum at ``periods_s`` (s): Sd (m), PSV (m/s), PSA (g)."""

    periods_s: NDArray[np.float64]
    damping: float
    sd_m: NDArray[np.float64]
    psv_m_s: NDArray[np.float64]
    psa_g: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class IntegratedMotion:
    """Baseline-corrected velocity (m/s) and displacement (m) with their peaks."""

    velocity_m_s: NDArray[np.float64]
    displacement_m: NDArray[np.float64]
    pgv_m_s: float
    pgd_m: float


def _nj_coefficients(
    omega: NDArray[np.float64], zeta: float, dt: float
) -> tuple[NDArray[np.float64], ...]:
    """Nigam–Jennings recurrence coefficients (Chopra Table 5.2.1), unit mass, k = ω²."""
    root = np.sqrt(1.0 - zeta**2)
    wd = omega * root
    e, s, c = np.exp(-zeta * omega * dt), np.sin(wd * dt), np.cos(wd * dt)
    k = omega**2
    a = e * (zeta / root * s + c)
    b = e * s / wd
    cc = (
        2 * zeta / (omega * dt)
        + e
        * (((1 - 2 * zeta**2) / (wd * dt) - zeta / root) * s - (1 + 2 * zeta / (omega * dt)) * c)
    ) / k
    d = (
        1
        - 2 * zeta / (omega * dt)
        + e * ((2 * zeta**2 - 1) / (wd * dt) * s + 2 * zeta / (omega * dt) * c)
    ) / k
    a1 = -e * omega / root * s
    b1 = e * (c - zeta / root * s)
    c1 = (-1 / dt + e * ((omega / root + zeta / (dt * root)) * s + c / dt)) / k
    d1 = (1 - e * (zeta / root * s + c)) / (k * dt)
    return a, b, cc, d, a1, b1, c1, d1


def sdof_displacement_peaks(
    acc_m_s2: NDArray[np.float64],
    dt_s: float,
    periods_s: NDArray[np.float64],
    damping: float = DAMPING,
) -> NDArray[np.float64]:
    """Peak |u| (m) of oscillators at ``periods_s`` under ground acceleration (m/s²)."""
    periods = np.asarray(periods_s, dtype=np.float64)
    if np.any(periods <= 0.0) or not 0.0 <= damping < 1.0:
        raise HazardInputError("periods must be > 0 s and damping in [0, 1)")
    a, b, c, d, a1, b1, c1, d1 = _nj_coefficients(2 * np.pi / periods, damping, dt_s)
    p = -np.asarray(acc_m_s2, dtype=np.float64)
    u, v, peak = np.zeros_like(periods), np.zeros_like(periods), np.zeros_like(periods)
    for i in range(p.shape[0] - 1):
        u, v = a * u + b * v + c * p[i] + d * p[i + 1], a1 * u + b1 * v + c1 * p[i] + d1 * p[i + 1]
        np.maximum(peak, np.abs(u), out=peak)
    return peak


def response_spectrum(
    record: GroundMotionRecord, periods_s: NDArray[np.float64], damping: float = DAMPING
) -> ResponseSpectrum:
    """Pseudo-spectral response (5 % damped by default) of a record.

    Notes
    -----
    O(n_steps) Python iterations, each O(n_periods) numpy work.
    """
    periods = np.asarray(periods_s, dtype=np.float64)
    sd = sdof_displacement_peaks(record.acceleration_m_s2, record.dt_s, periods, damping)
    omega = 2 * np.pi / periods
    return ResponseSpectrum(periods, damping, sd, omega * sd, omega**2 * sd / G_M_S2)


def integrate(record: GroundMotionRecord, detrend_degree: int = DETREND_DEGREE) -> IntegratedMotion:
    """Velocity and displacement by trapezoidal integration with polynomial baseline correction.

    A least-squares polynomial of ``detrend_degree`` in time is fitted to the displacement and
    removed; its derivative is removed from the velocity (so both stay consistent).
    """
    t = np.arange(record.npts) * record.dt_s
    vel = cumulative_trapezoid(record.acceleration_m_s2, dx=record.dt_s, initial=0.0)
    disp = cumulative_trapezoid(vel, dx=record.dt_s, initial=0.0)
    if detrend_degree >= 0:
        poly = np.polynomial.Polynomial.fit(t, disp, detrend_degree)
        disp = disp - poly(t)
        vel = vel - poly.deriv()(t)
    return IntegratedMotion(vel, disp, float(np.max(np.abs(vel))), float(np.max(np.abs(disp))))


def scaled(record: GroundMotionRecord, factor: float) -> GroundMotionRecord:
    """A copy of the record with acceleration multiplied by ``factor`` (name notes it)."""
    if not factor > 0.0:
        raise HazardInputError(f"scale factor must be positive, got {factor}")
    acc = record.acceleration_m_s2 * factor
    acc.setflags(write=False)
    return replace(record, name=f"{record.name} x{factor:.4g}", acceleration_m_s2=acc)


def scale_to_pga(
    record: GroundMotionRecord, target_pga_g: float
) -> tuple[GroundMotionRecord, float]:
    """Scale a record to a target PGA (g); returns the record and the factor."""
    factor = target_pga_g / record.pga_g
    return scaled(record, factor), factor


def scale_to_sa(
    record: GroundMotionRecord, period_s: float, target_sa_g: float, damping: float = DAMPING
) -> tuple[GroundMotionRecord, float]:
    """Scale a record so its PSA at ``period_s`` equals ``target_sa_g`` (g)."""
    psa = response_spectrum(record, np.array([period_s]), damping).psa_g[0]
    factor = target_sa_g / float(psa)
    return scaled(record, factor), factor
