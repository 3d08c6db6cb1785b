"""Hazus lognormal fragility arithmetic, vectorised.

P[ds >= DS_k | x] = Phi(ln(x / x_med,k) / beta_k) (Hazus Technical Manual, Chapter 5, Eq. 5-1).
Damage states are numbered 0 none, 1 slight, 2 moderate, 3 extensive, 4 complete, and 5
complete with collapse where collapse is sampled.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from structures.engine.response.tables import Fragility

F64 = NDArray[np.float64]
NONE, SLIGHT, MODERATE, EXTENSIVE, COMPLETE, COLLAPSE = range(6)
# Drift-sensitive nonstructural damage: Hazus inter-storey drift ratios at the thresholds
# (Technical Manual, Chapter 5, nonstructural drift-sensitive components). beta is the platform's
# choice for storey-level use (as SimCenter pelicun's Hazus story-based assessment uses 0.5).
NSD_DRIFT_MEDIANS = np.array([0.004, 0.008, 0.025, 0.050])
NSD_BETA = 0.5


def exceedance(x: F64, medians: F64, betas: F64) -> F64:
    """P[ds >= k | x] for k = slight..complete; shape ``x.shape + (4,)``.

    ``medians`` and ``betas`` broadcast against ``x[..., None]`` (e.g. (4,) or (B, 1, 4)).
    """
    x = np.asarray(x, dtype=float)[..., None]
    with np.errstate(divide="ignore"):
        return ndtr(np.log(x / medians) / betas)


def state_probabilities(exceed: F64) -> F64:
    """P[ds = none, slight, moderate, extensive, complete] from exceedances (..., 4) -> (..., 5)."""
    padded = np.concatenate(
        [np.ones((*exceed.shape[:-1], 1)), exceed, np.zeros((*exceed.shape[:-1], 1))], axis=-1
    )
    return padded[..., :-1] - padded[..., 1:]


def sample_states(x: F64, medians: F64, betas: F64, z: F64) -> NDArray[np.int8]:
    """Damage state 0-4 per element of ``x`` given standard normal draws ``z`` (same shape).

    State = number of curves with P_k(x) > Phi(z), i.e. ln(x / med_k) > beta_k z: one draw per
    element keeps the four states of one component consistent.
    """
    lnx = np.log(np.maximum(x, 1e-300))[..., None]
    hit = (lnx - np.log(medians)) > betas * np.asarray(z)[..., None]
    return hit.sum(axis=-1, dtype=np.int8)


def fragility_arrays(curves: list[Fragility]) -> tuple[F64, F64]:
    """Stack per-building curves into medians and betas of shape (B, 4)."""
    return np.stack([c.medians for c in curves]), np.stack([c.betas for c in curves])
