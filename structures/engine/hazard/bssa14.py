"""Boore, Stewart, Seyhan & Atkinson (2014) NGA-West2 ground-motion model (BSSA14).

ln Y = F_E(M, mech) + F_P(Rjb, M) + F_S(Vs30, Rjb, M, δz1), Y = PGA, SA (g) or PGV (cm/s),
RotD50 horizontal component. Equation numbers refer to the paper.

References
----------
Boore, D. M., Stewart, J. P., Seyhan, E. & Atkinson, G. M. (2014). NGA-West2 equations for
predicting PGA, PGV, and 5 % damped PSA for shallow crustal earthquakes. Earthquake Spectra
30(3), 1057–1085. https://doi.org/10.1193/070113EQS184M
Coefficients: the authors' electronic supplement (BSSA14 coefficient table), 28 of its 107 rows
in ``data/bssa14_coefficients.csv``; other periods are interpolated in ln(T).
"""

from __future__ import annotations

import csv
import math
from functools import cache
from pathlib import Path
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from structures.engine.hazard.errors import HazardInputError
from structures.engine.hazard.gmpe_base import GmpeContext, GroundMotion, GroundMotionModel
from structures.engine.hazard.sources import mechanism_from_rake

COEFFICIENT_FILE = Path(__file__).with_name("data") / "bssa14_coefficients.csv"
#: Magnitude-independent constants (Boore et al. 2014, Table 2 footnotes / eqs 3–8, 15).
M_REF, R_REF, V_REF = 4.5, 1.0, 760.0
F1, F3 = 0.0, 0.1
V1, V2 = 225.0, 300.0
#: Basin term applies from this period (s) upward (paper: f6, f7 are zero below 0.65 s).
BASIN_MIN_PERIOD_S = 0.65
_MECH_COLUMN = {"U": "e0", "SS": "e1", "N": "e2", "R": "e3"}

Coefficients = dict[str, float]


@cache
def load_coefficients() -> dict[str | float, Coefficients]:
    """Read the coefficient table: keys ``"PGA"``, ``"PGV"`` and periods in s."""
    lines = [ln for ln in COEFFICIENT_FILE.read_text().splitlines() if not ln.startswith("#")]
    table: dict[str | float, Coefficients] = {}
    for row in csv.DictReader(lines):
        imt = row.pop("imt")
        key: str | float = imt.upper() if imt.isalpha() else float(imt)
        table[key] = {name: float(value) for name, value in row.items()}
    return table


def california_mean_z1_km(vs30: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean Z1 (km) for a Vs30 (m/s) in California, eq. 11 of Boore et al. (2014)."""
    ratio = (vs30**4 + 570.94**4) / (1360.0**4 + 570.94**4)
    return np.exp(-7.15 / 4.0 * np.log(ratio)) / 1000.0


def event_term(c: Coefficients, magnitude: float, mechanism: str) -> float:
    """F_E, eq. 2: style-of-faulting constant plus hinged magnitude scaling."""
    dm = magnitude - c["Mh"]
    scaling = c["e4"] * dm + c["e5"] * dm**2 if dm <= 0.0 else c["e6"] * dm
    return c[_MECH_COLUMN[mechanism]] + scaling


def path_term(c: Coefficients, magnitude: float, rjb: NDArray[np.float64]) -> NDArray[np.float64]:
    """F_P, eqs 3–4 with R = sqrt(Rjb² + h²); Δc3 = 0 (global model)."""
    r = np.sqrt(rjb**2 + c["h"] ** 2)
    geometric = (c["c1"] + c["c2"] * (magnitude - M_REF)) * np.log(r / R_REF)
    return geometric + (c["c3"] + c["Dc3"]) * (r - R_REF)


def site_term(
    c: Coefficients, vs30: NDArray[np.float64], pga_rock_g: NDArray[np.float64]
) -> NDArray[np.float64]:
    """F_lin + F_nl, eqs 5–8: linear Vs30 scaling and PGAr-dependent nonlinearity."""
    f_lin = c["c"] * np.log(np.minimum(vs30, c["Vc"]) / V_REF)
    f2 = c["f4"] * (
        np.exp(c["f5"] * (np.minimum(vs30, V_REF) - 360.0)) - math.exp(c["f5"] * (V_REF - 360.0))
    )
    return f_lin + F1 + f2 * np.log((pga_rock_g + F3) / F3)


def basin_term(
    c: Coefficients, period: float, vs30: NDArray[np.float64], z1_km: NDArray[np.float64]
) -> NDArray[np.float64]:
    """F_δz1, eqs 9–10; zero below 0.65 s and where Z1 is unknown (NaN)."""
    if period < BASIN_MIN_PERIOD_S:
        return np.zeros_like(vs30)
    dz1 = np.nan_to_num(z1_km - california_mean_z1_km(vs30), nan=0.0)
    return np.where(dz1 <= c["f7"] / c["f6"], c["f6"] * dz1, c["f7"])


def stddevs(
    c: Coefficients, magnitude: float, rjb: NDArray[np.float64], vs30: NDArray[np.float64]
) -> tuple[NDArray[np.float64], ...]:
    """Total sigma, tau and phi, eqs 13–17 (tau and phi hinged at M 4.5 and 5.5)."""
    w = min(max(magnitude - 4.5, 0.0), 1.0)
    tau = c["tau1"] + (c["tau2"] - c["tau1"]) * w
    phi = np.full_like(rjb, c["phi1"] + (c["phi2"] - c["phi1"]) * w)
    mid = (rjb > c["R1"]) & (rjb <= c["R2"])
    phi += np.where(rjb > c["R2"], c["DfR"], 0.0)
    phi[mid] += c["DfR"] * np.log(rjb[mid] / c["R1"]) / math.log(c["R2"] / c["R1"])
    phi -= np.where(vs30 <= V1, c["DfV"], 0.0)
    between = (vs30 > V1) & (vs30 < V2)
    phi[between] -= c["DfV"] * np.log(V2 / vs30[between]) / math.log(V2 / V1)
    tau_arr = np.full_like(rjb, tau)
    return np.sqrt(tau_arr**2 + phi**2), tau_arr, phi


class BooreEtAl2014(GroundMotionModel):
    """BSSA14 for shallow crustal earthquakes in active regions (global Δc3 = 0).

    Parameters
    ----------
    basin : bool
        Apply the Z1 basin term (eqs 9–11, California mean Z1) for T ≥ 0.65 s. Off by
        default, as recommended when Z1 is unknown.
    """

    name: ClassVar[str] = "BSSA14"
    reference: ClassVar[str] = "Boore et al. (2014), doi:10.1193/070113EQS184M"
    required_site_params: ClassVar[frozenset[str]] = frozenset({"vs30_m_s"})
    required_rupture_params: ClassVar[frozenset[str]] = frozenset({"magnitude", "rake"})
    required_distances: ClassVar[frozenset[str]] = frozenset({"rjb"})
    supported_imts: ClassVar[frozenset[str]] = frozenset({"PGA", "PGV", "SA"})
    magnitude_range: ClassVar[tuple[float, float]] = (3.0, 8.5)
    distance_range_km: ClassVar[tuple[float, float]] = (0.0, 400.0)
    period_range_s: ClassVar[tuple[float, float]] = (0.01, 10.0)
    vs30_range_m_s: ClassVar[tuple[float, float]] = (150.0, 1500.0)
    periods_s: ClassVar[tuple[float, ...]] = tuple(
        sorted(k for k in load_coefficients() if isinstance(k, float))
    )

    def __init__(self, *, basin: bool = False) -> None:
        self.basin = basin

    def _check_sites(self, ctx: GmpeContext) -> None:
        low, high = self.vs30_range_m_s
        vs30 = ctx.sites.vs30_m_s
        if np.any(vs30 < low) or np.any(vs30 > high):
            raise HazardInputError(f"BSSA14 covers Vs30 {low}–{high} m/s; clip the site map")
        if ctx.rake is not None and mechanism_from_rake(ctx.rake) == "N" and ctx.magnitude > 7.0:
            raise HazardInputError("BSSA14 covers normal-faulting events up to M 7.0")

    def _compute_row(self, ctx: GmpeContext, key: str | float) -> GroundMotion:
        table = load_coefficients()
        c, c_pga = table[key], table["PGA"]
        mech = mechanism_from_rake(ctx.rake)
        rjb, vs30 = ctx.distances.rjb, np.asarray(ctx.sites.vs30_m_s, dtype=np.float64)
        pga_rock = np.exp(
            event_term(c_pga, ctx.magnitude, mech) + path_term(c_pga, ctx.magnitude, rjb)
        )
        ln_y = (
            event_term(c, ctx.magnitude, mech)
            + path_term(c, ctx.magnitude, rjb)
            + site_term(c, vs30, pga_rock)
        )
        if self.basin and isinstance(key, float) and ctx.sites.z1_km is not None:
            ln_y = ln_y + basin_term(c, key, vs30, np.asarray(ctx.sites.z1_km))
        sigma, tau, phi = stddevs(c, ctx.magnitude, rjb, vs30)
        return GroundMotion(ln_y, sigma, tau, phi)
