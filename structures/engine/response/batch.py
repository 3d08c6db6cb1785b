"""Vectorised nonlinear time-history solver for many shear models x ground motions at once.

Same mechanics as ``time_history`` (OpenSees): Newmark average acceleration (gamma 1/2, beta 1/4),
full Newton iterations to ``||du||_2 < DISP_TOLERANCE_M``, Rayleigh damping ``a0 M + a1 K_init``
(isolation layer excluded from the stiffness term), springs with the ``Steel01`` rule without
isotropic hardening (bilinear kinematic hardening)::

    f = clip(f_c + k0 (d - d_c), b k0 d - (1 - b) fy, b k0 d + (1 - b) fy)

so results agree with OpenSees to solver tolerance. Systems are stacked along the last axis
(arrays are (n_dof, B)); each Newton iteration solves B tridiagonal systems with the Thomas
algorithm. Initial conditions u = v = a = 0 as in OpenSees' Newmark.

References
----------
Newmark NM (1959). A method of computation for structural dynamics. ASCE J. Eng. Mech. Div.
85(EM3):67-94. Chopra AK, Dynamics of Structures, 5th ed., section 5.7 (Newton-Raphson Newmark).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from structures.engine.response.inputs import GroundMotion
from structures.engine.response.shear_model import ShearModel
from structures.engine.response.time_history import (
    DISP_TOLERANCE_M,
    MAX_ITERATIONS,
    NEWMARK_BETA,
    NEWMARK_GAMMA,
)

F64 = NDArray[np.float64]


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
class _Group:
    """Stacked parameters of B systems with the same DOF count (arrays (n, B))."""

    m: F64
    k0: F64
    bk0: F64
    fy1b: F64
    kdamp: F64
    a0: F64
    a1: F64


def _stack(models: Sequence[ShearModel]) -> _Group:
    col = lambda f: np.stack([f(x) for x in models], axis=1)  # noqa: E731
    k0 = col(lambda x: x.k0_n_m)
    b = col(lambda x: x.hardening)
    fy = col(lambda x: x.fy_n)
    with np.errstate(invalid="ignore"):
        fy1b = np.where(np.isfinite(fy), fy * (1.0 - b), np.inf)
    return _Group(
        col(lambda x: x.masses_kg),
        k0,
        b * k0,
        fy1b,
        k0 * col(lambda x: x.damped_stiffness_mask),
        np.array([x.rayleigh[0] for x in models]),
        np.array([x.rayleigh[1] for x in models]),
    )


def _below(x: F64) -> F64:
    """x[i-1] with 0 below the first row."""
    out = np.zeros_like(x)
    out[1:] = x[:-1]
    return out


def _above(x: F64) -> F64:
    """x[i+1] with 0 above the last row."""
    out = np.zeros_like(x)
    out[:-1] = x[1:]
    return out


def thomas(diag: F64, off: F64, rhs: F64) -> F64:
    """Solve B symmetric tridiagonal systems (n, B): ``diag`` main, ``off`` (n-1, B) super/sub."""
    n = diag.shape[0]
    c = np.empty_like(off)
    r = np.empty_like(rhs)
    denom = diag[0]
    r[0] = rhs[0] / denom
    for i in range(1, n):
        c[i - 1] = off[i - 1] / denom
        denom = diag[i] - off[i - 1] * c[i - 1]
        r[i] = (rhs[i] - off[i - 1] * r[i - 1]) / denom
    for i in range(n - 2, -1, -1):
        r[i] -= c[i] * r[i + 1]
    return r


def _springs(g: _Group, d: F64, dc: F64, fc: F64) -> tuple[F64, F64]:
    """Steel01 (kinematic only) force and tangent for trial deformations ``d``."""
    trial = fc + g.k0 * (d - dc)
    upper = g.bk0 * d + g.fy1b
    lower = g.bk0 * d - g.fy1b
    f = np.maximum(np.minimum(trial, upper), lower)
    kt = np.where((trial <= upper) & (trial >= lower), g.k0, g.bk0)
    return f, kt


@dataclass(slots=True)
class _State:
    u: F64
    v: F64
    a: F64
    dc: F64
    fc: F64


def _step(g: _Group, s: _State, ag1: F64, dt: float) -> tuple[F64, F64, NDArray[np.bool_]]:
    """One Newmark step with Newton iterations; returns (deformations, accel, converged)."""
    c1, c2 = 1.0 / (NEWMARK_BETA * dt * dt), NEWMARK_GAMMA / (NEWMARK_BETA * dt)
    c3, c4 = 1.0 / (NEWMARK_BETA * dt), 1.0 / (2.0 * NEWMARK_BETA) - 1.0
    p = -g.m * ag1
    u = s.u.copy()
    ok = np.zeros(u.shape[1], dtype=bool)
    for _ in range(MAX_ITERATIONS):
        d = u - _below(u)
        f, kt = _springs(g, d, s.dc, s.fc)
        a_new = c1 * (u - s.u) - c3 * s.v - c4 * s.a
        v_new = s.v + dt * ((1.0 - NEWMARK_GAMMA) * s.a + NEWMARK_GAMMA * a_new)
        fint = f + g.a1 * g.kdamp * (v_new - _below(v_new))
        res = p - g.m * (a_new + g.a0 * v_new) - (fint - _above(fint))
        kspr = kt + c2 * g.a1 * g.kdamp
        diag = kspr + _above(kspr) + (c1 + c2 * g.a0) * g.m
        du = thomas(diag, -kspr[1:], res)
        u += du
        ok = np.sqrt(np.einsum("ij,ij->j", du, du)) < DISP_TOLERANCE_M
        if ok.all():
            break
    d = u - _below(u)
    s.fc, _ = _springs(g, d, s.dc, s.fc)
    a_new = c1 * (u - s.u) - c3 * s.v - c4 * s.a
    s.v = s.v + dt * ((1.0 - NEWMARK_GAMMA) * s.a + NEWMARK_GAMMA * a_new)
    s.u, s.a, s.dc = u, a_new, d
    return d, a_new, ok


def integrate(
    g: _Group, ag: F64, n_steps: NDArray[np.int64], dt: float
) -> tuple[F64, F64, F64, NDArray[np.bool_]]:
    """March B systems through ground accelerations ``ag`` (T, B) of ``n_steps`` steps each.

    Returns peak |deformation| (n, B) in m, peak |absolute acceleration| (n, B) in m/s^2, final
    displacements (n, B) and the converged flags (B,).
    """
    n, b = g.m.shape
    z = np.zeros((n, b))
    s = _State(z.copy(), z.copy(), z.copy(), z.copy(), z.copy())
    peak_d, peak_a, final = z.copy(), z.copy(), z.copy()
    converged = np.ones(b, dtype=bool)
    for k in range(int(n_steps.max())):
        d, a, ok = _step(g, s, ag[k + 1], dt)
        live = k < n_steps
        peak_d = np.where(live, np.maximum(peak_d, np.abs(d)), peak_d)
        peak_a = np.where(live, np.maximum(peak_a, np.abs(a + ag[k + 1])), peak_a)
        converged &= ok | ~live
        final = np.where(k == n_steps - 1, s.u, final)
    return peak_d, peak_a, final, converged


def _pairs(
    n_models: int, n_motions: int, pairs: Sequence[tuple[int, int]] | None
) -> NDArray[np.int64]:
    if pairs is None:
        return np.array([(i, j) for i in range(n_models) for j in range(n_motions)], dtype=np.int64)
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def run_batch(
    models: Sequence[ShearModel],
    motions: Sequence[GroundMotion],
    pairs: Sequence[tuple[int, int]] | None = None,
    *,
    chunk: int = 2048,
) -> BatchResult:
    """Peak responses of building-motion ``pairs`` (default: every model with every motion).

    Pairs are grouped by DOF count and motion time step and integrated ``chunk`` at a time.
    Complexity O(P x T x n x iterations) in vectorised numpy.
    """
    idx = _pairs(len(models), len(motions), pairs)
    p_count, width = idx.shape[0], max((m.n_storeys for m in models), default=0)
    out = {k: np.full((p_count, width), np.nan) for k in ("drift", "acc", "res")}
    iso = np.full(p_count, np.nan)
    conv = np.ones(p_count, dtype=bool)
    groups: dict[tuple[int, bool, float], list[int]] = defaultdict(list)
    for p, (i, j) in enumerate(idx):
        groups[(models[i].n_dof, models[i].isolated, motions[j].dt_s)].append(p)
    for (_, _, dt), members in groups.items():
        for start in range(0, len(members), chunk):
            sel = np.array(members[start : start + chunk])
            _run_chunk(models, motions, idx[sel], dt, sel, out, iso, conv)
    return BatchResult(idx[:, 0], idx[:, 1], out["drift"], out["acc"], out["res"], iso, conv)


def _run_chunk(
    models: Sequence[ShearModel],
    motions: Sequence[GroundMotion],
    idx: NDArray[np.int64],
    dt: float,
    sel: NDArray[np.int64],
    out: dict[str, F64],
    iso: F64,
    conv: NDArray[np.bool_],
) -> None:
    chunk_models = [models[i] for i in idx[:, 0]]
    recs = [motions[j].acc_m_s2 for j in idx[:, 1]]
    n_steps = np.array([r.size - 1 for r in recs], dtype=np.int64)
    ag = np.zeros((int(n_steps.max()) + 1, len(recs)))
    for c, r in enumerate(recs):
        ag[: r.size, c] = r
    g = _stack(chunk_models)
    peak_d, peak_a, final, ok = integrate(g, ag, n_steps, dt)
    first = chunk_models[0]
    s, h = int(first.isolated), np.stack([x.heights_m for x in chunk_models], axis=1)
    n = first.n_storeys
    out["drift"][sel, :n] = (peak_d[s:] / h[s:]).T
    out["acc"][sel, :n] = peak_a[s:].T
    out["res"][sel, :n] = ((final - _below(final))[s:] / h[s:]).T
    isolated = np.array([x.isolated for x in chunk_models])
    iso[sel] = np.where(isolated, peak_d[0], np.nan)
    conv[sel] = ok
