"""Resilience loss (Bruneau et al. 2003, doi:10.1193/1.1623497) on hand-computed Q(t).

Case 1 (piecewise linear): Q = 40 % from day 0 to 10, then linear to 100 % at day 70.
    Loss = 60 * 10 + 0.5 * 60 * 60 = 600 + 1800 = 2400 % d; Q reaches 90 % at day 60
    (40 + (t - 10) = 90), 100 % at day 70.
Case 2 (steps): Q = 50 % on [0, 10), 80 % on [10, 30), 100 % after.
    Loss = 50 * 10 + 20 * 20 = 900 % d; 90 % and 100 % at day 30.
Case 3 (schedule): one water crew, total service 100; task A 2 crew-days restoring 30, task B
    4 crew-days restoring 20. Smith's rule takes A first: Q = 50, 80 (day 2), 100 (day 6),
    loss = 50 * 2 + 20 * 4 = 180 % d. With B serving a hospital, B first: Q = 50, 70 (day 4),
    100 (day 6), loss = 50 * 4 + 30 * 2 = 260 % d.
"""

from __future__ import annotations

import math

import pytest

from scenarios.engine.recovery import CrewPool, RepairTask, simulate_recovery
from scenarios.engine.resilience import resilience_loss, time_to_level

EXACT = 1e-12


def test_piecewise_linear_loss_and_times() -> None:
    t, q = [0.0, 10.0, 70.0], [40.0, 40.0, 100.0]
    assert resilience_loss(t, q) == pytest.approx(2400.0, abs=EXACT)
    assert time_to_level(t, q, 90.0) == pytest.approx(60.0, abs=EXACT)
    assert time_to_level(t, q, 100.0) == pytest.approx(70.0, abs=EXACT)
    assert resilience_loss(t, q, horizon=100.0) == pytest.approx(2400.0, abs=EXACT)
    assert resilience_loss(t, q, horizon=40.0) == pytest.approx(
        600.0 + 0.5 * (60 + 30) * 30, abs=EXACT
    )


def test_step_loss_and_times() -> None:
    t, q = [0.0, 10.0, 30.0], [50.0, 80.0, 100.0]
    assert resilience_loss(t, q, interpolation="step") == pytest.approx(900.0, abs=EXACT)
    assert time_to_level(t, q, 90.0, interpolation="step") == 30.0
    assert time_to_level([0.0, 5.0], [50.0, 80.0], 90.0) == math.inf


def test_scheduled_recovery_loss_hand_computed() -> None:
    crews = {"water": CrewPool("water", 1)}
    smith = simulate_recovery(
        [RepairTask("A", "water", 2, 30), RepairTask("B", "water", 4, 20)], crews, {"water": 100.0}
    )
    c = smith.system("water")
    assert c.q_pct.tolist() == [50.0, 80.0, 100.0] and c.times_days.tolist() == [0.0, 2.0, 6.0]
    assert c.loss_pct_days == pytest.approx(180.0, abs=EXACT)
    prio = simulate_recovery(
        [RepairTask("A", "water", 2, 30), RepairTask("B", "water", 4, 20, "hospital")],
        crews,
        {"water": 100.0},
    )
    assert prio.system("water").loss_pct_days == pytest.approx(260.0, abs=EXACT)
    assert prio.schedule[0].task_id == "B"
