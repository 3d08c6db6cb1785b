"""Gas leaks after an earthquake: release rate → ignition → jet fire or explosion → effects.

* Release through a hole (ideal gas, Crane/Yellow Book orifice flow): choked when
  ``p/p_a ≥ ((γ+1)/2)^(γ/(γ−1))``; ``ṁ = C_d A p sqrt(γ M/(R T) (2/(γ+1))^((γ+1)/(γ−1)))``,
  else the subsonic form. TNO Yellow Book (CPR 14E, 2005) ch. 2.
* Ignition probability by release rate (Cox, Lees & Ang 1990, in Lees' Loss Prevention in the
  Process Industries, 4th ed. 2012, doi:10.1016/C2009-0-24104-3): 0.01 (< 1 kg/s),
  0.07 (1–50 kg/s), 0.3 (> 50 kg/s); a share ``IMMEDIATE_SHARE`` ignites at once (jet fire),
  the rest after the cloud has formed (explosion).
* Jet fire: point-source radiation (API 521, 7th ed. 2020): ``q = τ F ṁ ΔH_c / (4π r²)``.
* Explosion: TNT equivalence ``W = η m ΔH_c / E_TNT`` with Kinney & Graham (1985) side-on
  overpressure ``p_s/p_a = 808[1+(Z/4.5)²] / sqrt([1+(Z/0.048)²][1+(Z/0.32)²][1+(Z/1.35)²])``,
  ``Z = R/W^(1/3)`` (m/kg^(1/3)).
* Effects by probits ``P = Φ(Y − 5)`` (Eisenberg, Lynch & Breeding 1975; CCPS CPQRA 2000):
  burn fatality ``Y = −14.9 + 2.56 ln(t q^(4/3))`` (q W/m², t s); structural damage
  ``Y = −23.8 + 2.92 ln ΔP``; lung-haemorrhage fatality ``Y = −77.1 + 6.91 ln ΔP`` (ΔP Pa).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from lifelines.engine.buildings import BuildingArrays
from lifelines.engine.errors import GasReleaseError

R_J_MOL_K = 8.314462618
AMBIENT_PA = 101_325.0
METHANE = {"molar_mass_kg_mol": 0.01604, "gamma": 1.31, "heat_of_combustion_j_kg": 50.0e6}
RADIANT_FRACTION = 0.2
"""Share of combustion heat radiated by a natural-gas jet fire (API 521 typical 0.15–0.3)."""
TRANSMISSIVITY = 1.0
DISCHARGE_COEFFICIENT = 0.62
IMMEDIATE_SHARE = 0.5
"""Share of ignitions that are immediate (jet fire) rather than delayed (explosion)."""
EXPLOSION_YIELD = 0.03
"""TNT-equivalence yield η for natural gas clouds in built-up areas (CCPS range 0.01–0.1)."""
TNT_J_KG = 4.68e6
CLOUD_FORMATION_S = 60.0
"""Release time that builds the cloud of a delayed ignition (s)."""
JET_EXPOSURE_S = 60.0
"""Exposure time of people to a jet fire before escaping (s)."""
BUILDING_SHIELDING = 0.1
"""Share of indoor people exposed to jet-fire radiation (walls shield the rest)."""


@dataclass(frozen=True, slots=True)
class GasLeak:
    """One leak: position (m), gauge pressure in the pipe (Pa), hole diameter (m), time it
    starts (s) and time the valves isolate it (s after start)."""

    id: str
    x_m: float
    y_m: float
    pressure_pa: float
    hole_diameter_m: float
    start_s: float = 0.0
    isolation_s: float = 3600.0
    temperature_k: float = 288.15


def release_rate_kg_s(leak: GasLeak, gas: dict[str, float] = METHANE) -> float:
    """Orifice mass flow (kg/s) of an ideal gas, choked or subsonic (TNO Yellow Book)."""
    if leak.pressure_pa <= 0 or leak.hole_diameter_m <= 0:
        raise GasReleaseError(f"gas leak {leak.id} needs a positive pressure and hole diameter")
    g, m, t = gas["gamma"], gas["molar_mass_kg_mol"], leak.temperature_k
    p = leak.pressure_pa + AMBIENT_PA
    area = math.pi * leak.hole_diameter_m**2 / 4.0
    critical = ((g + 1) / 2) ** (g / (g - 1))
    if p / AMBIENT_PA >= critical:
        psi = math.sqrt(g * (2 / (g + 1)) ** ((g + 1) / (g - 1)))
    else:
        r = AMBIENT_PA / p
        psi = math.sqrt(2 * g / (g - 1) * (r ** (2 / g) - r ** ((g + 1) / g)))
    return DISCHARGE_COEFFICIENT * area * p * psi * math.sqrt(m / (R_J_MOL_K * t))


def ignition_probability(rate_kg_s: float) -> float:
    """Cox–Lees–Ang total ignition probability of a gas release (kg/s)."""
    return 0.01 if rate_kg_s < 1.0 else 0.07 if rate_kg_s <= 50.0 else 0.3


def jet_fire_flux_w_m2(
    rate_kg_s: float, distance_m: NDArray[np.float64], gas: dict[str, float] = METHANE
) -> NDArray[np.float64]:
    """Point-source thermal radiation (W/m²) of a jet fire at ``distance_m`` (API 521)."""
    r = np.maximum(np.asarray(distance_m, np.float64), 1.0)
    power = TRANSMISSIVITY * RADIANT_FRACTION * rate_kg_s * gas["heat_of_combustion_j_kg"]
    return np.asarray(power / (4.0 * math.pi * r**2), dtype=np.float64)


def tnt_mass_kg(cloud_kg: float, gas: dict[str, float] = METHANE) -> float:
    """TNT-equivalent mass (kg) of a flammable cloud."""
    return EXPLOSION_YIELD * cloud_kg * gas["heat_of_combustion_j_kg"] / TNT_J_KG


def overpressure_pa(tnt_kg: float, distance_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Kinney–Graham side-on overpressure (Pa) at ``distance_m`` from ``tnt_kg`` of TNT."""
    z = np.maximum(np.asarray(distance_m, np.float64), 0.5) / max(tnt_kg, 1e-9) ** (1 / 3)
    ratio = (
        808
        * (1 + (z / 4.5) ** 2)
        / np.sqrt((1 + (z / 0.048) ** 2) * (1 + (z / 0.32) ** 2) * (1 + (z / 1.35) ** 2))
    )
    return np.asarray(ratio * AMBIENT_PA, dtype=np.float64)


def probit(y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Probability of a probit value ``Y``: ``Φ(Y − 5)``."""
    return np.asarray(ndtr(np.asarray(y) - 5.0), dtype=np.float64)


def burn_fatality(flux_w_m2: NDArray[np.float64], exposure_s: float) -> NDArray[np.float64]:
    """Eisenberg burn-fatality probability for a flux (W/m²) over ``exposure_s``."""
    dose = exposure_s * np.maximum(np.asarray(flux_w_m2, np.float64), 1e-9) ** (4 / 3)
    return probit(-14.9 + 2.56 * np.log(dose))


def structure_damage(dp_pa: NDArray[np.float64]) -> NDArray[np.float64]:
    """Eisenberg probability of structural damage at overpressure (Pa)."""
    return probit(-23.8 + 2.92 * np.log(np.maximum(np.asarray(dp_pa, np.float64), 1e-9)))


def blast_fatality(dp_pa: NDArray[np.float64]) -> NDArray[np.float64]:
    """Eisenberg lung-haemorrhage fatality probability at overpressure (Pa)."""
    return probit(-77.1 + 6.91 * np.log(np.maximum(np.asarray(dp_pa, np.float64), 1e-9)))


@dataclass(frozen=True, slots=True)
class GasEvent:
    """Outcome of one leak. ``kind`` is ``"none"``, ``"jet_fire"`` or ``"explosion"``;
    per-building arrays are in the building order; fatalities are expected values."""

    leak_id: str
    kind: str
    rate_kg_s: float
    ignition_probability: float
    start_s: float
    end_s: float
    flux_w_m2: NDArray[np.float64]
    overpressure_pa: NDArray[np.float64]
    damage_probability: NDArray[np.float64]
    fatalities_day: float
    fatalities_night: float


def gas_leak_events(
    leaks: Sequence[GasLeak], buildings: BuildingArrays, *, seed: int
) -> tuple[GasEvent, ...]:
    """Sample ignition of each leak and compute jet-fire or explosion effects on buildings.

    ``damage_probability`` is the building's chance of being set on fire (jet fire: flux
    ≥ 12.5 kW/m², piloted ignition of wood) or structurally damaged (explosion probit).
    """
    rng = np.random.default_rng(seed)
    draws = rng.random((len(leaks), 2))
    return tuple(_event(leak, buildings, u) for leak, u in zip(leaks, draws, strict=True))


WOOD_IGNITION_W_M2 = 12_500.0


def _event(leak: GasLeak, buildings: BuildingArrays, u: NDArray[np.float64]) -> GasEvent:
    rate = release_rate_kg_s(leak)
    p_ign = ignition_probability(rate)
    r = np.hypot(buildings.xy_m[:, 0] - leak.x_m, buildings.xy_m[:, 1] - leak.y_m)
    zero = np.zeros(r.size)
    if u[0] >= p_ign:
        return GasEvent(
            leak.id, "none", rate, p_ign, leak.start_s, leak.start_s, zero, zero, zero, 0.0, 0.0
        )
    if u[1] < IMMEDIATE_SHARE:
        flux = jet_fire_flux_w_m2(rate, r)
        death = burn_fatality(flux, JET_EXPOSURE_S) * BUILDING_SHIELDING
        damage = (flux >= WOOD_IGNITION_W_M2).astype(np.float64)
        return GasEvent(
            leak.id,
            "jet_fire",
            rate,
            p_ign,
            leak.start_s,
            leak.start_s + leak.isolation_s,
            flux,
            zero,
            damage,
            float(death @ buildings.population_day),
            float(death @ buildings.population_night),
        )
    cloud = rate * min(CLOUD_FORMATION_S, leak.isolation_s)
    dp = overpressure_pa(tnt_mass_kg(cloud), r)
    death = blast_fatality(dp)
    t = leak.start_s + min(CLOUD_FORMATION_S, leak.isolation_s)
    return GasEvent(
        leak.id,
        "explosion",
        rate,
        p_ign,
        t,
        t,
        zero,
        dp,
        structure_damage(dp),
        float(death @ buildings.population_day),
        float(death @ buildings.population_night),
    )


def gas_ignited_buildings(
    events: Sequence[GasEvent], *, seed: int
) -> tuple[list[int], list[float]]:
    """Buildings set on fire by gas events (sampled from ``damage_probability`` of jet fires
    and explosions) and their ignition times (s) — input to the fire-spread engine."""
    rng = np.random.default_rng(seed)
    index: list[int] = []
    times: list[float] = []
    for event in events:
        if event.kind == "none":
            continue
        hit = np.flatnonzero(rng.random(event.damage_probability.size) < event.damage_probability)
        index += hit.tolist()
        times += [event.start_s] * hit.size
    return index, times
