"""GB/T 17742-2020 instrumental intensity from PGA and PGV."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from structures.engine.hazard.errors import HazardInputError
from structures.engine.hazard.intensity import (
    intensity_degree,
    intensity_from_pga_pgv,
    pga_for_intensity,
    pgv_for_intensity,
    roman,
)


def test_formula_and_combination_rule() -> None:
    # I_A = 3.17 lg(1.0) + 6.59 = 6.59; I_V = 3.00 lg(0.1) + 9.77 = 6.77 → both ≥ 6 → I_V.
    assert intensity_from_pga_pgv(1.0, 0.1) == pytest.approx(6.77)
    # I_A = 3.17 lg(0.1) + 6.59 = 3.42; I_V = 3 lg(0.01) + 9.77 = 3.77 → mean 3.595.
    assert intensity_from_pga_pgv(0.1, 0.01) == pytest.approx(3.595)
    # I_A ≥ 6 but I_V < 6 → mean.
    assert intensity_from_pga_pgv(1.0, 0.05) == pytest.approx(
        0.5 * (6.59 + 3 * np.log10(0.05) + 9.77)
    )
    assert intensity_from_pga_pgv(1e-6, 1e-6) == 1.0 and intensity_from_pga_pgv(1e3, 1e2) == 12.0


def test_table_centres_of_degree_vi() -> None:
    # The standard's table centres for VI: PGA 6.53e-1 m/s², PGV 5.57e-2 m/s (recalled, not
    # re-checked against the printed table; the formula is the authority): agree within 0.6 %.
    assert pga_for_intensity(6.0) == pytest.approx(0.653, rel=6e-3)
    assert pgv_for_intensity(6.0) == pytest.approx(0.0557, rel=6e-3)


@given(st.floats(1.0, 12.0))
def test_inverse_round_trip(i: float) -> None:
    assert intensity_from_pga_pgv(pga_for_intensity(i), pgv_for_intensity(i)) == pytest.approx(i)


def test_degrees_and_labels() -> None:
    np.testing.assert_array_equal(intensity_degree([0.2, 5.49, 5.5, 7.0, 12.4]), [1, 5, 6, 7, 12])
    assert [roman(d) for d in (1, 4, 9, 12)] == ["I", "IV", "IX", "XII"]
    with pytest.raises(HazardInputError):
        roman(13)
    with pytest.raises(HazardInputError, match="PGA"):
        intensity_from_pga_pgv(-1.0, 0.1)
