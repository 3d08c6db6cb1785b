"""Hazus fragility check values, VERIFICATION.md 6c, through the engine's tables and arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from structures.engine.response import exceedance, state_probabilities
from structures.engine.response.tables import M_PER_IN, sd_fragility

CHECK_DECIMALS = 4
W1_HC = [
    (0.5, [0.5000, 0.0862, 0.0033, 0.0004], [0.5000, 0.4138, 0.0829, 0.0028, 0.0004]),
    (1.51, [0.9164, 0.5000, 0.0781, 0.0144], [0.0836, 0.4164, 0.4219, 0.0637, 0.0144]),
    (3.0, [0.9874, 0.8017, 0.2708, 0.0695], [0.0126, 0.1858, 0.5308, 0.2013, 0.0695]),
    (12.6, [1.0000, 0.9956, 0.8595, 0.5000], [0.0000, 0.0044, 0.1361, 0.3595, 0.5000]),
]


@pytest.mark.parametrize(("sd_in", "exceed", "states"), W1_HC)
def test_w1_high_code(sd_in: float, exceed: list[float], states: list[float]) -> None:
    f = sd_fragility("W1", "HC").sd
    p = exceedance(sd_in * M_PER_IN, f.medians, f.betas)
    assert np.array_equal(np.round(p, CHECK_DECIMALS), exceed)
    assert np.array_equal(np.round(state_probabilities(p), CHECK_DECIMALS), states)


def test_c1l_moderate_code() -> None:
    f = sd_fragility("C1L", "MC").sd
    p = exceedance(2.0 * M_PER_IN, f.medians, f.betas)
    assert np.array_equal(np.round(p, CHECK_DECIMALS), [0.8152, 0.6088, 0.2049, 0.0291])
