"""Consequences of damage: repair cost, repair time, casualties (Hazus) and GB/T 38591 floor levels.

Two entry points produce the same ``LossRealisations``:

* ``fragility_losses`` - from intensity measures (equivalent-PGA fragility), vectorised over
  buildings x realisations;
* ``response_losses`` - from time-history peaks per storey (Hazus drift thresholds for structure
  and drift-sensitive nonstructural parts, floor acceleration for acceleration-sensitive parts).

Times of day: 2 AM uses the night population, 2 PM the day population, 5 PM their mean
(a documented simplification of the Hazus commuting-time distribution).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from structures.engine.response.damage import (
    COLLAPSE,
    COMPLETE,
    NSD_BETA,
    NSD_DRIFT_MEDIANS,
    sample_states,
)
from structures.engine.response.design_levels import building_design_level
from structures.engine.response.inputs import G_M_S2, BuildingModelInput
from structures.engine.response.tables import (
    casualty_rates,
    collapse_fraction,
    nsa_fragility,
    pga_fragility,
    read_table,
    repair_cost_ratios,
    repair_times_d,
    sd_fragility,
)
from structures.engine.response.time_history import ResponseResult

F64 = NDArray[np.float64]
TIMES_OF_DAY: tuple[str, ...] = ("2AM", "2PM", "5PM")
# Hazus damage state (0 none .. 4 complete, 5 collapse) -> GB/T 38591 floor damage level 1..5
# (platform judgement, docs/structures/damage-and-loss.md).
FLOOR_LEVEL_OF_STATE = np.array([1, 1, 2, 3, 4, 5], dtype=np.int8)


@dataclass(frozen=True, slots=True)
class LossRealisations:
    """Consequences per building and realisation (arrays (B, R)).

    Attributes
    ----------
    damage_state : NDArray[np.int8]
        Building structural damage state 0-5 (5 = complete with collapse).
    repair_cost_ratio : NDArray[np.float64]
        Repair cost / replacement cost (-).
    repair_time_d : NDArray[np.float64]
        Repair time (days).
    injury_rate, death_rate : NDArray[np.float64]
        GB/T 38591 injury and death rates of the indoor population (-).
    casualties : NDArray[np.float64]
        Hazus expected casualties (persons), (B, 3 times of day, 4 severities), mean over R.
    """

    damage_state: NDArray[np.int8]
    repair_cost_ratio: F64
    repair_time_d: F64
    injury_rate: F64
    death_rate: F64
    casualties: F64


def _floor_rates() -> tuple[F64, F64]:
    rows = read_table("gbt38591_floor_casualty.csv")
    injury = np.array([0.0] + [float(r["injury_rate"]) for r in rows])  # index = level
    death = np.array([0.0] + [float(r["death_rate"]) for r in rows])
    return injury, death


def populations(b: BuildingModelInput) -> F64:
    """Occupants at 2 AM, 2 PM and 5 PM (persons)."""
    return np.array(
        [b.night_population, b.day_population, 0.5 * (b.night_population + b.day_population)]
    )


def _collapse(ds: NDArray[np.int8], frac: F64, u: F64) -> NDArray[np.int8]:
    """Turn complete into collapse where ``u`` < the type's collapse fraction."""
    return np.where((ds == COMPLETE) & (u < frac), COLLAPSE, ds).astype(np.int8)


def _casualties(ds: NDArray[np.int8], rates: F64, pop: F64) -> F64:
    """Expected Hazus casualties (B, 3, 4) from states (B, R), rates (B, 6, 4), pop (B, 3)."""
    counts = np.stack([(ds == s).mean(axis=1) for s in range(6)], axis=1)  # (B, 6)
    per_person = np.einsum("bs,bsk->bk", counts, rates)
    return pop[:, :, None] * per_person[:, None, :]


def fragility_losses(
    buildings: Sequence[BuildingModelInput], pga_g: F64, *, seed: int
) -> LossRealisations:
    """Consequences from PGA through Hazus equivalent-PGA fragility curves.

    Parameters
    ----------
    buildings : Sequence[BuildingModelInput]
        B buildings (type, design level, occupancy and populations are used).
    pga_g : NDArray[np.float64]
        Peak ground acceleration (g), (B, R): one column per realisation.
    seed : int
        Seed of the damage-state and collapse draws.

    Notes
    -----
    The equivalent-PGA curves give the structural state only; the repair-cost ratio of that state
    is applied to all three component groups (structural + both nonstructural), so Complete costs
    the full replacement value. Throughput is measured in ``bench/bench_structures_fragility.py``.
    """
    pga_g = np.asarray(pga_g, dtype=float)
    rng = np.random.default_rng(seed)
    levels = [building_design_level(b) for b in buildings]
    curves = [
        pga_fragility(b.structural_system, lv) for b, lv in zip(buildings, levels, strict=True)
    ]
    med = np.stack([c.medians for c in curves])[:, None, :]
    beta = np.stack([c.betas for c in curves])[:, None, :]
    ds = sample_states(pga_g, med, beta, rng.standard_normal(pga_g.shape, dtype=np.float64))
    frac = np.array([collapse_fraction(b.structural_system) for b in buildings])[:, None]
    ds = _collapse(ds, frac, rng.random(pga_g.shape))
    return _building_level_losses(buildings, ds)


def _building_level_losses(
    buildings: Sequence[BuildingModelInput], ds: NDArray[np.int8]
) -> LossRealisations:
    """Costs, times and casualties when one damage state describes the whole building."""
    cost = np.stack(
        [np.append(repair_cost_ratios(b.occupancy).sum(axis=0), 1.0) for b in buildings]
    )
    time = np.stack(
        [np.append(repair_times_d(b.occupancy), repair_times_d(b.occupancy)[-1]) for b in buildings]
    )
    injury, death = _floor_rates()
    level = FLOOR_LEVEL_OF_STATE[ds]
    rates = np.stack([casualty_rates(b.structural_system) for b in buildings])
    pop = np.stack([populations(b) for b in buildings])
    return LossRealisations(
        ds,
        np.take_along_axis(cost, ds.astype(np.intp), axis=1),
        np.take_along_axis(time, ds.astype(np.intp), axis=1),
        injury[level],
        death[level],
        _casualties(ds, rates, pop),
    )


def _storey_states(
    b: BuildingModelInput,
    level: str,
    results: Sequence[ResponseResult],
    n_samples: int,
    rng: np.random.Generator,
) -> tuple[NDArray[np.int8], NDArray[np.int8], NDArray[np.int8]]:
    """Sampled states (R, storeys) of structure, drift- and acceleration-sensitive parts."""
    drift = np.repeat(np.stack([r.peak_drift_ratio for r in results]), n_samples, axis=0)
    acc_g = (
        np.repeat(np.stack([r.peak_floor_acc_m_s2 for r in results]), n_samples, axis=0) / G_M_S2
    )
    frag = sd_fragility(b.structural_system, level)
    nsa = nsa_fragility(b.structural_system, level)
    draw = lambda: rng.standard_normal(drift.shape)  # noqa: E731
    s = sample_states(drift, frag.drift_thresholds, frag.sd.betas, draw())
    d = sample_states(drift, NSD_DRIFT_MEDIANS, np.full(4, NSD_BETA), draw())
    a = sample_states(acc_g, nsa.medians, nsa.betas, draw())
    return s, d, a


def response_losses(
    b: BuildingModelInput, results: Sequence[ResponseResult], *, n_samples: int = 100, seed: int
) -> LossRealisations:
    """Consequences of one building from its time-history peaks (one result per motion).

    Each motion gives ``n_samples`` realisations of the storey damage states (independent
    lognormal draws around the Hazus medians). Repair cost is storey-based (each storey holds 1/n
    of the value); repair time is the longest storey time, GB/T 38591 style; collapse (sampled from
    the Hazus collapse fraction when any storey is Complete) costs the full replacement value.
    Returns arrays of shape (1, len(results) * n_samples).
    """
    rng = np.random.default_rng(seed)
    level = building_design_level(b)
    s, d, a = _storey_states(b, level, results, n_samples, rng)
    worst = s.max(axis=1)
    collapsed = (worst == COMPLETE) & (
        rng.random(worst.shape) < collapse_fraction(b.structural_system)
    )
    ratios = repair_cost_ratios(b.occupancy)
    cost = (ratios[0][s] + ratios[1][a] + ratios[2][d]).mean(axis=1)
    times = repair_times_d(b.occupancy)
    time = times[np.maximum(np.maximum(s, d), a)].max(axis=1)
    injury, death = _floor_rates()
    level_of_floor = FLOOR_LEVEL_OF_STATE[s]
    level_of_floor[collapsed] = 5
    ds = np.where(collapsed, COLLAPSE, worst).astype(np.int8)
    rates = casualty_rates(b.structural_system)[None]
    return LossRealisations(
        ds[None],
        np.where(collapsed, 1.0, cost)[None],
        np.where(collapsed, times[-1], time)[None],
        injury[level_of_floor].mean(axis=1)[None],
        death[level_of_floor].mean(axis=1)[None],
        _casualties(ds[None], rates, populations(b)[None]),
    )


def building_casualties(buildings: Sequence[BuildingModelInput], ds: NDArray[np.int8]) -> F64:
    """Expected Hazus casualties (B, 3 times of day, 4 severities) from states ``ds`` (B, R).

    The same arithmetic as ``fragility_losses``; used where states from several methods are
    combined (time histories for some realisations, fragility for the others).
    """
    rates = np.stack([casualty_rates(b.structural_system) for b in buildings])
    pop = np.stack([populations(b) for b in buildings])
    return _casualties(ds, rates, pop)


@dataclass(frozen=True, slots=True)
class BuildingColumns:
    """Buildings as columns (B,) for town-scale fragility runs (no per-building objects)."""

    structural_system: NDArray[np.str_]
    design_level: NDArray[np.str_]
    occupancy: NDArray[np.str_]
    night_population: F64
    day_population: F64

    @classmethod
    def of(cls, buildings: Sequence[BuildingModelInput]) -> BuildingColumns:
        """Columns of engine inputs (design levels resolved)."""
        return cls(
            np.array([b.structural_system for b in buildings]),
            np.array([building_design_level(b) for b in buildings]),
            np.array([b.occupancy for b in buildings]),
            np.array([b.night_population for b in buildings], dtype=float),
            np.array([b.day_population for b in buildings], dtype=float),
        )


def _gather(keys: NDArray[np.str_], table: Callable[[str], F64]) -> F64:
    """``table(key)`` for each element of ``keys``, computed once per distinct key."""
    unique, inverse = np.unique(keys, return_inverse=True)
    return np.stack([np.asarray(table(str(k)), dtype=float) for k in unique])[inverse]


def fragility_losses_bulk(cols: BuildingColumns, pga_g: F64, *, seed: int) -> LossRealisations:
    """``fragility_losses`` for town-scale inputs: tables looked up once per distinct type, level
    and occupancy instead of once per building. Same draws, same states, costs and rates as
    ``fragility_losses`` (tested); casualties agree to rounding. O(B R) numpy work.
    """
    pga_g = np.asarray(pga_g, dtype=float)
    rng = np.random.default_rng(seed)
    pair = np.char.add(np.char.add(cols.structural_system, "|"), cols.design_level)
    med = _gather(pair, lambda k: pga_fragility(*k.split("|")).medians)[:, None, :]
    beta = _gather(pair, lambda k: pga_fragility(*k.split("|")).betas)[:, None, :]
    ds = sample_states(pga_g, med, beta, rng.standard_normal(pga_g.shape, dtype=np.float64))
    frac = _gather(cols.structural_system, lambda t: np.array(collapse_fraction(t)))[:, None]
    ds = _collapse(ds, frac, rng.random(pga_g.shape))
    cost = _gather(cols.occupancy, lambda o: np.append(repair_cost_ratios(o).sum(axis=0), 1.0))
    time = _gather(cols.occupancy, lambda o: np.append(repair_times_d(o), repair_times_d(o)[-1]))
    injury, death = _floor_rates()
    level = FLOOR_LEVEL_OF_STATE[ds]
    counts = np.stack([(ds == s).mean(axis=1) for s in range(6)], axis=1)  # (B, 6)
    per_person = np.empty((ds.shape[0], 4))
    types, inverse = np.unique(cols.structural_system, return_inverse=True)
    for k, t in enumerate(types):
        rows = inverse == k
        per_person[rows] = counts[rows] @ casualty_rates(str(t))
    pop = np.stack(
        [
            cols.night_population,
            cols.day_population,
            0.5 * (cols.night_population + cols.day_population),
        ],
        axis=1,
    )
    return LossRealisations(
        ds,
        np.take_along_axis(cost, ds.astype(np.intp), axis=1),
        np.take_along_axis(time, ds.astype(np.intp), axis=1),
        injury[level],
        death[level],
        pop[:, :, None] * per_person[:, None, :],
    )
