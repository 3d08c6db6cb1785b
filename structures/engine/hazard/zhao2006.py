"""Zhao et al. (2006) ground-motion model, crustal (active shallow crust) branch.

ln y = a·Mw + b·x − ln(r) + e·(h − hc)·δh + F_R + C_k + Q_C·(Mw − 6.3)² + W_C,
r = x + c·exp(d·Mw), x = Rrup (km), h = focal depth (km, capped at 125), hc = 15 km,
δh = 1 when h ≥ hc; y = PGA or SA in cm/s² (converted to g), geometric-mean horizontal.

References
----------
Zhao, J. X., Zhang, J., Asano, A., Ohno, Y., Oouchi, T., Takahashi, T., Ogawa, H., Irikura,
K., Thio, H. K., Somerville, P. G., Fukushima, Y. & Fukushima, Y. (2006). Attenuation relations
of strong ground motion in Japan using site classification based on predominant period.
BSSA 96(3), 898–913. https://doi.org/10.1785/0120050122
Coefficients: Tables 4, 5 and 6 (columns for crustal events) in
``data/zhao2006_asc_coefficients.csv``; eq. 1 and the magnitude-squared correction eq. 5.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from pathlib import Path
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from structures.engine.hazard.gmpe_base import (
    G_M_S2,
    GmpeContext,
    GroundMotion,
    GroundMotionModel,
    full,
)

COEFFICIENT_FILE = Path(__file__).with_name("data") / "zhao2006_asc_coefficients.csv"
#: Depth constant hc (km) and depth cap (km), p. 901–902.
HC_KM, DEPTH_CAP_KM = 15.0, 125.0
#: Reference magnitude of the magnitude-squared term, eq. 5.
MC = 6.3
#: Reverse faulting: rake within (45°, 135°) (p. 900).
REVERSE_RAKE = (45.0, 135.0)
#: Site classes of Table 2 as (lower Vs30 bound exclusive, coefficient column).
SITE_CLASSES = ((1100.0, "CH"), (600.0, "C1"), (300.0, "C2"), (200.0, "C3"), (-math.inf, "C4"))
CM_S2_PER_G = 100.0 * G_M_S2


@cache
def load_coefficients() -> dict[str | float, dict[str, float]]:
    """Read Tables 4–6: keys ``"PGA"`` and periods in s."""
    lines = [ln for ln in COEFFICIENT_FILE.read_text().splitlines() if not ln.startswith("#")]
    table: dict[str | float, dict[str, float]] = {}
    for row in csv.DictReader(lines):
        imt = row.pop("imt")
        key: str | float = imt.upper() if imt.isalpha() else float(imt)
        table[key] = {k: float(v) for k, v in row.items()}
    return table


def site_class_term(c: dict[str, float], vs30: NDArray[np.float64]) -> NDArray[np.float64]:
    """C_k of the Table 2 site class the Vs30 (m/s) falls in."""
    out = np.empty_like(vs30)
    assigned = np.zeros(vs30.shape, dtype=bool)
    for lower, column in SITE_CLASSES:
        mask = (vs30 > lower) & ~assigned
        out[mask] = c[column]
        assigned |= mask
    return out


class ZhaoEtAl2006Asc(GroundMotionModel):
    """Zhao et al. (2006) for crustal events (interface and slab terms set to zero)."""

    name: ClassVar[str] = "Zhao2006Asc"
    reference: ClassVar[str] = "Zhao et al. (2006), doi:10.1785/0120050122"
    required_site_params: ClassVar[frozenset[str]] = frozenset({"vs30_m_s"})
    required_rupture_params: ClassVar[frozenset[str]] = frozenset(
        {"magnitude", "rake", "hypo_depth_km"}
    )
    required_distances: ClassVar[frozenset[str]] = frozenset({"rrup"})
    supported_imts: ClassVar[frozenset[str]] = frozenset({"PGA", "SA"})
    magnitude_range: ClassVar[tuple[float, float]] = (5.0, 8.3)
    distance_range_km: ClassVar[tuple[float, float]] = (0.0, 300.0)
    period_range_s: ClassVar[tuple[float, float]] = (0.05, 5.0)
    periods_s: ClassVar[tuple[float, ...]] = tuple(
        sorted(k for k in load_coefficients() if isinstance(k, float))
    )

    def _compute_row(self, ctx: GmpeContext, key: str | float) -> GroundMotion:
        c = load_coefficients()[key]
        m, x = ctx.magnitude, ctx.distances.rrup
        depth = min(ctx.hypo_depth_km, DEPTH_CAP_KM)
        depth_term = c["e"] * (depth - HC_KM) if depth >= HC_KM else 0.0
        rake = 0.0 if ctx.rake is None else ctx.rake
        f_r = c["FR"] if REVERSE_RAKE[0] < rake < REVERSE_RAKE[1] else 0.0
        ln_cm = (
            c["a"] * m
            + c["b"] * x
            - np.log(x + c["c"] * math.exp(c["d"] * m))
            + depth_term
            + f_r
            + site_class_term(c, np.asarray(ctx.sites.vs30_m_s))
            + c["QC"] * (m - MC) ** 2
            + c["WC"]
        )
        n = x.shape[0]
        sigma = math.hypot(c["sigma"], c["tauC"])
        return GroundMotion(
            ln_cm - math.log(CM_S2_PER_G), full(n, sigma), full(n, c["tauC"]), full(n, c["sigma"])
        )
