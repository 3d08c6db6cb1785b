"""Input contract of the structural-response engine: buildings, isolators, ground motions.

Units are SI throughout: m, kg, N, s; accelerations in m/s^2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from structures.engine.response.errors import StructuralModelError

HAZUS_TYPES: tuple[str, ...] = (
    "W1",
    "W2",
    "S1L",
    "S1M",
    "S1H",
    "S2L",
    "S2M",
    "S2H",
    "S3",
    "S4L",
    "S4M",
    "S4H",
    "S5L",
    "S5M",
    "S5H",
    "C1L",
    "C1M",
    "C1H",
    "C2L",
    "C2M",
    "C2H",
    "C3L",
    "C3M",
    "C3H",
    "PC1",
    "PC2L",
    "PC2M",
    "PC2H",
    "RM1L",
    "RM1M",
    "RM2L",
    "RM2M",
    "RM2H",
    "URML",
    "URMM",
    "MH",
)
DESIGN_LEVELS: tuple[str, ...] = ("HC", "MC", "LC", "PC")
G_M_S2 = 9.80665


@dataclass(frozen=True, slots=True)
class IsolatorParameters:
    """Bilinear lead-rubber isolation layer (all bearings of the building lumped).

    Parameters
    ----------
    initial_stiffness_n_m : float
        Elastic stiffness K1 of the layer (N/m).
    characteristic_strength_n : float
        Force intercept Qd of the post-yield branch at zero displacement (N).
    post_yield_stiffness_n_m : float
        Post-yield stiffness Kd (N/m), 0 < Kd < K1.
    base_mass_kg : float
        Mass of the base slab above the bearings (kg).
    """

    initial_stiffness_n_m: float
    characteristic_strength_n: float
    post_yield_stiffness_n_m: float
    base_mass_kg: float

    @property
    def yield_force_n(self) -> float:
        """Yield force Fy = Qd K1 / (K1 - Kd) (N)."""
        k1, kd = self.initial_stiffness_n_m, self.post_yield_stiffness_n_m
        return self.characteristic_strength_n * k1 / (k1 - kd)


@dataclass(frozen=True, slots=True)
class BuildingModelInput:
    """One building as the structural engine needs it.

    Parameters
    ----------
    id : str
        Caller's identifier, echoed in errors and results.
    structural_system : str
        Hazus model building type (one of ``HAZUS_TYPES``).
    storey_heights_m : tuple[float, ...]
        Height of each storey, ground up (m). The storey count is its length.
    storey_masses_kg : tuple[float, ...]
        Lumped mass of each floor above ground, floor 1 up (kg).
    design_level : str | None
        Hazus design level HC/MC/LC/PC; if None, ``code_edition`` and ``intensity`` are mapped by
        ``design_level_for`` (GB 50011 table in package data).
    code_edition, intensity : str | None, float | None
        GB 50011 edition ("none", "1974", "1978", "1989", "2001", "2010") and fortification
        intensity.
    isolator : IsolatorParameters | None
        Isolation layer under the superstructure; None for a fixed base.
    occupancy : str
        Hazus occupancy class (RES1, COM4, ...) for repair costs and times.
    floor_area_m2, replacement_cost, day_population, night_population : float
        Total floor area (m^2), replacement cost (currency units), occupants at 2 PM and 2 AM.
    """

    id: str
    structural_system: str
    storey_heights_m: tuple[float, ...]
    storey_masses_kg: tuple[float, ...]
    design_level: str | None = None
    code_edition: str | None = None
    intensity: float | None = None
    isolator: IsolatorParameters | None = None
    occupancy: str = "RES3"
    floor_area_m2: float = 0.0
    replacement_cost: float = 0.0
    day_population: float = 0.0
    night_population: float = 0.0

    @property
    def storeys(self) -> int:
        """Number of storeys above ground."""
        return len(self.storey_heights_m)


@dataclass(frozen=True, slots=True)
class GroundMotion:
    """Uniformly sampled horizontal ground acceleration.

    Parameters
    ----------
    dt_s : float
        Time step (s).
    acc_m_s2 : NDArray[np.float64]
        Ground acceleration (m/s^2), first sample at t = 0.
    name : str
        Label for reports.
    """

    dt_s: float
    acc_m_s2: NDArray[np.float64] = field(repr=False)
    name: str = ""

    def __post_init__(self) -> None:
        if not self.dt_s > 0.0:
            raise StructuralModelError(f"ground motion {self.name!r}: dt_s must be > 0")
        if self.acc_m_s2.ndim != 1 or self.acc_m_s2.size < 2:
            raise StructuralModelError(f"ground motion {self.name!r}: need a 1-D record of >= 2")

    @property
    def duration_s(self) -> float:
        """Record duration (s)."""
        return self.dt_s * (self.acc_m_s2.size - 1)

    @property
    def pga_m_s2(self) -> float:
        """Peak ground acceleration (m/s^2)."""
        return float(np.max(np.abs(self.acc_m_s2)))

    def padded(self, free_vibration_s: float) -> GroundMotion:
        """Return the record followed by ``free_vibration_s`` of zeros (for residual drift)."""
        extra = int(np.ceil(free_vibration_s / self.dt_s))
        acc = np.concatenate([self.acc_m_s2, np.zeros(extra)])
        return GroundMotion(self.dt_s, acc, self.name)

    def truncated(self, duration_s: float) -> GroundMotion:
        """Return the first ``duration_s`` of the record."""
        n = min(self.acc_m_s2.size, round(duration_s / self.dt_s) + 1)
        return GroundMotion(self.dt_s, self.acc_m_s2[:n].copy(), self.name)


def validate_building(b: BuildingModelInput) -> None:
    """Raise ``StructuralModelError`` naming the first problem with a building description."""
    where = f"building {b.id!r}"
    if b.structural_system not in HAZUS_TYPES:
        raise StructuralModelError(f"{where}: unknown Hazus type {b.structural_system!r}")
    if b.storeys == 0:
        raise StructuralModelError(f"{where}: zero storeys (storey_heights_m is empty)")
    if len(b.storey_masses_kg) != b.storeys:
        raise StructuralModelError(
            f"{where}: {len(b.storey_masses_kg)} storey masses for {b.storeys} storeys "
            "(missing masses)"
        )
    heights = np.asarray(b.storey_heights_m, dtype=float)
    masses = np.asarray(b.storey_masses_kg, dtype=float)
    if not np.all(np.isfinite(heights)) or np.any(heights <= 0.0):
        raise StructuralModelError(f"{where}: storey heights must be finite and > 0, got {heights}")
    if not np.all(np.isfinite(masses)) or np.any(masses <= 0.0):
        raise StructuralModelError(f"{where}: storey masses must be finite and > 0, got {masses}")
    if b.design_level is not None and b.design_level not in DESIGN_LEVELS:
        raise StructuralModelError(
            f"{where}: design level {b.design_level!r} not in {DESIGN_LEVELS}"
        )
    if b.design_level is None and (b.code_edition is None or b.intensity is None):
        raise StructuralModelError(f"{where}: give design_level or code_edition + intensity")
    if b.isolator is not None:
        _validate_isolator(where, b.isolator)


def _validate_isolator(where: str, iso: IsolatorParameters) -> None:
    k1, kd = iso.initial_stiffness_n_m, iso.post_yield_stiffness_n_m
    if not (k1 > 0.0 and 0.0 < kd < k1 and iso.characteristic_strength_n > 0.0):
        raise StructuralModelError(f"{where}: isolator needs K1 > Kd > 0 and Qd > 0")
    if not iso.base_mass_kg > 0.0:
        raise StructuralModelError(f"{where}: isolator base mass must be > 0")
