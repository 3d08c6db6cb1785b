"""Recovery step: restoration of networks, roads and buildings, Q(t) bands per system and town.

Task sets: the network and road repairs the lifelines step attributed (repairs.json) plus
one task per building with at least moderate damage (its repair time from the structures
step), one set per lifeline realisation. ``recovery_monte_carlo`` draws R realisations of
lognormal repair durations over those sets with the step's seed.
"""

from __future__ import annotations

import numpy as np

from scenarios.engine.errors import RecoveryError
from scenarios.engine.recovery import CrewPool, RepairTask, schedule_repairs
from scenarios.engine.recovery_mc import recovery_monte_carlo
from scenarios.pipeline import RunContext, StepFailed
from scenarios.steps.repairs import building_tasks, task_from_json

DAY3 = 3.0


def recovery_step(ctx: RunContext) -> dict[str, float]:
    """Q(t) bands, time to 90 %, resilience loss, housing recovery, critical facilities on day 3."""
    repairs = ctx.load_json("repairs")
    damage = ctx.load_arrays("buildings")
    life = ctx.load_arrays("lifelines")
    totals = {k: float(v) for k, v in repairs["totals"].items()}
    crews = {
        k: CrewPool(k, int(c), float(m)) for k, (c, m) in repairs["crews"].items() if k in totals
    }
    ids = [str(i) for i in life["building_id"]]
    sets = []
    for r, rows in enumerate(repairs["sets"]):
        tasks = [task_from_json(row) for row in rows]
        tasks += building_tasks(
            ids,
            damage["damage_state"][:, r],
            _repair_days(damage, r),
            life["residents"],
            list(life["building_serves"]),
        )
        sets.append(tasks)
    if not sets:
        raise StepFailed("no lifeline realisation to recover from; rerun the lifelines step")
    n = max(int(damage["damage_state"].shape[1]), len(sets))
    try:
        bands = recovery_monte_carlo(
            sets, crews, totals, n_realisations=n, seed=ctx.seed_for("recovery")
        )
    except RecoveryError as exc:
        raise StepFailed(f"recovery: {exc}") from exc
    ctx.progress(0.8, f"{n} restoration realisations")
    ctx.save_arrays(
        "recovery",
        names=np.array(bands.names),
        grid_days=bands.grid_days,
        q_mean=bands.q_mean,
        percentiles=np.array(bands.percentiles),
        q_pct=bands.q_pct,
        loss_pct_days=bands.loss_pct_days,
        time_to_90_days=bands.time_to_90_days,
        time_to_100_days=bands.time_to_100_days,
    )
    summary = bands.summary()
    out = {
        "recovery.time_to_90pct_days": summary["town"]["time_to_90_days_mean"],
        "recovery.resilience_loss_pct_days": summary["town"]["loss_pct_days_mean"],
        "recovery.housing_time_to_90pct_days": summary["buildings"]["time_to_90_days_mean"],
        "recovery.critical_facilities_restored_day3_share": _critical_day3(
            sets, crews, life, damage
        ),
        "recovery.time_to_90pct_days_p84": summary["town"]["time_to_90_days_p84"],
    }
    for name in bands.names[:-1]:
        out[f"recovery.{name}_time_to_90pct_days"] = summary[name]["time_to_90_days_mean"]
    return out


def _repair_days(damage: dict[str, np.ndarray], r: int) -> np.ndarray:
    days = np.asarray(damage["repair_time_d"], dtype=np.float64)
    return days[:, r] if days.ndim == 2 else days


def _critical_day3(
    sets: list[list[RepairTask]],
    crews: dict[str, CrewPool],
    life: dict[str, np.ndarray],
    damage: dict[str, np.ndarray],
) -> float:
    """Share of hospitals, shelters, fire stations and command centres with their networks
    served on day 3 (lifelines step) and their building usable (damage below extensive, or
    repaired by day 3 in the median-duration schedule); 1 when the town has none."""
    index = life["facility_building_index"]
    if index.size == 0:
        return 1.0
    ids = [str(i) for i in life["building_id"]]
    shares = []
    for r, tasks in enumerate(sets):
        schedule = schedule_repairs(
            [t for t in tasks if t.system == "buildings"], {"buildings": crews["buildings"]}
        )
        done = {s.task_id for s in schedule if s.end_days <= DAY3}
        ok = life["facility_network_served_day3"][r].copy()
        for f, b in enumerate(index):
            if b >= 0 and damage["damage_state"][b, r] >= 3:
                ok[f] &= f"buildings:{ids[b]}" in done
        shares.append(float(ok.mean()))
    return float(np.mean(shares))
