"""Toxic releases from damaged chemical facilities: source term, Gaussian plume, threat zones.

* Source term: a damage state releases a share of the inventory over a duration
  (``RELEASE_BY_DAMAGE_STATE``); complete damage loses the whole inventory in 10 min, the
  worst-case release of the EPA RMP Offsite Consequence Analysis Guidance (2009, §3.1).
* Plume (Gaussian, ground reflection; Turner 1970 Workbook, Seinfeld & Pandis 2016 ch. 18):
  ``C = Q/(2π u σ_y σ_z) exp(−y²/2σ_y²) [exp(−(z−H)²/2σ_z²) + exp(−(z+H)²/2σ_z²)]``
  with Briggs (1973) σ_y, σ_z for Pasquill–Gifford classes A–F, open country or urban.
  Passive (neutrally buoyant) dispersion only: dense-gas slumping (chlorine, ammonia
  aerosols) is not modelled, so near-field concentrations of heavy gases are underestimated.
* Threat zones: 60-min AEGL-1/2/3 (or ERPG) from ``data/substances.csv``; the evacuation
  zone is the AEGL-2 footprint.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from lifelines.engine.buildings import BuildingArrays
from lifelines.engine.errors import ChemicalReleaseError

DATA = Path(__file__).with_name("data")
MOLAR_VOLUME_M3_MOL = 0.024465
"""Molar volume of an ideal gas at 25 °C, 1 atm (m³/mol), for ppm conversion."""
RELEASE_BY_DAMAGE_STATE = ((0.0, 0.0), (0.0, 0.0), (0.1, 3600.0), (0.5, 1800.0), (1.0, 600.0))
"""(share of inventory released, release duration s) for damage states 0..4."""
MIN_WIND_M_S = 1.0
"""Gaussian plumes are not valid in calm air; lower wind speeds are raised to this (m/s)."""

BRIGGS_RURAL = {  # class: (ay, az, bz, cz) for σy = ay x (1+1e-4 x)^-0.5, σz = az x (1+bz x)^cz
    "A": (0.22, 0.20, 0.0, 0.0),
    "B": (0.16, 0.12, 0.0, 0.0),
    "C": (0.11, 0.08, 2e-4, -0.5),
    "D": (0.08, 0.06, 1.5e-3, -0.5),
    "E": (0.06, 0.03, 3e-4, -1.0),
    "F": (0.04, 0.016, 3e-4, -1.0),
}
BRIGGS_URBAN = {  # σy = ay x (1+4e-4 x)^-0.5, σz = az x (1+bz x)^cz
    "A": (0.32, 0.24, 1e-3, 0.5),
    "B": (0.32, 0.24, 1e-3, 0.5),
    "C": (0.22, 0.20, 0.0, 0.0),
    "D": (0.16, 0.14, 3e-4, -0.5),
    "E": (0.11, 0.08, 1.5e-3, -0.5),
    "F": (0.11, 0.08, 1.5e-3, -0.5),
}


@dataclass(frozen=True, slots=True)
class Substance:
    """Toxic substance: molar mass (kg/mol) and 60-min AEGL / ERPG levels (ppm)."""

    name: str
    molar_mass_kg_mol: float
    aegl_ppm: tuple[float, float, float]
    erpg_ppm: tuple[float, float, float]
    source: str


@cache
def substances() -> dict[str, Substance]:
    """The substance table ``data/substances.csv`` by name."""
    with (DATA / "substances.csv").open(newline="") as handle:
        return {
            r["substance"]: Substance(
                r["substance"],
                float(r["molar_mass_kg_mol"]),
                (float(r["aegl1_ppm"]), float(r["aegl2_ppm"]), float(r["aegl3_ppm"])),
                (float(r["erpg1_ppm"]), float(r["erpg2_ppm"]), float(r["erpg3_ppm"])),
                r["source"],
            )
            for r in csv.DictReader(handle)
        }


@dataclass(frozen=True, slots=True)
class ChemicalSite:
    """A facility storing a toxic substance: position (m), inventory (kg), damage state 0..4,
    release height (m)."""

    id: str
    x_m: float
    y_m: float
    substance: str
    inventory_kg: float | None
    damage_state: int
    release_height_m: float = 2.0


@dataclass(frozen=True, slots=True)
class SourceTerm:
    """Release rate (kg/s) over ``duration_s`` starting at ``start_s``."""

    site: str
    substance: Substance
    rate_kg_s: float
    duration_s: float
    start_s: float = 0.0


def source_term(site: ChemicalSite, start_s: float = 0.0) -> SourceTerm:
    """Release rate from inventory and damage state.

    Raises
    ------
    ChemicalReleaseError
        Unknown substance, missing or non-positive inventory, damage state outside 0..4.
    """
    if site.substance not in substances():
        raise ChemicalReleaseError(
            f"chemical site {site.id}: substance {site.substance!r} is not "
            f"in substances.csv ({', '.join(sorted(substances()))})"
        )
    if site.inventory_kg is None or not site.inventory_kg > 0:
        raise ChemicalReleaseError(
            f"chemical site {site.id} has no inventory; enter the stored "
            f"mass of {site.substance} in kg"
        )
    if not 0 <= site.damage_state <= 4:
        raise ChemicalReleaseError(f"chemical site {site.id}: damage state must be 0..4")
    share, duration = RELEASE_BY_DAMAGE_STATE[site.damage_state]
    rate = share * site.inventory_kg / duration if duration > 0 else 0.0
    return SourceTerm(site.id, substances()[site.substance], rate, duration, start_s)


def briggs_sigmas(
    x_m: NDArray[np.float64], stability: str, urban: bool = False
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Briggs (1973) dispersion coefficients σ_y, σ_z (m) at downwind distance ``x_m`` (m)."""
    table = BRIGGS_URBAN if urban else BRIGGS_RURAL
    if stability not in table:
        raise ChemicalReleaseError(f"stability class {stability!r} is not one of A–F")
    ay, az, bz, cz = table[stability]
    x = np.maximum(np.asarray(x_m, np.float64), 1e-3)
    sigma_y = ay * x * (1 + (4e-4 if urban else 1e-4) * x) ** -0.5
    sigma_z = az * x * (1 + bz * x) ** cz
    return np.asarray(sigma_y, np.float64), np.asarray(sigma_z, np.float64)


def plume_concentration(
    rate_kg_s: float,
    x_m: NDArray[np.float64],
    y_m: NDArray[np.float64],
    z_m: NDArray[np.float64] | float,
    *,
    wind_m_s: float,
    stability: str,
    release_height_m: float = 0.0,
    urban: bool = False,
) -> NDArray[np.float64]:
    """Steady Gaussian-plume concentration (kg/m³) in plume coordinates (x downwind, m).

    Zero upwind (``x ≤ 0``). Wind below ``MIN_WIND_M_S`` is raised to it.
    """
    u = max(wind_m_s, MIN_WIND_M_S)
    x = np.asarray(x_m, np.float64)
    sy, sz = briggs_sigmas(x, stability, urban)
    h, z = release_height_m, np.asarray(z_m, np.float64)
    vertical = np.exp(-((z - h) ** 2) / (2 * sz**2)) + np.exp(-((z + h) ** 2) / (2 * sz**2))
    c = rate_kg_s / (2 * np.pi * u * sy * sz) * np.exp(-(np.asarray(y_m) ** 2) / (2 * sy**2))
    return np.asarray(np.where(x > 0, c * vertical, 0.0), dtype=np.float64)


def to_ppm(
    concentration_kg_m3: NDArray[np.float64], molar_mass_kg_mol: float
) -> NDArray[np.float64]:
    """kg/m³ → ppm (by volume) at 25 °C, 1 atm."""
    return np.asarray(
        concentration_kg_m3 / molar_mass_kg_mol * MOLAR_VOLUME_M3_MOL * 1e6, dtype=np.float64
    )


@dataclass(frozen=True, slots=True)
class PlumeExposure:
    """Exposure of buildings to one release.

    ``ppm`` ground-level concentration at each building while the plume passes;
    ``level`` 0..3 the highest AEGL (or ERPG) exceeded; ``arrival_s``/``departure_s`` when the
    plume reaches / leaves the building (inf when never); people by level (day, night).
    """

    site: str
    ppm: NDArray[np.float64]
    level: NDArray[np.int64]
    arrival_s: NDArray[np.float64]
    departure_s: NDArray[np.float64]
    exposed_day: tuple[float, float, float]
    exposed_night: tuple[float, float, float]
    evacuate: NDArray[np.int64]

    def ppm_at(self, time_s: float) -> NDArray[np.float64]:
        """Concentration at each building at ``time_s`` (for animation)."""
        inside = (self.arrival_s <= time_s) & (time_s < self.departure_s)
        return np.where(inside, self.ppm, 0.0)


def plume_exposure(
    site: ChemicalSite,
    buildings: BuildingArrays,
    *,
    wind_m_s: float,
    wind_from_deg: float,
    stability: str,
    urban: bool = True,
    guideline: str = "aegl",
) -> PlumeExposure:
    """Concentrations, threat levels and people exposed at every building.

    The plume axis points where the wind blows to; the front travels at the wind speed, so
    a building at downwind distance ``x`` is exposed from ``start + x/u`` for the release
    duration. Evacuation = buildings at AEGL-2 (ERPG-2) or above.
    """
    term = source_term(site)
    u = max(wind_m_s, MIN_WIND_M_S)
    rad = np.deg2rad(wind_from_deg)
    axis = np.array([-np.sin(rad), -np.cos(rad)])
    d = buildings.xy_m - np.array([site.x_m, site.y_m])
    x, y = d @ axis, d @ np.array([axis[1], -axis[0]])
    ppm = to_ppm(
        plume_concentration(
            term.rate_kg_s,
            x,
            y,
            1.5,
            wind_m_s=u,
            stability=stability,
            release_height_m=site.release_height_m,
            urban=urban,
        ),
        term.substance.molar_mass_kg_mol,
    )
    limits = np.array(term.substance.aegl_ppm if guideline == "aegl" else term.substance.erpg_ppm)
    level = (ppm[:, None] >= limits[None, :]).sum(axis=1).astype(np.int64)
    reached = (x > 0) & (ppm > 0)
    arrival = np.where(reached, term.start_s + x / u, np.inf)
    depart = np.where(reached, arrival + term.duration_s, np.inf)
    by = [level == k for k in (1, 2, 3)]
    return PlumeExposure(
        site.id,
        ppm,
        level,
        arrival,
        depart,
        tuple(float(buildings.population_day[m].sum()) for m in by),  # type: ignore[arg-type]
        tuple(float(buildings.population_night[m].sum()) for m in by),  # type: ignore[arg-type]
        np.flatnonzero(level >= 2).astype(np.int64),
    )


def threat_zone_distance_m(
    site: ChemicalSite,
    level_ppm: float,
    *,
    wind_m_s: float,
    stability: str,
    urban: bool = True,
    max_m: float = 50_000.0,
) -> float:
    """Largest downwind distance (m) where the centreline ground concentration ≥ ``level_ppm``
    (sampled on a logarithmic grid of 2,000 points; 0 when never reached)."""
    term = source_term(site)
    x = np.geomspace(1.0, max_m, 2000)
    ppm = to_ppm(
        plume_concentration(
            term.rate_kg_s,
            x,
            np.zeros_like(x),
            1.5,
            wind_m_s=wind_m_s,
            stability=stability,
            release_height_m=site.release_height_m,
            urban=urban,
        ),
        term.substance.molar_mass_kg_mol,
    )
    above = np.flatnonzero(ppm >= level_ppm)
    return float(x[above[-1]]) if above.size else 0.0


def pasquill_class(wind_m_s: float, insolation: str) -> str:
    """Pasquill–Gifford class from 10-m wind and insolation (Turner 1970, table 1; the more
    stable class where the table gives two). ``insolation``: strong, moderate, slight,
    night_cloudy (≥ 4/8 cloud), night_clear."""
    rows = [
        (2.0, "A", "B", "B", "F", "F"),
        (3.0, "B", "B", "C", "E", "F"),
        (5.0, "B", "C", "C", "D", "E"),
        (6.0, "C", "D", "D", "D", "D"),
        (np.inf, "C", "D", "D", "D", "D"),
    ]
    columns = ["strong", "moderate", "slight", "night_cloudy", "night_clear"]
    if insolation not in columns:
        raise ChemicalReleaseError(f"insolation {insolation!r} is not one of {columns}")
    row = next(r for r in rows if wind_m_s < r[0])
    return str(row[1 + columns.index(insolation)])


def releases(sites: Sequence[ChemicalSite]) -> tuple[SourceTerm, ...]:
    """Source terms of every damaged site (damage state ≥ 2)."""
    return tuple(source_term(s) for s in sites if s.damage_state >= 2)
