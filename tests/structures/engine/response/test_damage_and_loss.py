"""Fragility sampling, consequences and the GB/T 38591 rating."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from structures.engine.response import (
    BuildingModelInput,
    GroundMotion,
    ResilienceIndicators,
    exceedance,
    fragility_losses,
    indicators_at_guarantee,
    rate_building,
    response_losses,
    run_time_history,
    shear_model_from_building,
)
from structures.engine.response.tables import sd_fragility


def office(i: int = 0, level: str = "MC") -> BuildingModelInput:
    return BuildingModelInput(
        f"o{i}",
        "C1M",
        (3.5,) * 5,
        (6e5,) * 5,
        design_level=level,
        occupancy="COM4",
        day_population=200,
        night_population=20,
    )


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-4, 1.0), st.floats(1.0, 5.0))
def test_damage_never_lowers_with_intensity(sd_m: float, factor: float) -> None:
    f = sd_fragility("C2M", "LC").sd
    lo, hi = exceedance(sd_m, f.medians, f.betas), exceedance(sd_m * factor, f.medians, f.betas)
    assert np.all(hi >= lo) and np.all((lo >= 0) & (lo <= 1))


def test_fragility_losses_are_seeded_monotone_and_in_range() -> None:
    bs = [office(i) for i in range(20)]
    pga = np.linspace(0.05, 1.5, 20)[:, None] * np.ones((1, 4000))
    a = fragility_losses(bs, pga, seed=7)
    b = fragility_losses(bs, pga, seed=7)
    assert np.array_equal(a.damage_state, b.damage_state)
    mean_cost = a.repair_cost_ratio.mean(axis=1)
    assert np.all(np.diff(mean_cost) > -0.05) and mean_cost[-1] > mean_cost[0]
    assert np.all((a.repair_cost_ratio >= 0) & (a.repair_cost_ratio <= 1))
    assert np.all(a.death_rate <= a.injury_rate + 1e-12)
    assert a.casualties.shape == (20, 3, 4)
    assert np.all(a.casualties[:, 1].sum(axis=1) >= a.casualties[:, 0].sum(axis=1))  # 2 PM > 2 AM


def test_response_losses_from_time_history(el_centro: GroundMotion) -> None:
    b = office()
    results = [run_time_history(shear_model_from_building(b), el_centro.truncated(10.0))]
    losses = response_losses(b, results, n_samples=200, seed=3)
    assert losses.repair_cost_ratio.shape == (1, 200)
    ind = indicators_at_guarantee(losses)
    assert 0 <= ind.repair_cost_ratio <= 1 and ind.repair_time_d >= 0


def test_gbt38591_grades_take_the_lowest_indicator() -> None:
    best = ResilienceIndicators(0.04, 5, 5e-5, 5e-6)
    assert rate_building(best).label == "★★★"
    two = ResilienceIndicators(0.04, 20, 5e-5, 5e-6)
    assert rate_building(two).overall == 2
    rare_bad = ResilienceIndicators(0.5, 100, 1e-2, 1e-3)
    assert rate_building(rare_bad, ResilienceIndicators(0.08, 25, 5e-4, 5e-5)).label == "★"
    assert rate_building(rare_bad, rare_bad).label == "none"
