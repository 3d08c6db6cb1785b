"""Analytic Hierarchy Process: weights and consistency of pairwise comparison matrices.

A pairwise comparison matrix ``A`` (n x n) holds judgements ``a_ij`` on Saaty's 1-9 scale of how
much element ``i`` dominates element ``j``; it must be positive with ``a_ii = 1`` and
``a_ji = 1 / a_ij``. Weights are the normalised principal right eigenvector (Saaty 1977) or,
as an option, the normalised row geometric means (Crawford & Williams 1985). Consistency:

    CI = (lambda_max - n) / (n - 1),    CR = CI / RI(n)

with ``RI`` Saaty's random index (mean CI of random reciprocal matrices). Judgements are
accepted when ``CR < 0.1``. ``CR`` is always computed from ``lambda_max`` of the matrix, also
for geometric-mean weights, so the acceptance test does not depend on the weighting method.

References
----------
Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures. J. Math.
    Psychol. 15(3), 234-281. doi:10.1016/0022-2496(77)90033-5
Saaty, T. L. (1980). The Analytic Hierarchy Process. McGraw-Hill, New York (random index
    table, Table 1.7 as reproduced in Saaty 1990, doi:10.1016/0377-2217(90)90057-I).
Saaty, T. L. (2008). Decision making with the analytic hierarchy process. Int. J. Services
    Sciences 1(1), 83-98. doi:10.1504/IJSSCI.2008.017590
Crawford, G., Williams, C. (1985). A note on the analysis of subjective judgement matrices.
    J. Math. Psychol. 29(4), 387-405. doi:10.1016/0022-2496(85)90002-1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scenarios.engine.errors import AhpError, AhpInconsistentError

#: Saaty's (1980) random index RI(n) for n = 1..10 (n = 1, 2 are always consistent).
RANDOM_INDEX_SAATY_1980: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
}
#: Judgements are accepted when CR is strictly below this (Saaty 1980).
CR_MAX = 0.10
#: Relative tolerance of the reciprocity check a_ij * a_ji == 1: admits judgements written
#: with three decimals (1/3 as 0.333 gives 0.999) but rejects real asymmetries.
RECIPROCAL_RTOL = 5e-3
#: Largest and smallest judgement on Saaty's scale (with a margin for rounding of 1/9).
SCALE_MAX = 9.0 + 1e-9
SCALE_MIN = 1.0 / SCALE_MAX
#: Imaginary parts of the principal eigenvector below this are round-off.
EIG_IMAG_ATOL = 1e-9

Method = Literal["eigenvector", "geometric_mean"]


@dataclass(frozen=True, slots=True)
class AhpResult:
    """Weights and consistency of one pairwise comparison matrix.

    Attributes
    ----------
    labels : tuple of str
        Element names in matrix order.
    weights : NDArray[np.float64]
        Priority weights (dimensionless, sum 1), in matrix order.
    lambda_max : float
        Principal eigenvalue of the matrix (>= n; == n when perfectly consistent).
    consistency_index : float
        CI = (lambda_max - n) / (n - 1); 0 for n <= 2.
    consistency_ratio : float
        CR = CI / RI(n); 0 for n <= 2.
    random_index : float
        RI(n) used.
    method : str
        ``"eigenvector"`` or ``"geometric_mean"``.
    """

    labels: tuple[str, ...]
    weights: NDArray[np.float64]
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    random_index: float
    method: str

    def weight_of(self, label: str) -> float:
        """Weight of the element called ``label``."""
        return float(self.weights[self.labels.index(label)])


def parse_judgement(value: float | int | str) -> float:
    """Turn a judgement written as a number or a fraction string (``"1/3"``) into a float."""
    if isinstance(value, str):
        try:
            return float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError) as exc:
            raise AhpError(f"judgement {value!r} is not a number or fraction like '1/3'") from exc
    return float(value)


def as_matrix(rows: ArrayLike | Sequence[Sequence[float | int | str]]) -> NDArray[np.float64]:
    """Build a float matrix from nested rows whose cells may be fraction strings."""
    if isinstance(rows, np.ndarray):
        return np.asarray(rows, dtype=np.float64)
    cells: Sequence[Sequence[float | int | str]] = rows  # type: ignore[assignment]
    return np.array([[parse_judgement(c) for c in row] for row in cells], dtype=np.float64)


def validate_matrix(matrix: NDArray[np.float64], *, name: str = "matrix") -> None:
    """Check that ``matrix`` is a square, positive, reciprocal judgement matrix.

    Raises
    ------
    AhpError
        Naming the first offending cell (1-based row, column) and what to change.
    """
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise AhpError(
            f"{name}: comparison matrix must be square and non-empty, got {matrix.shape}"
        )
    n = matrix.shape[0]
    if n > max(RANDOM_INDEX_SAATY_1980):
        raise AhpError(f"{name}: {n} elements; split the node into groups of at most 10")
    if not np.all(np.isfinite(matrix)) or np.any(matrix <= 0.0):
        raise AhpError(f"{name}: every judgement must be a positive number")
    i, j = np.unravel_index(np.argmax(np.abs(np.log(matrix))), matrix.shape)
    if not SCALE_MIN <= matrix[i, j] <= SCALE_MAX:
        raise AhpError(f"{name}: cell ({i + 1},{j + 1}) = {matrix[i, j]:g} is outside 1/9..9")
    if not np.allclose(np.diag(matrix), 1.0, rtol=0.0, atol=RECIPROCAL_RTOL):
        raise AhpError(f"{name}: the diagonal must be 1")
    product = matrix * matrix.T
    bad = np.argwhere(np.abs(product - 1.0) > RECIPROCAL_RTOL)
    if bad.size:
        r, c = (int(x) for x in bad[0])
        raise AhpError(
            f"{name}: not reciprocal at ({r + 1},{c + 1}): {matrix[r, c]:g} * "
            f"{matrix[c, r]:g} != 1; set cell ({c + 1},{r + 1}) to 1/{matrix[r, c]:g}"
        )


def principal_eigen(matrix: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
    """Principal eigenvalue and its eigenvector normalised to sum 1 (Perron vector)."""
    values, vectors = np.linalg.eig(matrix)
    k = int(np.argmax(values.real))
    vector = vectors[:, k]
    if np.max(np.abs(vector.imag)) > EIG_IMAG_ATOL:  # pragma: no cover - Perron guarantees
        raise AhpError("principal eigenvector is complex; the matrix is not a judgement matrix")
    real = np.abs(vector.real)
    return float(values[k].real), real / real.sum()


def geometric_mean_weights(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    """Normalised row geometric means (logarithmic least squares, Crawford & Williams 1985)."""
    g = np.exp(np.mean(np.log(matrix), axis=1))
    return np.asarray(g / g.sum(), dtype=np.float64)


def ahp_weights(
    matrix: ArrayLike | Sequence[Sequence[float | int | str]],
    *,
    labels: Sequence[str] | None = None,
    method: Method = "eigenvector",
    cr_max: float | None = CR_MAX,
    name: str = "matrix",
) -> AhpResult:
    """Weights and consistency of a pairwise comparison matrix.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        Judgements ``a_ij`` (dimensionless, 1/9..9); cells may be fraction strings ``"1/3"``.
    labels : sequence of str, optional
        Element names; default ``"1".."n"``.
    method : {"eigenvector", "geometric_mean"}
        Weighting method.
    cr_max : float or None
        Reject when ``CR >= cr_max``; ``None`` skips the check (for diagnostics only).
    name : str
        Name used in error messages (e.g. the indicator node id).

    Returns
    -------
    AhpResult

    Raises
    ------
    AhpError
        Not square, not positive, outside 1/9..9, or not reciprocal.
    AhpInconsistentError
        ``CR >= cr_max``; the message names the CR and the most inconsistent judgement.

    Notes
    -----
    Cost O(n^3) for the eigen-decomposition; n <= 10.
    """
    a = as_matrix(matrix)
    validate_matrix(a, name=name)
    n = a.shape[0]
    names = tuple(labels) if labels is not None else tuple(str(k + 1) for k in range(n))
    if len(names) != n:
        raise AhpError(f"{name}: {len(names)} labels for a {n}x{n} matrix")
    lam, eig_w = principal_eigen(a)
    ci = max(lam - n, 0.0) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX_SAATY_1980[n]
    cr = ci / ri if ri > 0.0 else 0.0
    if cr_max is not None and cr >= cr_max:
        i, j = most_inconsistent_cell(a, eig_w)
        raise AhpInconsistentError(
            f"{name}: consistency ratio CR = {cr:.3f} >= {cr_max:g}; revise judgement "
            f"{names[i]} vs {names[j]} (now {a[i, j]:.3g}, "
            f"consistent value {eig_w[i] / eig_w[j]:.3g})",
            consistency_ratio=cr,
        )
    if method == "eigenvector":
        w = eig_w
    elif method == "geometric_mean":
        w = geometric_mean_weights(a)
    else:
        raise AhpError(f"{name}: unknown method {method!r}; use 'eigenvector' or 'geometric_mean'")
    return AhpResult(names, w, lam, ci, cr, ri, method)


def most_inconsistent_cell(
    matrix: NDArray[np.float64], weights: NDArray[np.float64]
) -> tuple[int, int]:
    """Cell (i, j), i < j, whose judgement departs most from ``w_i / w_j`` (log ratio)."""
    ratio = np.abs(np.log(matrix * np.outer(1.0 / weights, weights)))
    ratio[np.tril_indices_from(ratio)] = -1.0
    i, j = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    return int(i), int(j)
