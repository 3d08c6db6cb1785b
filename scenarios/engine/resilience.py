"""Resilience metrics of a functionality curve Q(t) (percent, time in days).

Resilience loss (Bruneau et al. 2003) is the area above the functionality curve,

    R_L = integral_{t0}^{t1} [100 - Q(t)] dt     (percent-days, % d),

computed exactly for the two curve shapes the engine produces: piecewise linear between the
given points (trapezoid rule is exact) and right-continuous steps (Q jumps at repair
completions). Times to a level are the first time Q reaches that level (linear interpolation
inside a rising segment for piecewise-linear curves).

References
----------
Bruneau, M., Chang, S. E., Eguchi, R. T., et al. (2003). A framework to quantitatively assess
    and enhance the seismic resilience of communities. Earthquake Spectra 19(4), 733-752.
    doi:10.1193/1.1623497
Cimellaro, G. P., Reinhorn, A. M., Bruneau, M. (2010). Framework for analytical quantification
    of disaster resilience. Engineering Structures 32(11), 3639-3649.
    doi:10.1016/j.engstruct.2010.08.008
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scenarios.engine.errors import RecoveryError

Q_FULL = 100.0
#: Functionality values may exceed 0..100 by round-off only.
Q_ATOL = 1e-9
Interpolation = Literal["linear", "step"]


def _as_curve(times: ArrayLike, q: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    t = np.asarray(times, dtype=np.float64)
    y = np.asarray(q, dtype=np.float64)
    if t.ndim != 1 or t.shape != y.shape or t.size == 0:
        raise RecoveryError(
            f"Q(t) needs equal-length 1-D time and value arrays, got {t.shape}, {y.shape}"
        )
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y))):
        raise RecoveryError("Q(t) contains non-finite times or values")
    if np.any(np.diff(t) < 0.0):
        raise RecoveryError("Q(t) times must be non-decreasing")
    if np.any(y < -Q_ATOL) or np.any(y > Q_FULL + Q_ATOL):
        raise RecoveryError("Q(t) values must lie in 0..100 %")
    return t, y


def evaluate(
    times: ArrayLike, q: ArrayLike, at: ArrayLike, *, interpolation: Interpolation = "linear"
) -> NDArray[np.float64]:
    """Q at times ``at`` (days): 100 before the first point (pre-event); holds after the last."""
    t, y = _as_curve(times, q)
    x = np.asarray(at, dtype=np.float64)
    if interpolation == "linear":
        out = np.interp(x, t, y)
    else:
        idx = np.searchsorted(t, x, side="right") - 1
        out = y[np.clip(idx, 0, None)]
    return np.where(x < t[0], Q_FULL, out)


def resilience_loss(
    times: ArrayLike,
    q: ArrayLike,
    *,
    horizon: float | None = None,
    interpolation: Interpolation = "linear",
) -> float:
    """Area above Q(t) from the first time to ``horizon`` (default: the last time), in % d.

    Parameters
    ----------
    times : array_like
        Non-decreasing times, days.
    q : array_like
        Functionality at ``times``, percent (0-100).
    horizon : float, optional
        End of integration, days; beyond the last point Q holds its last value.
    interpolation : {"linear", "step"}
        Piecewise-linear curve, or right-continuous steps (Q = q[k] on [t[k], t[k+1])).

    Returns
    -------
    float
        Resilience loss, percent-days. Exact for the given curve shape.
    """
    t, y = _as_curve(times, q)
    end = float(t[-1]) if horizon is None else float(horizon)
    if end < t[0]:
        raise RecoveryError(f"horizon {end} d is before the curve starts at {t[0]} d")
    t_ext = np.append(t[t < end], end)
    y_ext = np.append(y[t < end], evaluate(t, y, [end], interpolation=interpolation)[0])
    gap = Q_FULL - y_ext
    dt = np.diff(t_ext)
    if interpolation == "linear":
        return float(np.sum(0.5 * (gap[:-1] + gap[1:]) * dt))
    return float(np.sum(gap[:-1] * dt))


def time_to_level(
    times: ArrayLike, q: ArrayLike, level: float, *, interpolation: Interpolation = "linear"
) -> float:
    """First time (days) at which Q reaches ``level`` percent; ``inf`` if it never does.

    For a piecewise-linear curve the crossing inside a rising segment is interpolated.
    """
    t, y = _as_curve(times, q)
    reached = np.flatnonzero(y >= level - Q_ATOL)
    if reached.size == 0:
        return float("inf")
    k = int(reached[0])
    if k == 0 or interpolation == "step":
        return float(t[k])
    t0, t1, y0, y1 = t[k - 1], t[k], y[k - 1], y[k]
    return float(t0 + (level - y0) * (t1 - t0) / (y1 - y0))
