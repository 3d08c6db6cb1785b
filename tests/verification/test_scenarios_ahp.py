"""AHP weights and consistency ratios on published example matrices.

1. Saaty (2008), "Decision making with the analytic hierarchy process", Int. J. Services
   Sciences 1(1) 83-98, doi:10.1504/IJSSCI.2008.017590, drink consumption in the U.S.: 7x7
   judgements; published derived priorities coffee .177, wine .019, tea .042, beer .116,
   sodas .190, milk .129, water .327; CR = .022. (Matrix and figures as transcribed in the AHPy
   test-suite, github:PhilipGriffith/AHPy tests/test_ahp.py [public code].)
2. Saaty (2005), Theory and Applications of the Analytic Network Process, RWS Publications,
   choosing a city to live in: criteria culture, family, housing, jobs, transportation; four
   cities; distributive synthesis Bethesda .229, Boston .275, Pittsburgh .385, Santa Fe .111
   (as transcribed in the same AHPy tests [public code]).
"""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.engine.ahp import CR_MAX, ahp_weights
from scenarios.engine.errors import AhpError, AhpInconsistentError

#: Published priorities are printed to three decimals.
PUBLISHED_ATOL = 5e-4

DRINKS = ("coffee", "wine", "tea", "beer", "sodas", "milk", "water")
DRINK_MATRIX = [
    [1, 9, 5, 2, 1, 1, "1/2"],
    ["1/9", 1, "1/3", "1/9", "1/9", "1/9", "1/9"],
    ["1/5", 3, 1, "1/3", "1/4", "1/3", "1/9"],
    ["1/2", 9, 3, 1, "1/2", 1, "1/3"],
    [1, 9, 4, 2, 1, 2, "1/2"],
    [1, 9, 3, 1, "1/2", 1, "1/3"],
    [2, 9, 9, 3, 2, 3, 1],
]
DRINK_WEIGHTS = (0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327)
DRINK_CR = 0.022


def test_saaty_2008_drinks_weights_and_cr() -> None:
    r = ahp_weights(DRINK_MATRIX, labels=DRINKS)
    np.testing.assert_allclose(r.weights, DRINK_WEIGHTS, atol=PUBLISHED_ATOL)
    assert r.consistency_ratio == pytest.approx(DRINK_CR, abs=PUBLISHED_ATOL)
    assert r.lambda_max == pytest.approx(7.1766, abs=1e-4)
    assert r.random_index == 1.32


def test_geometric_mean_close_to_eigenvector_for_consistent_judgements() -> None:
    eig = ahp_weights(DRINK_MATRIX, labels=DRINKS)
    geo = ahp_weights(DRINK_MATRIX, labels=DRINKS, method="geometric_mean")
    np.testing.assert_allclose(geo.weights, eig.weights, atol=0.01)
    assert geo.consistency_ratio == eig.consistency_ratio


def _matrix(labels: tuple[str, ...], pairs: dict[tuple[str, str], float]) -> np.ndarray:
    a = np.ones((len(labels), len(labels)))
    for (x, y), v in pairs.items():
        i, j = labels.index(x), labels.index(y)
        a[i, j], a[j, i] = v, 1.0 / v
    return a


CITIES = ("Bethesda", "Boston", "Pittsburgh", "Santa Fe")
CRITERIA = ("Culture", "Family", "Housing", "Jobs", "Transportation")
CRITERIA_PAIRS = {
    ("Culture", "Housing"): 3,
    ("Culture", "Transportation"): 5,
    ("Family", "Culture"): 5,
    ("Family", "Housing"): 7,
    ("Family", "Transportation"): 7,
    ("Housing", "Transportation"): 3,
    ("Jobs", "Culture"): 2,
    ("Jobs", "Housing"): 4,
    ("Jobs", "Transportation"): 7,
    ("Family", "Jobs"): 1,
}
CITY_PAIRS = {
    "Culture": {
        ("Bethesda", "Pittsburgh"): 1,
        ("Boston", "Bethesda"): 2,
        ("Boston", "Pittsburgh"): 2.5,
        ("Boston", "Santa Fe"): 1,
        ("Santa Fe", "Bethesda"): 2,
        ("Santa Fe", "Pittsburgh"): 2.5,
    },
    "Family": {
        ("Bethesda", "Boston"): 2,
        ("Bethesda", "Santa Fe"): 4,
        ("Boston", "Santa Fe"): 2,
        ("Pittsburgh", "Bethesda"): 3,
        ("Pittsburgh", "Boston"): 8,
        ("Pittsburgh", "Santa Fe"): 9,
    },
    "Housing": {
        ("Bethesda", "Boston"): 5,
        ("Bethesda", "Santa Fe"): 2.5,
        ("Pittsburgh", "Bethesda"): 2,
        ("Pittsburgh", "Boston"): 9,
        ("Pittsburgh", "Santa Fe"): 7,
        ("Santa Fe", "Boston"): 4,
    },
    "Jobs": {
        ("Bethesda", "Pittsburgh"): 3,
        ("Bethesda", "Santa Fe"): 4,
        ("Boston", "Bethesda"): 2,
        ("Boston", "Pittsburgh"): 6,
        ("Boston", "Santa Fe"): 8,
        ("Pittsburgh", "Santa Fe"): 1,
    },
    "Transportation": {
        ("Bethesda", "Boston"): 1.5,
        ("Bethesda", "Santa Fe"): 4,
        ("Boston", "Santa Fe"): 2.5,
        ("Pittsburgh", "Bethesda"): 2,
        ("Pittsburgh", "Boston"): 3.5,
        ("Pittsburgh", "Santa Fe"): 9,
    },
}
CITY_SYNTHESIS = (0.229, 0.275, 0.385, 0.111)


def test_saaty_2005_city_hierarchy_synthesis() -> None:
    crit = ahp_weights(_matrix(CRITERIA, CRITERIA_PAIRS), labels=CRITERIA)
    total = sum(
        crit.weight_of(c) * ahp_weights(_matrix(CITIES, CITY_PAIRS[c]), labels=CITIES).weights
        for c in CRITERIA
    )
    np.testing.assert_allclose(total, CITY_SYNTHESIS, atol=PUBLISHED_ATOL)


def test_perfectly_consistent_matrix_has_zero_cr_and_exact_weights() -> None:
    w = np.array([0.5, 0.25, 0.15, 0.1])
    r = ahp_weights(np.outer(w, 1.0 / w))
    np.testing.assert_allclose(r.weights, w, atol=1e-12)
    assert r.consistency_ratio == pytest.approx(0.0, abs=1e-12)


def test_inconsistent_matrix_raises_naming_cr() -> None:
    cyclic = [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]
    with pytest.raises(AhpInconsistentError, match=r"CR = \d+\.\d{3} >= 0\.1") as exc:
        ahp_weights(cyclic, labels=("a", "b", "c"), name="lifelines")
    assert exc.value.consistency_ratio >= CR_MAX
    assert "lifelines" in str(exc.value)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 2, 3], [0.5, 1, 2]], "square"),
        ([[1, -2], [-0.5, 1]], "positive"),
        ([[1, 3], [0.5, 1]], r"not reciprocal at \(1,2\).*set cell \(2,1\) to 1/3"),
        ([[1, 12], [1 / 12, 1]], "outside 1/9..9"),
        ([[1, "a/b"], [1, 1]], "not a number"),
    ],
)
def test_malformed_matrices_raise(matrix: list, message: str) -> None:
    with pytest.raises(AhpError, match=message):
        ahp_weights(matrix)


def test_three_decimal_reciprocals_are_accepted() -> None:
    r = ahp_weights([[1, 3, 5], [0.333, 1, 2], [0.2, 0.5, 1]])
    assert r.weights.sum() == pytest.approx(1.0)
