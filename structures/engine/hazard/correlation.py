"""Correlation models for ground-motion residuals.

Spatial (within-event, one IMT): Jayaram & Baker (2009), ρ(h) = exp(−3h / b) with range b (km)

- T < 1 s, Vs30 clustered (case 1):     b = 8.5 + 17.2·T
- T < 1 s, Vs30 not clustered (case 2): b = 40.7 − 15.0·T
- T ≥ 1 s (both cases):                 b = 22.0 + 3.7·T

Cross-IMT (between-event): Baker & Jayaram (2008) for SA/PGA (PGA taken as T = 0.01 s).

References
----------
Jayaram, N. & Baker, J. W. (2009). Correlation model for spatially distributed ground-motion
intensities. EESD 38(15), 1687–1708. https://doi.org/10.1002/eqe.922
Baker, J. W. & Jayaram, N. (2008). Correlation of spectral acceleration values from NGA
ground motion models. Earthquake Spectra 24(1), 299–317. https://doi.org/10.1193/1.2857544
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from structures.engine.hazard.imts import IMT

#: Period (s) standing in for PGA in Baker & Jayaram (2008).
BJ08_PGA_PERIOD_S = 0.01


def jayaram_baker_2009_range_km(period_s: float, *, vs30_clustered: bool) -> float:
    """Correlation range b (km) of Jayaram & Baker (2009) eqs 16–17 for period T (s)."""
    if period_s >= 1.0:
        return 22.0 + 3.7 * period_s
    return 8.5 + 17.2 * period_s if vs30_clustered else 40.7 - 15.0 * period_s


def exponential_correlation(h_km: NDArray[np.float64], range_km: float) -> NDArray[np.float64]:
    """ρ(h) = exp(−3h / b), the Jayaram & Baker (2009) model."""
    return np.exp(-3.0 * np.asarray(h_km) / range_km)


def baker_jayaram_2008(t1: float, t2: float) -> float:
    """Correlation of ε between SA(t1) and SA(t2), Baker & Jayaram (2008) eq. 7–8 (0.01–10 s)."""
    t_min, t_max = min(t1, t2), max(t1, t2)
    c1 = 1.0 - math.cos(math.pi / 2.0 - 0.366 * math.log(t_max / max(t_min, 0.109)))
    if t_max < 0.2:
        c2 = 1.0 - 0.105 * (1.0 - 1.0 / (1.0 + math.exp(100.0 * t_max - 5.0))) * (
            (t_max - t_min) / (t_max - 0.0099)
        )
    else:
        c2 = 0.0
    c3 = c2 if t_max < 0.109 else c1
    c4 = c1 + 0.5 * (math.sqrt(c3) - c3) * (1.0 + math.cos(math.pi * t_min / 0.109))
    if t_max < 0.109:
        return c2
    if t_min > 0.109:
        return c1
    return min(c2, c4) if t_max < 0.2 else c4


def cross_imt_matrix(imts: Sequence[IMT]) -> NDArray[np.float64]:
    """Between-event correlation matrix across IMTs (PGV uncorrelated with the others)."""
    n = len(imts)
    out = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            if "PGV" in (imts[i].name, imts[j].name):
                continue
            t_i = imts[i].period_s or BJ08_PGA_PERIOD_S
            t_j = imts[j].period_s or BJ08_PGA_PERIOD_S
            out[i, j] = out[j, i] = baker_jayaram_2008(t_i, t_j)
    return out
