"""Nonlinear time-history solver for many shear models x ground motions at once (compiled).

Same mechanics as ``time_history`` (OpenSees): Newmark average acceleration (gamma 1/2, beta 1/4),
full Newton iterations to ``||du||_2 < DISP_TOLERANCE_M`` (at most ``MAX_ITERATIONS``) per system
and step, Rayleigh damping ``a0 M + a1 K_init`` (isolation layer excluded from the stiffness term),
springs with the ``Steel01`` rule without isotropic hardening (bilinear kinematic hardening)::

    f = clip(f_c + k0 (d - d_c), b k0 d - (1 - b) fy, b k0 d + (1 - b) fy)

so results agree with OpenSees to solver tolerance. Initial conditions u = v = a = 0 as in
OpenSees' Newmark; the spring tangent is k0 inside the band and b k0 on a bound, and a step's first
Newton iteration uses the tangent of the last converged state, as ``Steel01`` does. This module
packs the models and motions into arrays and unpacks the peaks; the integration itself is the
numba kernel ``batch_kernel.integrate_pairs`` (one system per loop pass, so each system stops
iterating when it has converged).

References
----------
Newmark NM (1959). A method of computation for structural dynamics. ASCE J. Eng. Mech. Div.
85(EM3):67-94. Chopra AK, Dynamics of Structures, 5th ed., section 5.7 (Newton-Raphson Newmark).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from structures.engine.response.inputs import GroundMotion
from structures.engine.response.shear_model import ShearModel

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Peak responses of building-motion pairs; storey arrays are NaN-padded to the tallest model.

    Attributes
    ----------
    building_index, motion_index : NDArray[np.int64]
        Indices into the ``models`` and ``motions`` given to ``run_batch`` (P,).
    peak_drift_ratio, peak_floor_acc_m_s2, residual_drift_ratio : NDArray[np.float64]
        (P, max storeys), as in ``ResponseResult``.
    peak_isolator_disp_m : NDArray[np.float64]
        (P,), NaN for fixed-base buildings.
    converged : NDArray[np.bool_]
        False where some step did not meet the tolerance in ``MAX_ITERATIONS`` iterations.
    """

    building_index: NDArray[np.int64]
    motion_index: NDArray[np.int64]
    peak_drift_ratio: F64
    peak_floor_acc_m_s2: F64
    residual_drift_ratio: F64
    peak_isolator_disp_m: F64
    converged: NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class PackedModels:
    """Shear models as padded arrays, the layout ``integrate_pairs`` reads.

    Attributes
    ----------
    springs : NDArray[np.float64]
        (n_models, 5, max DOFs): mass (kg), k0 (N/m), b k0 (N/m), (1 - b) fy (N, ``inf`` when
        elastic), k0 in the stiffness-proportional damping (N/m); zero padding.
    rayleigh : NDArray[np.float64]
        (n_models, 2) Rayleigh a0 (1/s) and a1 (s).
    n_dof : NDArray[np.int64]
        (n_models,) DOF count.
    """

    springs: F64
    rayleigh: F64
    n_dof: I64


def _padded(models: Sequence[ShearModel], field: str, width: int) -> F64:
    """(n_models, width) array of a per-DOF field of the models, zero-padded on the right."""
    n = np.array([x.n_dof for x in models], dtype=np.int64)
    out = np.zeros((len(models), width))
    if len(models):
        mask = np.arange(width) < n[:, None]
        out[mask] = np.concatenate([getattr(x, field) for x in models])
    return out


def pack_models(models: Sequence[ShearModel]) -> PackedModels:
    """Pad the models' spring and mass properties to the largest DOF count."""
    width = max((x.n_dof for x in models), default=1)
    k0 = _padded(models, "k0_n_m", width)
    b = _padded(models, "hardening", width)
    fy = _padded(models, "fy_n", width)
    with np.errstate(invalid="ignore"):
        fy1b = np.where(np.isfinite(fy), fy * (1.0 - b), np.inf)
    damped = k0.copy()
    damped[[x.isolated for x in models], 0] = 0.0  # isolation layer: no stiffness damping
    springs = np.stack([_padded(models, "masses_kg", width), k0, b * k0, fy1b, damped], axis=1)
    rayleigh = np.array([x.rayleigh for x in models], dtype=np.float64).reshape(-1, 2)
    return PackedModels(springs, rayleigh, np.array([x.n_dof for x in models], dtype=np.int64))


@dataclass(frozen=True, slots=True)
class PackedMotions:
    """Distinct ground motions laid end to end, the layout ``integrate_pairs`` reads.

    Attributes
    ----------
    ag : NDArray[np.float64]
        All samples (m/s^2) of the distinct records, concatenated (no padding).
    start, dt, n_steps : NDArray
        (n_distinct,) offset of each record in ``ag``, its time step (s) and step count.
    row_of : NDArray[np.int64]
        (len(motions),) distinct record of each given motion (a motion object repeated in the
        input, as when many buildings share a record, is stored once).
    """

    ag: F64
    start: I64
    dt: F64
    n_steps: I64
    row_of: I64


def pack_motions(motions: Sequence[GroundMotion]) -> PackedMotions:
    """Concatenate the distinct motion objects' records."""
    rows: dict[int, int] = {}
    distinct: list[GroundMotion] = []
    row_of = np.empty(len(motions), dtype=np.int64)
    for j, g in enumerate(motions):
        row = rows.setdefault(id(g), len(distinct))
        if row == len(distinct):
            distinct.append(g)
        row_of[j] = row
    sizes = np.array([g.acc_m_s2.size for g in distinct], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    records = [np.asarray(g.acc_m_s2, dtype=np.float64) for g in distinct]
    ag = np.concatenate(records) if records else np.zeros(0)
    dt = np.array([g.dt_s for g in distinct], dtype=np.float64)
    return PackedMotions(ag, start, dt, sizes - 1, row_of)


def _pairs(
    n_models: int, n_motions: int, pairs: Sequence[tuple[int, int]] | None
) -> NDArray[np.int64]:
    if pairs is None:
        grid = np.indices((n_models, n_motions), dtype=np.int64)
        return grid.reshape(2, -1).T.copy()
    idx = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    bad = (idx[:, 0] < 0) | (idx[:, 0] >= n_models) | (idx[:, 1] < 0) | (idx[:, 1] >= n_motions)
    if bad.any():
        k = int(np.argmax(bad))
        raise ValueError(
            f"pair {k} = ({idx[k, 0]}, {idx[k, 1]}) refers to no model/motion: there are "
            f"{n_models} models and {n_motions} motions (indices start at 0)"
        )
    return idx


def run_batch(
    models: Sequence[ShearModel],
    motions: Sequence[GroundMotion],
    pairs: Sequence[tuple[int, int]] | None = None,
    *,
    chunk: int = 2048,
) -> BatchResult:
    """Peak responses of building-motion ``pairs`` (default: every model with every motion).

    Pairs are integrated by the compiled kernel ``chunk`` at a time (this bounds nothing but the
    size of one kernel call; results do not depend on it). Models of any DOF count and motions of
    any time step or length mix freely. Complexity O(P x T x n x Newton iterations); the first
    call in a process loads (or, without a cache, compiles) the kernel.

    Raises
    ------
    ValueError
        When a pair names a model or motion that is not given, or ``chunk`` < 1.
    """
    # numba is imported on first use, not with the package (~1 s that web processes never need)
    from structures.engine.response.batch_kernel import integrate_pairs

    if chunk < 1:
        raise ValueError(f"chunk must be >= 1 pairs per kernel call, got {chunk}")
    idx = _pairs(len(models), len(motions), pairs)
    packed = pack_models(models)
    records = pack_motions(motions)
    motion_rows = records.row_of[idx[:, 1]]
    p_count, width = idx.shape[0], packed.springs.shape[2]
    peak_d, peak_a, final = (np.zeros((p_count, width)) for _ in range(3))
    converged = np.ones(p_count, dtype=bool)
    for start in range(0, p_count, chunk):
        part = slice(start, start + chunk)
        integrate_pairs(
            packed.springs,
            packed.rayleigh,
            packed.n_dof,
            np.ascontiguousarray(idx[part, 0]),
            records.ag,
            records.start,
            records.dt,
            records.n_steps,
            motion_rows[part],
            peak_d[part],
            peak_a[part],
            final[part],
            converged[part],
        )
    return _result(models, idx, peak_d, peak_a, final, converged)


def _result(
    models: Sequence[ShearModel],
    idx: NDArray[np.int64],
    peak_d: F64,
    peak_a: F64,
    final: F64,
    converged: NDArray[np.bool_],
) -> BatchResult:
    """Storey drifts, floor accelerations and residual drifts from the per-DOF kernel outputs.

    Column c of a pair's storey arrays is spring/DOF c + 1 of an isolated model (DOF 0 is the base
    slab above the isolation layer) and DOF c of a fixed-base one; columns past its storeys are NaN.
    """
    width = peak_d.shape[1]
    storeys = max((m.n_storeys for m in models), default=0)
    model_of = idx[:, 0]
    isolated = np.array([m.isolated for m in models], dtype=bool)[model_of]
    n_storeys = np.array([m.n_storeys for m in models], dtype=np.int64)[model_of]
    heights = _padded(models, "heights_m", width)[model_of]
    cols = np.minimum(isolated[:, None] + np.arange(storeys), width - 1)
    valid = np.arange(storeys) < n_storeys[:, None]
    deformation = final.copy()
    deformation[:, 1:] -= final[:, :-1]

    def storey(x: F64) -> F64:
        return np.where(valid, np.take_along_axis(x, cols, axis=1), np.nan)

    h = storey(heights)
    iso = np.where(isolated, peak_d[:, 0], np.nan)
    return BatchResult(
        model_of.copy(),
        idx[:, 1].copy(),
        storey(peak_d) / h,
        storey(peak_a),
        storey(deformation) / h,
        iso,
        converged,
    )
