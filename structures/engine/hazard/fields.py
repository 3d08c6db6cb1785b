"""Scenario ground-motion fields: medians and spatially correlated realisations.

ln Y_ij = ln μ_j + τ_j·η_i + φ_j·ε_ij for realisation i and site j (one IMT), with η ~ N(0, 1)
one per event and IMT (correlated across IMTs by Baker & Jayaram 2008 when asked) and ε a
spatially correlated N(0, 1) field (Jayaram & Baker 2009), independent across IMTs.
See docs/hazard/fields.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from structures.engine.hazard.correlation import cross_imt_matrix, jayaram_baker_2009_range_km
from structures.engine.hazard.distances import Rupture, Sites
from structures.engine.hazard.errors import HazardInputError
from structures.engine.hazard.gmpe_base import GroundMotionModel, build_context
from structures.engine.hazard.imts import IMT, parse_imt
from structures.engine.hazard.spatial import cholesky_normals, grid_normals

#: Above this many sites the FFT-grid sampler replaces the exact Cholesky sampler.
CHOLESKY_MAX_SITES = 5000
CORRELATION_MODELS = ("JB2009", None)

Sampler = Callable[
    [NDArray[np.float64], NDArray[np.float64], float, int, np.random.Generator],
    NDArray[np.float64],
]


@dataclass(frozen=True, slots=True)
class GroundMotionFields:
    """Medians, sigmas and realisations of one scenario.

    Attributes
    ----------
    imts : tuple of IMT
    ln_median, sigma, tau, phi : NDArray[np.float64]
        Shape (n_sites, n_imt); natural logs of g (PGA, SA) or cm/s (PGV).
    realisations : NDArray[np.float64]
        Shape (n_real, n_sites, n_imt); ground motion in g (PGA, SA) or cm/s (PGV).
    between_event : NDArray[np.float64]
        Normalised between-event residuals η, shape (n_real, n_imt).
    method : str
        ``"cholesky"``, ``"grid"`` or ``"uncorrelated"`` (within-event sampler used).
    """

    imts: tuple[IMT, ...]
    ln_median: NDArray[np.float64]
    sigma: NDArray[np.float64]
    tau: NDArray[np.float64]
    phi: NDArray[np.float64]
    realisations: NDArray[np.float64]
    between_event: NDArray[np.float64]
    method: str


def _check(n_realisations: int, correlation: str | None, imts: Sequence[IMT | str]) -> None:
    if n_realisations < 1:
        raise HazardInputError(f"n_realisations must be ≥ 1, got {n_realisations}")
    if correlation not in CORRELATION_MODELS:
        raise HazardInputError(f"correlation {correlation!r} unknown; use 'JB2009' or None")
    if not imts:
        raise HazardInputError("give at least one IMT")


def _sampler(
    correlation: str | None, n_sites: int, cholesky_max_sites: int
) -> tuple[Sampler | None, str]:
    if correlation is None:
        return None, "uncorrelated"
    if n_sites <= cholesky_max_sites:
        return cholesky_normals, "cholesky"
    return grid_normals, "grid"


def simulate_fields(
    gmpe: GroundMotionModel,
    rupture: Rupture,
    sites: Sites,
    imts: Sequence[IMT | str],
    n_realisations: int,
    seed: int,
    correlation: str | None = "JB2009",
    *,
    vs30_clustered: bool = False,
    cross_imt_correlation: bool = True,
    cholesky_max_sites: int = CHOLESKY_MAX_SITES,
) -> GroundMotionFields:
    """Simulate ground-motion fields for one rupture.

    Parameters
    ----------
    gmpe : GroundMotionModel
    rupture : PointSource or FiniteRupture
    sites : Sites
    imts : sequence of IMT or str (``"PGA"``, ``"SA(0.3)"``)
    n_realisations : int
    seed : int
        Seed of the numpy Generator; the same inputs give byte-identical outputs.
    correlation : {"JB2009", None}
        Spatial correlation of within-event residuals (None: independent sites).
    vs30_clustered : bool
        Jayaram & Baker (2009) case 1 (short ranges) when True, case 2 (default) otherwise.
    cross_imt_correlation : bool
        Correlate between-event residuals across IMTs (Baker & Jayaram 2008).
    cholesky_max_sites : int
        Largest site count sampled exactly; above it the FFT-grid approximation is used.

    Returns
    -------
    GroundMotionFields

    Raises
    ------
    HazardInputError
        For an unknown correlation model, no IMT, n_realisations < 1, or a GMPE range error.

    Notes
    -----
    Cost: Cholesky O(n³ + n_real·n²); grid O(n_real·(G log G + n)) for a G-node grid.
    """
    _check(n_realisations, correlation, imts)
    imt_list = tuple(parse_imt(i) for i in imts)
    ctx = build_context(rupture, sites)
    motions = [gmpe.compute(ctx, imt) for imt in imt_list]
    ln_median, sigma, tau, phi = (
        np.column_stack([getattr(m, k) for m in motions])
        for k in ("ln_median", "sigma", "tau", "phi")
    )
    rng = np.random.default_rng(seed)
    cross = cross_imt_matrix(imt_list) if cross_imt_correlation else np.eye(len(imt_list))
    eta = rng.standard_normal((n_realisations, len(imt_list))) @ np.linalg.cholesky(cross).T
    sampler, method = _sampler(correlation, len(sites), cholesky_max_sites)
    out = np.empty((n_realisations, len(sites), len(imt_list)))
    for k, imt in enumerate(imt_list):
        eps = _within(
            sampler,
            ctx.distances.x_km,
            ctx.distances.y_km,
            imt,
            vs30_clustered,
            n_realisations,
            rng,
        )
        out[:, :, k] = np.exp(ln_median[:, k] + tau[:, k] * eta[:, k : k + 1] + phi[:, k] * eps)
    return GroundMotionFields(imt_list, ln_median, sigma, tau, phi, out, eta, method)


def _within(
    sampler: Sampler | None,
    x_km: NDArray[np.float64],
    y_km: NDArray[np.float64],
    imt: IMT,
    vs30_clustered: bool,
    n_real: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    if sampler is None:
        return rng.standard_normal((n_real, x_km.shape[0]))
    range_km = jayaram_baker_2009_range_km(imt.correlation_period_s, vs30_clustered=vs30_clustered)
    return sampler(x_km, y_km, range_km, n_real, rng)
