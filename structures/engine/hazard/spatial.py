"""Spatially correlated standard-normal fields at sites with an exponential correlation.

Two samplers, both vectorised over realisations:

- :func:`cholesky_normals` — exact: L Lᵀ = R (site-to-site correlation matrix), z = L·n.
  Memory O(n²), time O(n³); used up to ``cholesky_max_sites`` (default 5,000 sites).
- :func:`grid_normals` — approximation for many sites: an exact Gaussian field on a regular
  grid by circulant embedding (FFT; Dietrich & Newsam 1997, https://doi.org/10.1137/S1064827596309980),
  then bilinear interpolation to the sites plus an independent normal term carrying the variance
  the interpolation loses (1 − wᵀRw, R the correlation of the four nodes), so every site has unit
  variance and correlations between sites in different cells are the interpolated ones.
  Memory O(grid), time O(grid log grid + n_sites) per realisation.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg
from numpy.typing import NDArray
from scipy.spatial.distance import cdist

from structures.engine.hazard.correlation import exponential_correlation

#: Diagonal nugget added before the Cholesky factorisation (co-located sites make R singular).
CHOLESKY_NUGGET = 1e-9
#: Grid nodes per correlation range in the FFT sampler.
GRID_NODES_PER_RANGE = 16
#: Upper bound on the embedding torus size (nodes) to cap memory.
MAX_TORUS_NODES = 2**22
#: Upper bound on floats held per FFT batch (realisation pairs × torus).
MAX_BATCH_FLOATS = 2**25


def cholesky_normals(
    x_km: NDArray[np.float64],
    y_km: NDArray[np.float64],
    range_km: float,
    n_real: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Exact correlated N(0, 1) fields, shape (n_real, n_sites)."""
    xy = np.column_stack([x_km, y_km])
    corr = exponential_correlation(cdist(xy, xy), range_km)
    corr[np.diag_indices_from(corr)] += CHOLESKY_NUGGET
    lower = scipy.linalg.cholesky(corr, lower=True, overwrite_a=True, check_finite=False)
    normals = rng.standard_normal((n_real, xy.shape[0]))
    return np.asarray(normals @ lower.T) / math.sqrt(1.0 + CHOLESKY_NUGGET)


def _torus_eigenvalues(mx: int, my: int, spacing_km: float, range_km: float) -> NDArray[np.float64]:
    """Eigenvalues of the block-circulant covariance on an mx × my torus (clipped at 0)."""
    ix = np.minimum(np.arange(mx), mx - np.arange(mx)) * spacing_km
    iy = np.minimum(np.arange(my), my - np.arange(my)) * spacing_km
    row = exponential_correlation(np.hypot(ix[:, None], iy[None, :]), range_km)
    eig = np.real(np.fft.fft2(row))
    return np.clip(eig, 0.0, None)


def _grid_layout(
    x_km: NDArray[np.float64], y_km: NDArray[np.float64], range_km: float
) -> tuple[float, float, float, int, int]:
    """Origin, spacing (km) and node counts of a grid covering the sites."""
    x0, y0 = float(np.min(x_km)), float(np.min(y_km))
    extent = max(float(np.max(x_km)) - x0, float(np.max(y_km)) - y0, 1e-6)
    spacing = range_km / GRID_NODES_PER_RANGE
    pad = math.ceil(range_km / spacing)  # the torus wraps at ≥ 1 range beyond the domain
    while (2 * (math.ceil(extent / spacing) + 2) + pad) ** 2 > MAX_TORUS_NODES:
        spacing *= 1.25
        pad = math.ceil(range_km / spacing)
    nx = math.ceil((float(np.max(x_km)) - x0) / spacing) + 2
    ny = math.ceil((float(np.max(y_km)) - y0) / spacing) + 2
    return x0, y0, spacing, nx, ny


def grid_normals(
    x_km: NDArray[np.float64],
    y_km: NDArray[np.float64],
    range_km: float,
    n_real: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Approximately correlated N(0, 1) fields at many sites, shape (n_real, n_sites)."""
    x0, y0, h, nx, ny = _grid_layout(x_km, y_km, range_km)
    pad = math.ceil(range_km / h)
    mx, my = 2 * nx + pad, 2 * ny + pad
    scale = np.sqrt(_torus_eigenvalues(mx, my, h, range_km) / (mx * my))
    fx, fy = (np.asarray(x_km) - x0) / h, (np.asarray(y_km) - y0) / h
    ix, iy = np.floor(fx).astype(np.intp), np.floor(fy).astype(np.intp)
    weights, residual_sd = _bilinear_weights(fx - ix, fy - iy, h, range_km)
    out = np.empty((n_real, ix.shape[0]))
    batch = max(1, MAX_BATCH_FLOATS // (2 * mx * my))
    for start in range(0, math.ceil(n_real / 2), batch):
        pairs = min(batch, math.ceil(n_real / 2) - start)
        noise = rng.standard_normal((pairs, mx, my)) + 1j * rng.standard_normal((pairs, mx, my))
        field = np.fft.fft2(scale * noise)
        both = np.concatenate([field.real[:, :nx, :ny], field.imag[:, :nx, :ny]])
        values = _interpolate(both, ix, iy, weights)
        values += residual_sd * rng.standard_normal(values.shape)
        stop = min(n_real, 2 * (start + pairs))
        out[2 * start : stop] = values[: stop - 2 * start]
    return out


def _bilinear_weights(
    fx: NDArray[np.float64], fy: NDArray[np.float64], h: float, range_km: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Bilinear weights (n, 4) and the std of the variance they miss, sqrt(1 − wᵀRw)."""
    w = np.column_stack([(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy])
    r1, r2 = math.exp(-3.0 * h / range_km), math.exp(-3.0 * h * math.sqrt(2.0) / range_km)
    corr = np.array([[1, r1, r1, r2], [r1, 1, r2, r1], [r1, r2, 1, r1], [r2, r1, r1, 1]])
    variance = np.einsum("ni,ij,nj->n", w, corr, w)
    return w, np.sqrt(np.clip(1.0 - variance, 0.0, None))


def _interpolate(
    grid: NDArray[np.float64],
    ix: NDArray[np.intp],
    iy: NDArray[np.intp],
    weights: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Weighted sum of the four grid nodes around each site, for every realisation."""
    return (
        grid[:, ix, iy] * weights[:, 0]
        + grid[:, ix + 1, iy] * weights[:, 1]
        + grid[:, ix, iy + 1] * weights[:, 2]
        + grid[:, ix + 1, iy + 1] * weights[:, 3]
    )
