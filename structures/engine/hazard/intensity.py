"""Chinese seismic intensity from instrumental PGA and PGV, GB/T 17742-2020.

I_A = 3.17·lg(PGA) + 6.59 (PGA in m/s²), I_V = 3.00·lg(PGV) + 9.77 (PGV in m/s);
I_I = I_V when I_A ≥ 6.0 and I_V ≥ 6.0, otherwise (I_A + I_V) / 2; bounded to [1.0, 12.0].
The integer intensity is I_I rounded half up (degree n covers [n − 0.5, n + 0.5)).
PGA and PGV are meant to come from the vector sum of three components after 0.1–10 Hz
filtering (the standard's Appendix A); callers supply them already combined.

References
----------
GB/T 17742-2020 中国地震烈度表 (The Chinese seismic intensity scale), Appendix A (instrumental
intensity). State Administration for Market Regulation & Standardization Administration of China.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from structures.engine.hazard.errors import HazardInputError

A_SLOPE, A_INTERCEPT = 3.17, 6.59
V_SLOPE, V_INTERCEPT = 3.00, 9.77
#: Both partial intensities at or above this use I_V alone.
VELOCITY_ONLY_THRESHOLD = 6.0
I_MIN, I_MAX = 1.0, 12.0
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def _positive(values: ArrayLike, what: str) -> NDArray[np.float64]:
    arr = np.asarray(values, dtype=np.float64)
    if np.any(~np.isfinite(arr)) or np.any(arr <= 0.0):
        raise HazardInputError(f"{what} must be positive finite numbers")
    return arr


def intensity_from_pga_pgv(pga_m_s2: ArrayLike, pgv_m_s: ArrayLike) -> NDArray[np.float64]:
    """Instrumental intensity I_I (continuous, 1.0–12.0) from PGA (m/s²) and PGV (m/s)."""
    i_a = A_SLOPE * np.log10(_positive(pga_m_s2, "PGA (m/s²)")) + A_INTERCEPT
    i_v = V_SLOPE * np.log10(_positive(pgv_m_s, "PGV (m/s)")) + V_INTERCEPT
    both_high = (i_a >= VELOCITY_ONLY_THRESHOLD) & (i_v >= VELOCITY_ONLY_THRESHOLD)
    return np.clip(np.where(both_high, i_v, 0.5 * (i_a + i_v)), I_MIN, I_MAX)


def pga_for_intensity(intensity: ArrayLike) -> NDArray[np.float64]:
    """PGA (m/s²) with I_A equal to ``intensity`` (inverse of the PGA relation)."""
    return 10.0 ** ((np.asarray(intensity, dtype=np.float64) - A_INTERCEPT) / A_SLOPE)


def pgv_for_intensity(intensity: ArrayLike) -> NDArray[np.float64]:
    """PGV (m/s) with I_V equal to ``intensity`` (inverse of the PGV relation)."""
    return 10.0 ** ((np.asarray(intensity, dtype=np.float64) - V_INTERCEPT) / V_SLOPE)


def intensity_degree(intensity: ArrayLike) -> NDArray[np.int64]:
    """Integer degree 1–12: I_I rounded half up."""
    value = np.asarray(intensity, dtype=np.float64)
    return np.clip(np.floor(value + 0.5), 1, 12).astype(np.int64)


def roman(degree: int) -> str:
    """Roman numeral label (I–XII) of an integer intensity degree."""
    if not 1 <= degree <= 12:
        raise HazardInputError(f"intensity degree {degree} must lie in 1–12")
    return ROMAN[degree - 1]
