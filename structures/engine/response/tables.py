"""Package data tables (Hazus, GB 50011 mapping, GB/T 38591) read once and cached.

Every CSV in ``data/`` opens with ``#`` lines that cite its source. Units are converted to SI
here: Hazus inches -> m, fractions from percent.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

from structures.engine.response.errors import StructuralModelError

M_PER_IN = 0.0254
DAMAGE_STATES: tuple[str, ...] = ("slight", "moderate", "extensive", "complete")
LEVEL_ORDER: tuple[str, ...] = ("HC", "MC", "LC", "PC")


def read_table(name: str) -> list[dict[str, str]]:
    """Return the rows of package data file ``name`` (comment lines dropped)."""
    text = resources.files("structures.engine.response").joinpath("data", name).read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines))


@dataclass(frozen=True, slots=True)
class CapacityCurve:
    """Hazus capacity curve control points in spectral coordinates (m, g)."""

    dy_m: float
    ay_g: float
    du_m: float
    au_g: float


@dataclass(frozen=True, slots=True)
class Fragility:
    """Four lognormal damage-state curves: medians (in the demand's unit) and betas."""

    medians: NDArray[np.float64]
    betas: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SdFragility:
    """Hazus capacity-spectrum fragility of one type and design level (SI units)."""

    sd: Fragility
    drift_thresholds: NDArray[np.float64]
    roof_height_m: float
    modal_height_m: float


def _floats(row: dict[str, str], keys: list[str]) -> NDArray[np.float64] | None:
    if any(row[k] == "" for k in keys):
        return None
    return np.array([float(row[k]) for k in keys])


@cache
def _keyed(name: str) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["build_type"], r["design_level"]): r for r in read_table(name)}


def _row(name: str, build_type: str, level: str) -> dict[str, str]:
    row = _keyed(name).get((build_type, level))
    if row is None:
        raise StructuralModelError(f"{build_type}-{level}: not in {name}")
    return row


def defined_level(build_type: str, level: str) -> str:
    """Return ``level`` or, where Hazus does not define the type there (URM, S5, C3 at HC/MC),
    the next lower level that is defined."""
    start = LEVEL_ORDER.index(level)
    for candidate in LEVEL_ORDER[start:]:
        row = _keyed("hazus_capacity_curves.csv").get((build_type, candidate))
        if row is not None and row["dy_in"] != "":
            return candidate
    raise StructuralModelError(f"{build_type}: no Hazus capacity curve at or below {level}")


def capacity_curve(build_type: str, level: str) -> CapacityCurve:
    """Hazus yield and ultimate points of a type at a design level (Hazus Tables 5.7a-d)."""
    v = _floats(
        _row("hazus_capacity_curves.csv", build_type, level), ["dy_in", "ay_g", "du_in", "au_g"]
    )
    if v is None:
        raise StructuralModelError(f"{build_type}-{level}: capacity curve not defined in Hazus")
    return CapacityCurve(v[0] * M_PER_IN, float(v[1]), v[2] * M_PER_IN, float(v[3]))


def sd_fragility(build_type: str, level: str) -> SdFragility:
    """Hazus structural fragility (Sd medians in m, betas, drift thresholds, heights in m)."""
    row = _row("hazus_structural_fragility_sd.csv", build_type, level)
    med = _floats(row, [f"median_{d}" for d in DAMAGE_STATES])
    beta = _floats(row, [f"beta_{d}" for d in DAMAGE_STATES])
    drift = _floats(row, [f"drift_{d}" for d in DAMAGE_STATES])
    if med is None or beta is None or drift is None:
        raise StructuralModelError(
            f"{build_type}-{level}: structural fragility not defined in Hazus"
        )
    return SdFragility(
        Fragility(med * M_PER_IN, beta),
        drift,
        float(row["roof_ht_in"]) * M_PER_IN,
        float(row["modal_ht_in"]) * M_PER_IN,
    )


def _four(name: str, build_type: str, level: str) -> Fragility:
    row = _row(name, build_type, level)
    med = _floats(row, [f"median_{d}" for d in DAMAGE_STATES])
    beta = _floats(row, [f"beta_{d}" for d in DAMAGE_STATES])
    if med is None or beta is None:
        raise StructuralModelError(f"{build_type}-{level}: not defined in {name}")
    return Fragility(med, beta)


def pga_fragility(build_type: str, level: str) -> Fragility:
    """Hazus equivalent-PGA structural fragility (medians in g)."""
    return _four("hazus_structural_fragility_pga.csv", build_type, level)


def nsa_fragility(build_type: str, level: str) -> Fragility:
    """Hazus acceleration-sensitive nonstructural fragility (medians in g)."""
    return _four("hazus_nonstructural_accel_fragility.csv", build_type, level)


@cache
def repair_cost_ratios(occupancy: str) -> NDArray[np.float64]:
    """Repair-cost ratios (fraction of replacement cost), shape (3 groups str/nsa/nsd, 5 states).

    Column 0 is the no-damage state (0).
    """
    rows = {r["occupancy"]: r for r in read_table("hazus_repair_cost_ratio.csv")}
    if occupancy not in rows:
        raise StructuralModelError(f"occupancy {occupancy!r} not in the Hazus repair-cost table")
    out = np.zeros((3, 5))
    for g, group in enumerate(("str", "nsa", "nsd")):
        out[g, 1:] = [float(rows[occupancy][f"{group}_{d}"]) / 100.0 for d in DAMAGE_STATES]
    return out


@cache
def repair_times_d(occupancy: str) -> NDArray[np.float64]:
    """Hazus repair time (days) for states none/slight/moderate/extensive/complete."""
    rows = {r["occupancy"]: r for r in read_table("hazus_repair_time.csv")}
    if occupancy not in rows:
        raise StructuralModelError(f"occupancy {occupancy!r} not in the Hazus repair-time table")
    return np.array([0.0] + [float(rows[occupancy][d]) for d in DAMAGE_STATES])


@cache
def casualty_rates(build_type: str) -> NDArray[np.float64]:
    """Indoor casualty rates (fractions), shape (6 states, 4 severities)."""
    states = ("slight", "moderate", "extensive", "complete", "collapse")
    out = np.zeros((6, 4))
    rows = read_table("hazus_indoor_casualty_rates.csv")
    for who in ("*", build_type):  # type-specific rows override the defaults
        for r in rows:
            if r["build_type"] == who:
                out[1 + states.index(r["damage_state"])] = [
                    float(r[f"sev{k}"]) / 100.0 for k in range(1, 5)
                ]
    return out


@cache
def collapse_fraction(build_type: str) -> float:
    """Fraction of Complete damage that is collapse (Hazus, via SimCenter DLML)."""
    rows = {r["build_type"]: r for r in read_table("hazus_collapse_fraction.csv")}
    if build_type not in rows:
        raise StructuralModelError(f"{build_type}: no Hazus collapse fraction")
    return float(rows[build_type]["collapse_fraction"])
