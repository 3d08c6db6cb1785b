"""Recovery scheduler and Monte Carlo: priorities, crews, town curve, seeds, errors."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.engine.errors import RecoveryError
from scenarios.engine.recovery import CrewPool, RepairTask, simulate_recovery
from scenarios.engine.recovery_mc import recovery_monte_carlo

CREWS = {"water": CrewPool("water", 2, mobilisation_days=1.0), "power": CrewPool("power", 1)}
TOTALS = {"water": 1000.0, "power": 500.0}


def tasks() -> list[RepairTask]:
    return [
        RepairTask("w-hosp", "water", 3.0, 50.0, "hospital"),
        RepairTask("w-fire", "water", 1.0, 10.0, "fire_water"),
        RepairTask("w-1", "water", 2.0, 200.0),
        RepairTask("w-2", "water", 5.0, 100.0, "housing"),
        RepairTask("p-1", "power", 1.0, 250.0),
        RepairTask("p-shelter", "power", 2.0, 20.0, "shelter"),
    ]


def test_priorities_first_and_crews_in_parallel() -> None:
    r = simulate_recovery(tasks(), CREWS, TOTALS, system_weights={"water": 2.0, "power": 1.0})
    water = [s for s in r.schedule if s.system == "water"]
    assert [s.task_id for s in water[:2]] == ["w-hosp", "w-fire"]
    assert water[0].start_days == 1.0 and water[1].start_days == 1.0  # two crews after mobilisation
    assert r.system("power").q_pct[0] == pytest.approx(100 * (1 - 270 / 500))
    town = r.town
    assert town.q_pct[0] == pytest.approx((2 * 64.0 + 46.0) / 3)
    assert town.q_pct[-1] == 100.0
    assert town.time_to_100_days == max(s.end_days for s in r.schedule)


def test_monte_carlo_is_reproducible_and_bands_are_ordered() -> None:
    a = recovery_monte_carlo([tasks()], CREWS, TOTALS, n_realisations=40, seed=7)
    b = recovery_monte_carlo([tasks()], CREWS, TOTALS, n_realisations=40, seed=7)
    c = recovery_monte_carlo([tasks()], CREWS, TOTALS, n_realisations=40, seed=8)
    assert np.array_equal(a.q_mean, b.q_mean) and np.array_equal(a.loss_pct_days, b.loss_pct_days)
    assert not np.array_equal(a.loss_pct_days, c.loss_pct_days)
    p10, p50, p84, p90 = a.q_pct
    assert np.all(p10 <= p50) and np.all(p50 <= p84) and np.all(p84 <= p90)
    assert a.names[-1] == "town" and a.q_mean.shape == (3, a.grid_days.size)
    s = a.summary()["town"]
    assert s["loss_pct_days_p84"] >= np.percentile(a.loss_pct_days[:, -1], 50)


def test_first_realisations_do_not_depend_on_how_many_follow() -> None:
    few = recovery_monte_carlo(
        [tasks()], CREWS, TOTALS, n_realisations=5, seed=3, horizon_days=60.0
    )
    many = recovery_monte_carlo(
        [tasks()], CREWS, TOTALS, n_realisations=20, seed=3, horizon_days=60.0
    )
    assert np.array_equal(few.loss_pct_days, many.loss_pct_days[:5])


def test_zero_dispersion_reproduces_deterministic_run() -> None:
    det = simulate_recovery(tasks(), CREWS, TOTALS, horizon_days=30.0)
    mc = recovery_monte_carlo(
        [tasks()], CREWS, TOTALS, n_realisations=3, seed=1, beta=0.0, horizon_days=30.0
    )
    assert mc.loss_pct_days[:, -1] == pytest.approx([det.town.loss_pct_days] * 3)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([RepairTask("x", "gas", 1.0, 1.0)], "system 'gas' has no crews"),
        ([RepairTask("x", "water", 1.0, 1.0, "vip")], "priority 'vip'"),
        ([RepairTask("x", "water", -1.0, 1.0)], "non-negative"),
        ([RepairTask("x", "water", 1.0, 2000.0)], "exceeds total"),
        ([RepairTask("x", "water", 1.0, 1.0), RepairTask("x", "water", 1.0, 1.0)], "appears twice"),
    ],
)
def test_bad_recovery_inputs_raise(bad: list[RepairTask], message: str) -> None:
    with pytest.raises(RecoveryError, match=message):
        simulate_recovery(bad, CREWS, TOTALS)
