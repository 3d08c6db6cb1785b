"""Selection and scaling of recorded motions to match a target spectrum.

For each record the scale factor minimising Σ (ln Sa_target − ln(s·Sa_record))² over the
periods in the range is ln s = mean(ln Sa_target − ln Sa_record); it is clipped to the allowed
limits, and records are ranked by the root-mean-square log misfit at that factor.

References
----------
Baker, J. W. (2011). Conditional mean spectrum: tool for ground-motion selection. J. Struct.
Eng. 137(3), 322–331. https://doi.org/10.1061/(ASCE)ST.1943-541X.0000215 (log-space matching).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from structures.engine.hazard.errors import HazardInputError
from structures.engine.hazard.records import GroundMotionRecord
from structures.engine.hazard.spectra import DAMPING, response_spectrum

#: Default limits on the amplitude scale factor.
SCALE_LIMITS = (0.25, 4.0)


@dataclass(frozen=True, slots=True)
class Selection:
    """One selected record: library index, name, scale factor and RMS ln misfit."""

    index: int
    name: str
    scale_factor: float
    misfit_ln: float


def _target_in_range(
    periods: NDArray[np.float64], target: NDArray[np.float64], period_range_s: tuple[float, float]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if periods.shape != target.shape or periods.ndim != 1:
        raise HazardInputError("target periods and Sa must be 1-D arrays of one length")
    if np.any(target <= 0.0) or np.any(periods <= 0.0):
        raise HazardInputError("target periods and Sa must be positive")
    keep = (periods >= period_range_s[0]) & (periods <= period_range_s[1])
    if keep.sum() < 1:
        raise HazardInputError(f"no target period lies in {period_range_s} s")
    return periods[keep], target[keep]


def select_records(
    library: Sequence[GroundMotionRecord],
    target_periods_s: NDArray[np.float64],
    target_sa_g: NDArray[np.float64],
    *,
    period_range_s: tuple[float, float],
    n_select: int,
    scale_limits: tuple[float, float] = SCALE_LIMITS,
    damping: float = DAMPING,
) -> tuple[Selection, ...]:
    """Pick the ``n_select`` records whose scaled spectra best match the target in log space.

    Raises
    ------
    HazardInputError
        If the library is smaller than ``n_select``, limits are invalid or no target period
        falls in ``period_range_s``.
    """
    if not 1 <= n_select <= len(library):
        raise HazardInputError(f"n_select must lie in 1–{len(library)}, got {n_select}")
    low, high = scale_limits
    if not 0.0 < low <= high:
        raise HazardInputError(f"scale limits {scale_limits} must satisfy 0 < low <= high")
    periods, target = _target_in_range(
        np.asarray(target_periods_s, dtype=np.float64),
        np.asarray(target_sa_g, dtype=np.float64),
        period_range_s,
    )
    found = []
    for index, record in enumerate(library):
        sa = response_spectrum(record, periods, damping).psa_g
        ln_s = float(np.clip(np.mean(np.log(target) - np.log(sa)), np.log(low), np.log(high)))
        misfit = float(np.sqrt(np.mean((np.log(target) - np.log(sa) - ln_s) ** 2)))
        found.append(Selection(index, record.name, float(np.exp(ln_s)), misfit))
    found.sort(key=lambda s: (s.misfit_ln, s.index))
    return tuple(found[:n_select])
