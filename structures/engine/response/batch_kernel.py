"""Compiled kernel of the batch solver: integrates one shear model x ground motion per loop pass.

Each system is marched through its own record (Newmark average acceleration), each step iterated
with full Newton until that system's own displacement increment satisfies
``||du||_2 < DISP_TOLERANCE_M`` or ``MAX_ITERATIONS`` is reached, as OpenSees' ``NormDispIncr`` test
does for one analysis. Springs follow OpenSees' ``Steel01`` state determination (``steel01``),
including its use of the last converged tangent for the first iteration of a step, so a system
converges with plain Newton where OpenSees' Newton does and fails where it fails (checked on
sampled stiff/weak systems, docs/structures/mdof-model.md; tests: a stiff yielding oscillator
cycles in both). The tangent is tridiagonal (a chain of springs) and is solved with the
Thomas algorithm in place, fused with the residual assembly.

Compiled with numba (``nopython``, IEEE arithmetic, no fastmath; ``error_model="numpy"``, so a
zero pivot gives inf/NaN and a not-converged flag instead of an exception). Serial: one core per
call. The machine code is cached in ``__pycache__`` next to this file, or in numba's user-wide
cache when that is not writable, or not at all when neither is (then each process compiles once:
4-6 s measured on the shared 2-core machine; loading from the cache took 0.7-1.4 s there).

References
----------
Newmark NM (1959). A method of computation for structural dynamics. ASCE J. Eng. Mech. Div.
85(EM3):67-94. Chopra AK, Dynamics of Structures, 5th ed., section 5.7 (Newton-Raphson Newmark).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

from structures.engine.response.time_history import (
    DISP_TOLERANCE_M,
    MAX_ITERATIONS,
    NEWMARK_BETA,
    NEWMARK_GAMMA,
)

DBL_EPSILON = float(np.finfo(np.float64).eps)  # Steel01's strain and stress thresholds
F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Fn = TypeVar("Fn", bound=Callable[..., Any])


def _compiled(fn: Fn) -> Fn:
    """``numba.njit(cache=True)``, without the on-disk cache when no cache directory is writable."""
    try:
        return cast(Fn, numba.njit(cache=True, error_model="numpy")(fn))
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        return cast(Fn, numba.njit(cache=False, error_model="numpy")(fn))


@_compiled
def steel01(
    d: float, dc: float, fc: float, kc: float, k0: float, bk0: float, fy1b: float
) -> tuple[float, float]:
    """Force (N) and tangent (N/m) of a ``Steel01`` spring without isotropic hardening.

    As OpenSees' ``Steel01::setTrialStrain``: from the committed deformation ``dc`` (m), force
    ``fc`` and tangent ``kc``, the elastic trial ``fc + k0 (d - dc)`` is clipped to the bounds
    ``b k0 d -/+ (1 - b) fy`` (``fy1b`` = (1 - b) fy); the tangent is k0 unless clipped. A change of
    deformation within ``DBL_EPSILON`` keeps the committed force and tangent, so the first Newton
    iteration of a step uses the tangent the spring had when the last step converged.
    """
    if abs(d - dc) <= DBL_EPSILON:
        return fc, kc
    trial = fc + k0 * (d - dc)
    f = max(min(trial, bk0 * d + fy1b), bk0 * d - fy1b)
    return f, (k0 if abs(f - trial) < DBL_EPSILON else bk0)


@_compiled
def integrate_pairs(
    springs: F64,
    rayleigh: F64,
    n_dof: I64,
    model_of: I64,
    ag: F64,
    ag_start: I64,
    dt: F64,
    n_steps: I64,
    motion_of: I64,
    peak_d: F64,
    peak_a: F64,
    final_u: F64,
    converged: NDArray[np.bool_],
) -> None:
    """Integrate pairs ``p`` = (model ``model_of[p]``, motion ``motion_of[p]``); write outputs.

    Parameters
    ----------
    springs : NDArray[np.float64]
        (n_models, 5, max DOFs): rows mass (kg), k0 (N/m), b k0 (N/m), (1 - b) fy (N, ``inf`` when
        elastic) and k0 of the springs in the stiffness-proportional damping (N/m, 0 otherwise).
        DOF/spring i joins DOF i-1 (the ground for i = 0) to DOF i.
    rayleigh : NDArray[np.float64]
        (n_models, 2): a0 (1/s) and a1 (s) of ``C = a0 M + a1 K_damped``.
    n_dof : NDArray[np.int64]
        (n_models,) DOF count of each model.
    model_of, motion_of : NDArray[np.int64]
        (P,) model and motion index of each pair.
    ag : NDArray[np.float64]
        Ground accelerations (m/s^2) of all motions end to end; motion j starts at ``ag_start[j]``
        with its sample at t = 0.
    ag_start, dt, n_steps : NDArray
        (n_motions,) offset in ``ag``, time step (s) and number of steps (samples - 1) of each
        motion.
    peak_d, peak_a, final_u : NDArray[np.float64]
        (P, max DOFs) outputs: peak |spring deformation| (m), peak |absolute acceleration| of each
        mass (m/s^2) and displacements relative to the ground at the last step (m).
    converged : NDArray[np.bool_]
        (P,) output: False when some step ended without meeting the tolerance.
    """
    width = springs.shape[2]
    u, v, a, dc, fc = (
        np.zeros(width),
        np.zeros(width),
        np.zeros(width),
        np.zeros(width),
        np.zeros(width),
    )
    ut, fint, inert, kspr = np.zeros(width), np.zeros(width), np.zeros(width), np.zeros(width)
    kc, cc, du = np.zeros(width), np.zeros(width), np.zeros(width)
    one_minus_gamma = 1.0 - NEWMARK_GAMMA
    c4 = 1.0 / (2.0 * NEWMARK_BETA) - 1.0
    for p in range(model_of.size):
        mi, j = model_of[p], motion_of[p]
        n, h = n_dof[mi], dt[j]
        m, k0, bk0 = springs[mi, 0], springs[mi, 1], springs[mi, 2]
        fy1b, kdamp = springs[mi, 3], springs[mi, 4]
        a0, a1 = rayleigh[mi, 0], rayleigh[mi, 1]
        c1, c2 = 1.0 / (NEWMARK_BETA * h * h), NEWMARK_GAMMA / (NEWMARK_BETA * h)
        c3 = 1.0 / (NEWMARK_BETA * h)
        kmass = c1 + c2 * a0
        a1c2 = c2 * a1
        for i in range(n):
            u[i], v[i], a[i], dc[i], fc[i], kc[i] = 0.0, 0.0, 0.0, 0.0, 0.0, k0[i]
            peak_d[p, i], peak_a[p, i] = 0.0, 0.0
        ok_all = True
        first = ag_start[j] + 1
        for k in range(n_steps[j]):
            ag1 = ag[first + k]
            for i in range(n):
                ut[i] = u[i]
            ok = False
            for _ in range(MAX_ITERATIONS):
                # springs (Steel01, kinematic hardening only) and Newmark kinematics at trial ut
                below_u = below_v = 0.0
                for i in range(n):
                    d = ut[i] - below_u
                    f, kt = steel01(d, dc[i], fc[i], kc[i], k0[i], bk0[i], fy1b[i])
                    an = c1 * (ut[i] - u[i]) - c3 * v[i] - c4 * a[i]
                    vn = v[i] + h * (one_minus_gamma * a[i] + NEWMARK_GAMMA * an)
                    fint[i] = f + a1 * kdamp[i] * (vn - below_v)
                    inert[i] = -m[i] * ag1 - m[i] * (an + a0 * vn)
                    kspr[i] = kt + a1c2 * kdamp[i]
                    below_u, below_v = ut[i], vn
                # residual and tangent rows fused with the Thomas forward sweep; the tangent is
                # symmetric tridiagonal with off-diagonal -kspr[i] between DOFs i-1 and i
                denom = 1.0
                for i in range(n):
                    above_f = fint[i + 1] if i + 1 < n else 0.0
                    above_k = kspr[i + 1] if i + 1 < n else 0.0
                    diag = kspr[i] + above_k + kmass * m[i]
                    rhs = inert[i] - (fint[i] - above_f)
                    if i == 0:
                        denom = diag
                        du[0] = rhs / denom
                    else:
                        off = -kspr[i]
                        cc[i - 1] = off / denom
                        denom = diag - off * cc[i - 1]
                        du[i] = (rhs - off * du[i - 1]) / denom
                # back substitution fused with the update and the increment norm
                ut[n - 1] += du[n - 1]
                norm2 = du[n - 1] * du[n - 1]
                for i in range(n - 2, -1, -1):
                    du[i] -= cc[i] * du[i + 1]
                    ut[i] += du[i]
                    norm2 += du[i] * du[i]
                if np.sqrt(norm2) < DISP_TOLERANCE_M:
                    ok = True
                    break
            ok_all = ok_all and ok
            # commit the step
            below_u = 0.0
            for i in range(n):
                d = ut[i] - below_u
                fc[i], kc[i] = steel01(d, dc[i], fc[i], kc[i], k0[i], bk0[i], fy1b[i])
                if abs(d - dc[i]) > DBL_EPSILON:  # Steel01 keeps its strain below that change
                    dc[i] = d
                an = c1 * (ut[i] - u[i]) - c3 * v[i] - c4 * a[i]
                v[i] = v[i] + h * (one_minus_gamma * a[i] + NEWMARK_GAMMA * an)
                a[i] = an
                u[i] = ut[i]
                below_u = ut[i]
                peak_d[p, i] = max(peak_d[p, i], abs(d))
                peak_a[p, i] = max(peak_a[p, i], abs(an + ag1))
        for i in range(n):
            final_u[p, i] = u[i]
        converged[p] = ok_all
