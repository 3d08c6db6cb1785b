"""Monte Carlo of restoration: uncertain repair durations (and damage), bands of Q(t).

Each realisation multiplies every task's work by an independent lognormal factor with median 1
and logarithmic standard deviation ``beta`` (the form FEMA P-58 uses for repair-time
uncertainty), and may take its own damaged-component set (one per damage realisation from the
structures and lifelines engines). Realisation ``k`` draws from the ``k``-th child of
``numpy.random.SeedSequence(seed)``, so results do not depend on how realisations are split
into chunks or workers.

Bands: on a common time grid, the mean and percentiles of Q(t) over realisations per system
and for the town; metrics (resilience loss, times to 90 and 100 %) with their mean and
84th percentile (GB/T 38591 takes indicators at 84 % guarantee).

References
----------
FEMA P-58-1 (2018). Seismic Performance Assessment of Buildings, Vol. 1 - Methodology,
    2nd ed., Sect. 7 (lognormal repair-time dispersion).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from scenarios.engine.errors import RecoveryError
from scenarios.engine.recovery import CrewPool, RecoveryResult, RepairTask, simulate_recovery
from scenarios.engine.resilience import resilience_loss

#: Default lognormal dispersion of repair work (dimensionless); FEMA P-58 typical 0.3-0.5.
DEFAULT_DURATION_BETA = 0.4
DEFAULT_PERCENTILES: tuple[float, ...] = (10.0, 50.0, 84.0, 90.0)
GUARANTEE_PERCENTILE = 84.0
DEFAULT_GRID_POINTS = 201


@dataclass(frozen=True, slots=True)
class RecoveryBands:
    """Q(t) bands over Monte Carlo realisations.

    Attributes
    ----------
    names : tuple of str
        Systems in order, then ``"town"`` last.
    grid_days : NDArray[np.float64], shape (g,)
        Common time grid, d.
    q_mean : NDArray[np.float64], shape (s, g)
        Mean functionality, %.
    percentiles : tuple of float
        Percentile levels of ``q_pct`` (0-100).
    q_pct : NDArray[np.float64], shape (p, s, g)
        Functionality percentiles, %.
    loss_pct_days, time_to_90_days, time_to_100_days : NDArray[np.float64], shape (n, s)
        Per-realisation metrics (% d, d, d).
    seed : int
        Seed of the realisations.
    """

    names: tuple[str, ...]
    grid_days: NDArray[np.float64]
    q_mean: NDArray[np.float64]
    percentiles: tuple[float, ...]
    q_pct: NDArray[np.float64]
    loss_pct_days: NDArray[np.float64]
    time_to_90_days: NDArray[np.float64]
    time_to_100_days: NDArray[np.float64]
    seed: int

    def summary(self) -> dict[str, dict[str, float]]:
        """Mean and 84th percentile of each metric per system and for the town."""
        out: dict[str, dict[str, float]] = {}
        for k, name in enumerate(self.names):
            row: dict[str, float] = {}
            for label, arr in (
                ("loss_pct_days", self.loss_pct_days),
                ("time_to_90_days", self.time_to_90_days),
                ("time_to_100_days", self.time_to_100_days),
            ):
                row[f"{label}_mean"] = float(np.mean(arr[:, k]))
                row[f"{label}_p84"] = float(np.percentile(arr[:, k], GUARANTEE_PERCENTILE))
            out[name] = row
        return out


def sample_durations(
    tasks: Sequence[RepairTask], *, beta: float, rng: np.random.Generator
) -> tuple[RepairTask, ...]:
    """Tasks with work multiplied by lognormal(median 1, ``beta``) factors."""
    if beta < 0.0:
        raise RecoveryError(f"duration dispersion beta must be >= 0, got {beta}")
    factors = np.exp(beta * rng.standard_normal(len(tasks)))
    return tuple(
        replace(t, work_days=t.work_days * float(f)) for t, f in zip(tasks, factors, strict=True)
    )


def recovery_monte_carlo(
    task_sets: Sequence[Sequence[RepairTask]],
    crews: Mapping[str, CrewPool],
    totals: Mapping[str, float],
    *,
    n_realisations: int,
    seed: int,
    beta: float = DEFAULT_DURATION_BETA,
    system_weights: Mapping[str, float] | None = None,
    horizon_days: float | None = None,
    grid_points: int = DEFAULT_GRID_POINTS,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
) -> RecoveryBands:
    """Monte Carlo restoration with bands of Q(t).

    Parameters
    ----------
    task_sets : sequence of sequences of RepairTask
        Damaged components; realisation ``k`` uses ``task_sets[k % len(task_sets)]`` (one set
        for duration uncertainty only, or one per damage realisation).
    crews, totals, system_weights
        As in :func:`scenarios.engine.recovery.simulate_recovery`.
    n_realisations : int
        Number of realisations (>= 1).
    seed : int
        Seed of ``numpy.random.SeedSequence``; same inputs give identical bands.
    beta : float
        Lognormal dispersion of repair work (dimensionless).
    horizon_days : float, optional
        Grid end and loss horizon, d; default the largest completion over realisations.
    grid_points : int
        Points of the common time grid.
    percentiles : sequence of float
        Percentile levels of the bands.

    Returns
    -------
    RecoveryBands
    """
    if n_realisations < 1 or not task_sets:
        raise RecoveryError("need at least one realisation and one damaged-component set")
    children = np.random.SeedSequence(seed).spawn(n_realisations)
    runs = [
        simulate_recovery(
            sample_durations(
                task_sets[k % len(task_sets)], beta=beta, rng=np.random.default_rng(ch)
            ),
            crews,
            totals,
            system_weights=system_weights,
            horizon_days=horizon_days,
        )
        for k, ch in enumerate(children)
    ]
    return bands_from_results(
        runs, seed=seed, grid_points=grid_points, percentiles=percentiles, horizon_days=horizon_days
    )


def bands_from_results(
    runs: Sequence[RecoveryResult],
    *,
    seed: int,
    grid_points: int = DEFAULT_GRID_POINTS,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    horizon_days: float | None = None,
) -> RecoveryBands:
    """Aggregate recovery realisations into bands on a common grid (0 .. horizon)."""
    names = (*(c.name for c in runs[0].systems), "town")
    end = horizon_days or max(
        max(float(c.times_days[-1]) for c in (*r.systems, r.town)) for r in runs
    )
    grid = np.linspace(0.0, max(end, 1.0), grid_points)
    q = np.empty((len(runs), len(names), grid.size))
    metrics = np.empty((3, len(runs), len(names)))
    for i, run in enumerate(runs):
        for j, curve in enumerate((*run.systems, run.town)):
            idx = np.searchsorted(curve.times_days, grid, side="right") - 1
            q[i, j] = curve.q_pct[idx]
            metrics[:, i, j] = (curve.loss_pct_days, curve.time_to_90_days, curve.time_to_100_days)
    pct = tuple(float(p) for p in percentiles)
    # Recomputed on the common horizon so every realisation integrates over the same window.
    if horizon_days is None:
        metrics[0] = _losses_on(runs, float(grid[-1]))
    return RecoveryBands(
        names,
        grid,
        q.mean(axis=0),
        pct,
        np.percentile(q, pct, axis=0),
        metrics[0],
        metrics[1],
        metrics[2],
        seed,
    )


def _losses_on(runs: Sequence[RecoveryResult], horizon: float) -> NDArray[np.float64]:
    return np.array(
        [
            [
                resilience_loss(c.times_days, c.q_pct, horizon=horizon, interpolation="step")
                for c in (*r.systems, r.town)
            ]
            for r in runs
        ]
    )
