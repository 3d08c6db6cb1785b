"""Reference for the compiled batch kernel: the original vectorised numpy formulation.

The batch solver first shipped as this numpy code (systems stacked along the last axis, arrays
(n_dof, B), every Newton iteration one Thomas solve of B tridiagonal systems). It is kept here, in
the tests only, as an independent formulation of the same mechanics that the numba kernel in
``structures.engine.response.batch_kernel`` must reproduce. It iterates a group in lockstep until
every system of the group meets the tolerance, so converged systems take extra (tiny) iterations;
run one system per group to follow the kernel's per-system stopping rule exactly.
"""

from __future__ import annotations

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


def reference_pairs(
    models: Sequence[ShearModel], motions: Sequence[GroundMotion]
) -> tuple[F64, F64, F64, NDArray[np.bool_]]:
    """Integrate ``models[k]`` under ``motions[k]`` together (same DOF count and time step).

    Returns peak |deformation| (m), peak |absolute acceleration| (m/s^2) and final displacements
    (m), each (P, n_dof), and the converged flags (P,).
    """
    dts = {g.dt_s for g in motions}
    if len({x.n_dof for x in models}) != 1 or len(dts) != 1:
        raise ValueError("reference_pairs needs one DOF count and one time step")
    n_steps = np.array([g.acc_m_s2.size - 1 for g in motions], dtype=np.int64)
    ag = np.zeros((int(n_steps.max()) + 1, len(motions)))
    for c, g in enumerate(motions):
        ag[: g.acc_m_s2.size, c] = g.acc_m_s2
    peak_d, peak_a, final, ok = integrate(_stack(models), ag, n_steps, dts.pop())
    return peak_d.T, peak_a.T, final.T, ok
