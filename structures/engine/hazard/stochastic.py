"""Seeded stochastic ground motions: Boore (2003) point-source method, Brune source, Saragoni-Hart.

Used when no record library is available so a fresh machine still runs time histories. The
target Fourier amplitude spectrum of acceleration (m/s · s, i.e. m/s) is

    A(f) = C M0 (2 pi f)^2 / (1 + (f / fc)^2)  ·  G(R) exp(-pi f R / (Q(f) beta))  ·  exp(-pi kappa0 f)

(Brune omega-squared source, geometric spreading, anelastic attenuation, kappa high-cut). The
time series is Gaussian white noise windowed by the Saragoni-Hart function, transformed, normalised
to a unit mean-square amplitude spectrum, multiplied by A(f) and transformed back (Boore 2003,
"Simulation of ground motion using the stochastic method", steps 1-6).

Parameters are Boore's western North America set (Boore 2003 Table 3 and its sources): stress
drop 70 bar, beta 3.5 km/s, rho 2.8 g/cm^3, kappa0 0.04 s, Q(f) = max(100, 180 f^0.45), 1/R
spreading to 40 km then R^-0.5, path duration 0.05 R, and the Boore & Joyner (1997) generic-rock
amplification (Vs30 620 m/s). Near-source saturation uses the effective distance sqrt(R^2 + h^2)
with h(M) of Yenier & Atkinson (2015). Softer sites are not modelled here: the platform scales
each motion to the site's Sa(T1) from the hazard step, which carries Vs30.
See docs/structures/execution.md.

References
----------
Boore DM (2003). Simulation of ground motion using the stochastic method. Pure and Applied
Geophysics 160:635-676. doi:10.1007/PL00012553
Brune JN (1970). Tectonic stress and the spectra of seismic shear waves from earthquakes. JGR
75(26):4997-5009. doi:10.1029/JB075i026p04997
Saragoni GR, Hart GC (1974). Simulation of artificial earthquakes. Earthquake Engineering and
Structural Dynamics 2:249-267. doi:10.1002/eqe.4290020305
Boore DM, Joyner WB (1997). Site amplifications for generic rock sites. BSSA 87(2):327-341.
doi:10.1785/BSSA0870020327
Yenier E, Atkinson GM (2015). Regionally adjustable generic ground-motion prediction equation
based on equivalent point-source simulations. BSSA 105(4):1989-2009. doi:10.1785/0120140332
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from structures.engine.hazard.errors import HazardInputError

F64 = NDArray[np.float64]
RADIATION = 0.55  # average S-wave radiation pattern
PARTITION = 1.0 / math.sqrt(2.0)  # into two horizontal components
FREE_SURFACE = 2.0
# Saragoni-Hart window: the envelope peaks (value 1) at EPS * t_eta and falls to ETA at t_eta,
# with t_eta = F_TGM * the ground-motion duration (Boore 2003, eq. 14 and Table 2).
WINDOW_EPS, WINDOW_ETA, WINDOW_F_TGM = 0.2, 0.05, 2.0
WINDOW_END = 1.5  # simulate to 1.5 t_eta: the envelope is down to 0.4 % there
# Generic-rock amplification, frequency (Hz) -> factor (Boore & Joyner 1997; Boore 2003 Table 4),
# interpolated linearly in log f.
GENERIC_ROCK_F_HZ = np.array(
    [0.01, 0.09, 0.16, 0.51, 0.84, 1.25, 2.26, 3.17, 6.05, 16.6, 61.2, 100.0]
)
GENERIC_ROCK_AMP = np.array(
    [1.00, 1.10, 1.18, 1.42, 1.58, 1.74, 2.06, 2.25, 2.58, 3.13, 4.00, 4.40]
)


@dataclass(frozen=True, slots=True)
class StochasticParameters:
    """Source, path and site constants (SI unless the name says otherwise; defaults: WNA)."""

    stress_drop_bar: float = 70.0
    beta_km_s: float = 3.5
    rho_g_cm3: float = 2.8
    kappa0_s: float = 0.04
    q0: float = 180.0
    q_eta: float = 0.45
    q_min: float = 100.0
    generic_rock: bool = True
    spreading_hinge_km: float = 40.0
    path_duration_s_per_km: float = 0.05


def seismic_moment_dyne_cm(magnitude: float) -> float:
    """M0 from moment magnitude: log10 M0 = 1.5 M + 16.05 (dyne-cm; Hanks & Kanamori 1979)."""
    return 10.0 ** (1.5 * magnitude + 16.05)


def corner_frequency_hz(magnitude: float, p: StochasticParameters) -> float:
    """Brune corner frequency fc = 4.906e6 beta (dsigma / M0)^(1/3) (Boore 2003, eq. 4)."""
    return (
        4.906e6
        * p.beta_km_s
        * (p.stress_drop_bar / seismic_moment_dyne_cm(magnitude)) ** (1.0 / 3.0)
    )


def effective_distance_km(magnitude: float, r_hypo_km: float) -> float:
    """sqrt(R^2 + h^2), h = 10^(-0.405 + 0.235 M) km (Yenier & Atkinson 2015, eq. 5)."""
    h = 10.0 ** (-0.405 + 0.235 * magnitude)
    return math.hypot(r_hypo_km, h)


def duration_s(magnitude: float, r_km: float, p: StochasticParameters) -> float:
    """Ground-motion duration: source 1/fc plus path 0.05 R (s)."""
    return 1.0 / corner_frequency_hz(magnitude, p) + p.path_duration_s_per_km * r_km


def fourier_amplitude(
    f_hz: F64, magnitude: float, r_km: float, p: StochasticParameters | None = None
) -> F64:
    """Target Fourier amplitude spectrum of acceleration (m/s) at frequencies ``f_hz``."""
    p = p or StochasticParameters()
    f = np.asarray(f_hz, dtype=float)
    beta_cm_s = p.beta_km_s * 1e5
    c = RADIATION * PARTITION * FREE_SURFACE / (4.0 * math.pi * p.rho_g_cm3 * beta_cm_s**3 * 1e5)
    fc = corner_frequency_hz(magnitude, p)
    source = c * seismic_moment_dyne_cm(magnitude) * (2 * np.pi * f) ** 2 / (1 + (f / fc) ** 2)
    hinge = p.spreading_hinge_km
    spreading = 1.0 / r_km if r_km <= hinge else (1.0 / hinge) * math.sqrt(hinge / r_km)
    q = np.maximum(p.q_min, p.q0 * np.maximum(f, 1e-6) ** p.q_eta)
    path = spreading * np.exp(-np.pi * f * r_km / (q * p.beta_km_s))
    site = np.exp(-np.pi * p.kappa0_s * f)
    if p.generic_rock:
        logf = np.log(np.clip(f, GENERIC_ROCK_F_HZ[0], GENERIC_ROCK_F_HZ[-1]))
        site = site * np.interp(logf, np.log(GENERIC_ROCK_F_HZ), GENERIC_ROCK_AMP)
    return source * path * site / 100.0  # cm/s -> m/s


def saragoni_hart(t_s: F64, t_eta_s: float) -> F64:
    """Envelope w(t) = a (t/t_eta)^b exp(-c t/t_eta) (Boore 2003, eq. 14)."""
    eps, eta = WINDOW_EPS, WINDOW_ETA
    b = -eps * math.log(eta) / (1.0 + eps * (math.log(eps) - 1.0))
    c, a = b / eps, (math.e / eps) ** b
    x = np.asarray(t_s, dtype=float) / t_eta_s
    return a * x**b * np.exp(-c * x)


def stochastic_motion(
    magnitude: float,
    r_hypo_km: float,
    *,
    dt_s: float = 0.01,
    seed: int,
    params: StochasticParameters | None = None,
) -> F64:
    """One horizontal acceleration time history (m/s^2) at ``dt_s``, first sample at t = 0.

    Parameters
    ----------
    magnitude : float
        Moment magnitude (3-9).
    r_hypo_km : float
        Hypocentral distance (km, >= 0); saturated by ``effective_distance_km``.
    dt_s : float
        Time step (s); the spectrum is band-limited at the Nyquist frequency 1 / (2 dt).
    seed : int
        Seed of the Gaussian noise: the same arguments give the same array.

    Raises
    ------
    HazardInputError
        Magnitude outside 3-9, negative distance or non-positive time step.

    Notes
    -----
    Complexity O(N log N) in the N = 1.5 F_TGM duration / dt samples.
    """
    if not 3.0 <= magnitude <= 9.0 or r_hypo_km < 0.0 or not dt_s > 0.0:
        raise HazardInputError(f"need 3 <= M <= 9, R >= 0, dt > 0; got {magnitude}, {r_hypo_km}")
    p = params or StochasticParameters()
    r = effective_distance_km(magnitude, r_hypo_km)
    t_eta = WINDOW_F_TGM * duration_s(magnitude, r, p)
    n = 2 * math.ceil(WINDOW_END * t_eta / dt_s / 2.0)
    t = np.arange(n, dtype=np.float64) * dt_s
    envelope = saragoni_hart(t, t_eta)
    noise = np.random.default_rng(seed).standard_normal(n) * envelope
    spectrum = np.fft.rfft(noise) * dt_s
    spectrum /= np.sqrt(np.mean(np.abs(spectrum) ** 2))
    spectrum *= fourier_amplitude(np.fft.rfftfreq(n, dt_s).astype(np.float64), magnitude, r, p)
    return np.fft.irfft(spectrum, n) / dt_s
