"""Earthquake damage of lifeline components: buried pipes and point facilities.

Pipes (Hazus Earthquake Technical Manual, FEMA 2003, §8.1.7, after O'Rourke & Ayala 1993):
``RR_PGV = 1e-4 · PGV^2.25`` repairs/km (PGV in cm/s) for brittle pipe, × 0.3 for ductile;
``RR_PGD = P_liq · PGD^0.56`` repairs/km (PGD in inches). Shaking repairs are 80 % leaks /
20 % breaks, ground-failure repairs 20 % / 80 %. Repairs along a pipe are a Poisson process
(count ~ Poisson(RR · L)), positions uniform along the length.

Facilities: lognormal fragilities ``P(DS ≥ k | IM) = Φ(ln(IM/θ_k)/β_k)`` from
``data/lifeline_fragility.csv`` (Hazus lifeline tables; source and status per row).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from lifelines.engine.errors import DamageModelError

DATA = Path(__file__).with_name("data")
PGV_COEFFICIENT = 1.0e-4
"""Hazus brittle-pipe coefficient (repairs/km per (cm/s)^2.25)."""
PGV_EXPONENT = 2.25
DUCTILE_FACTOR = 0.3
PGD_EXPONENT = 0.56
SHAKING_LEAK_SHARE = 0.8
GROUND_FAILURE_LEAK_SHARE = 0.2
DEFAULT_PIPE_CLASS = "brittle"
"""Class used for pipes of unknown material (conservative; listed in the result)."""


@cache
def pipe_material_classes() -> dict[str, str]:
    """Material word or alias (lower case) → ``"brittle"`` / ``"ductile"`` from the data table."""
    table: dict[str, str] = {}
    with (DATA / "pipe_materials.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            for name in [row["material"], *row["aliases"].split("|")]:
                table[name.strip().lower()] = row["class"]
    return table


def pipe_class(material: str | None) -> str | None:
    """``"brittle"``, ``"ductile"`` or ``None`` when the material is unknown."""
    if not material:
        return None
    return pipe_material_classes().get(material.strip().lower())


def repair_rate_pgv(
    pgv_cm_s: NDArray[np.float64] | float, ductile: NDArray[np.bool_] | bool = False
) -> NDArray[np.float64]:
    """Shaking repair rate (repairs/km), Hazus: ``1e-4 · PGV^2.25`` × 0.3 if ductile.

    Parameters
    ----------
    pgv_cm_s : array_like
        Peak ground velocity at the pipe (cm/s), ≥ 0.
    ductile : array_like of bool
        Ductile pipe (DI, steel, PVC, PE).

    References
    ----------
    FEMA (2003) Hazus-MH MR4 Earthquake Technical Manual, §8.1.7; O'Rourke & Ayala (1993),
    doi:10.1061/(ASCE)0733-9445(1993)119:3(1490).
    """
    pgv = np.asarray(pgv_cm_s, dtype=np.float64)
    if np.any(pgv < 0) or not np.all(np.isfinite(pgv)):
        raise DamageModelError("PGV must be finite and ≥ 0 cm/s; check the ground-motion field")
    factor = np.where(np.asarray(ductile, dtype=bool), DUCTILE_FACTOR, 1.0)
    return np.asarray(PGV_COEFFICIENT * pgv**PGV_EXPONENT * factor, dtype=np.float64)


def repair_rate_pgd(
    pgd_in: NDArray[np.float64] | float,
    p_liq: NDArray[np.float64] | float,
    ductile: NDArray[np.bool_] | bool = False,
) -> NDArray[np.float64]:
    """Ground-failure repair rate (repairs/km), Hazus: ``P_liq · PGD^0.56`` × 0.3 if ductile."""
    pgd = np.asarray(pgd_in, dtype=np.float64)
    factor = np.where(np.asarray(ductile, dtype=bool), DUCTILE_FACTOR, 1.0)
    return np.asarray(
        np.asarray(p_liq) * np.maximum(pgd, 0.0) ** PGD_EXPONENT * factor, dtype=np.float64
    )


@dataclass(frozen=True, slots=True)
class PipeDamage:
    """Sampled pipe repairs of one damage realisation.

    ``repair_pipe`` / ``repair_fraction`` / ``repair_is_break`` list every repair with its pipe
    index, position along the pipe (0 = start node, 1 = end node) and type.
    """

    keys: tuple[str, ...]
    repair_rate_per_km: NDArray[np.float64]
    expected_repairs: NDArray[np.float64]
    leaks: NDArray[np.int64]
    breaks: NDArray[np.int64]
    repair_pipe: NDArray[np.int64]
    repair_fraction: NDArray[np.float64]
    repair_is_break: NDArray[np.bool_]
    unknown_material: tuple[str, ...]

    @property
    def broken(self) -> tuple[str, ...]:
        """Keys of pipes with at least one break."""
        return tuple(k for k, b in zip(self.keys, self.breaks, strict=True) if b > 0)

    @property
    def leaking(self) -> tuple[str, ...]:
        """Keys of pipes with leaks and no break."""
        return tuple(
            k
            for k, lk, b in zip(self.keys, self.leaks, self.breaks, strict=True)
            if lk > 0 and b == 0
        )


def sample_pipe_damage(
    keys: Sequence[str],
    length_m: NDArray[np.float64],
    materials: Sequence[str | None],
    pgv_cm_s: NDArray[np.float64],
    *,
    seed: int,
    pgd_in: NDArray[np.float64] | None = None,
    p_liq: NDArray[np.float64] | None = None,
) -> PipeDamage:
    """Sample leaks and breaks along each pipe (Poisson in the Hazus repair rate).

    Parameters
    ----------
    keys, length_m, materials, pgv_cm_s : per pipe, same length; length in m, PGV in cm/s.
    seed : int
        Seed of the numpy Generator.
    pgd_in, p_liq : optional
        Permanent ground deformation (inches) and probability of liquefaction per pipe.

    Raises
    ------
    DamageModelError
        If the arrays do not have one value per pipe.
    """
    n = len(keys)
    arrays = [np.asarray(length_m, np.float64), np.asarray(pgv_cm_s, np.float64)]
    if any(a.shape != (n,) for a in arrays) or len(materials) != n:
        raise DamageModelError(
            f"{n} pipes but intensity/length arrays of other sizes; "
            "give one PGV and one length per pipe"
        )
    classes = [pipe_class(m) for m in materials]
    unknown = tuple(k for k, c in zip(keys, classes, strict=True) if c is None)
    ductile = np.array([(c or DEFAULT_PIPE_CLASS) == "ductile" for c in classes], dtype=bool)
    km = arrays[0] / 1000.0
    rr_v = repair_rate_pgv(arrays[1], ductile)
    rr_d = (
        np.zeros(n) if pgd_in is None or p_liq is None else repair_rate_pgd(pgd_in, p_liq, ductile)
    )
    rng = np.random.default_rng(seed)
    shaking = rng.poisson(rr_v * km)
    ground = rng.poisson(rr_d * km)
    leaks = rng.binomial(shaking, SHAKING_LEAK_SHARE) + rng.binomial(
        ground, GROUND_FAILURE_LEAK_SHARE
    )
    breaks = shaking + ground - leaks
    return _with_locations(keys, rr_v + rr_d, (rr_v + rr_d) * km, leaks, breaks, unknown, rng)


def _with_locations(
    keys: Sequence[str],
    rate: NDArray[np.float64],
    expected: NDArray[np.float64],
    leaks: NDArray[np.int64],
    breaks: NDArray[np.int64],
    unknown: tuple[str, ...],
    rng: np.random.Generator,
) -> PipeDamage:
    pipe_index = np.arange(len(keys))
    repair_pipe = np.concatenate([np.repeat(pipe_index, leaks), np.repeat(pipe_index, breaks)])
    is_break = np.concatenate([np.zeros(int(leaks.sum()), bool), np.ones(int(breaks.sum()), bool)])
    order = np.lexsort((is_break, repair_pipe))
    return PipeDamage(
        keys=tuple(keys),
        repair_rate_per_km=rate,
        expected_repairs=expected,
        leaks=leaks.astype(np.int64),
        breaks=breaks.astype(np.int64),
        repair_pipe=repair_pipe[order].astype(np.int64),
        repair_fraction=rng.random(repair_pipe.size),
        repair_is_break=is_break[order],
        unknown_material=unknown,
    )


@dataclass(frozen=True, slots=True)
class Fragility:
    """Lognormal fragility of one component class: medians (IM units) and betas for DS1..DS4."""

    component_class: str
    component_type: str
    im: str
    medians: tuple[float, ...]
    betas: tuple[float, ...]
    out_of_service_from: int
    source: str
    status: str

    def exceedance(self, im: NDArray[np.float64]) -> NDArray[np.float64]:
        """``P(DS ≥ k | IM)`` for k = 1..4, shape ``(n, 4)``."""
        x = np.maximum(np.asarray(im, np.float64)[:, None], 1e-12)
        return np.asarray(ndtr(np.log(x / np.array(self.medians)) / np.array(self.betas)))


@cache
def lifeline_fragilities() -> dict[str, Fragility]:
    """All component fragilities of ``data/lifeline_fragility.csv`` by class."""
    out: dict[str, Fragility] = {}
    with (DATA / "lifeline_fragility.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            out[row["component_class"]] = Fragility(
                row["component_class"],
                row["component_type"],
                row["im"],
                tuple(float(row[f"ds{k}_median"]) for k in range(1, 5)),
                tuple(float(row[f"ds{k}_beta"]) for k in range(1, 5)),
                int(row["out_of_service_from"]),
                row["source"],
                row["status"],
            )
    return out


DEFAULT_CLASS = {
    "substation": "EP.S.M.A",
    "generator": "EP.G.S.A",
    "pump": "PW.PP.S.A",
    "tank": "PW.ST.G.S.A",
    "regulator": "PG.RS.A",
    "bridge": "HWB.C.MS",
}
"""Fragility class per component type when a component names none."""


def sample_component_damage(
    component_types: Sequence[str],
    intensity: NDArray[np.float64],
    *,
    seed: int,
    classes: Sequence[str | None] | None = None,
) -> NDArray[np.int64]:
    """Damage states 0..4 of facilities (one uniform draw each, so DS is monotone in IM).

    Parameters
    ----------
    component_types : per component (``pump``, ``tank``, ``substation``, ``regulator``,
        ``bridge``, ``generator``).
    intensity : the class's IM per component (PGA in g, or Sa(1.0 s) in g for bridges).
    classes : optional explicit fragility classes (rows of the data table).

    Raises
    ------
    DamageModelError
        Unknown component type or class.
    """
    table = lifeline_fragilities()
    rng = np.random.default_rng(seed)
    u = rng.random(len(component_types))
    im = np.asarray(intensity, dtype=np.float64)
    states = np.zeros(len(component_types), dtype=np.int64)
    for i, kind in enumerate(component_types):
        name = (classes[i] if classes is not None else None) or DEFAULT_CLASS.get(kind)
        if name is None or name not in table:
            raise DamageModelError(
                f"no fragility for component type {kind!r} (class {name!r}); "
                "add a row to lifeline_fragility.csv"
            )
        states[i] = int(np.sum(table[name].exceedance(im[i : i + 1])[0] > u[i]))
    return states


def out_of_service(component_types: Sequence[str], states: NDArray[np.int64]) -> NDArray[np.bool_]:
    """True where the damage state reaches the class's out-of-service threshold."""
    table = lifeline_fragilities()
    limits = np.array([table[DEFAULT_CLASS[t]].out_of_service_from for t in component_types])
    return np.asarray(states >= limits, dtype=bool)
