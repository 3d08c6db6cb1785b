"""Reads that turn CIM buildings into structural-engine inputs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from structures.engine.response import BuildingModelInput, StructuralModelError, validate_building
from structures.engine.response.design_levels import building_design_level
from structures.engine.response.inputs import DESIGN_LEVELS, IsolatorParameters
from twin.models import Building, Town

CODE_EDITION = {
    "pre-1974": "none",
    "TJ11-74": "1974",
    "TJ11-78": "1978",
    "GBJ11-89": "1989",
    "GB50011-2001": "2001",
    "GB50011-2010": "2010",
}
# Seismic weight per square metre of floor when IFC gave no storey mass (dead + 0.5 live,
# typical of Chinese RC/masonry buildings, kg/m²); see docs/structures/mdof-model.md.
DEFAULT_FLOOR_MASS_KG_M2 = 1000.0
DEFAULT_STOREY_HEIGHT_M = 3.0
# Lead-rubber isolation layer per tonne of superstructure: isolated period ≈ 2.5 s, Qd ≈ 5 % W.
ISOLATOR_PERIOD_S = 2.5
ISOLATOR_QD_RATIO = 0.05


@dataclass(slots=True)
class TownBuildings:
    """The buildings of a town ready for the engine, and those skipped with their reason."""

    ids: list[int] = field(default_factory=list)
    inputs: list[BuildingModelInput] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)

    def coordinates(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        return np.asarray(self.lon, dtype=float), np.asarray(self.lat, dtype=float)


def town_buildings(town: Town) -> TownBuildings:
    """Every building of ``town`` as a ``BuildingModelInput``; invalid ones are skipped."""
    result = TownBuildings()
    for building in Building.objects.filter(town=town).prefetch_related("storeys").order_by("id"):
        try:
            model_input = building_input(building)
            validate_building(model_input)
        except StructuralModelError as exc:
            result.skipped[building.pk] = str(exc)
            continue
        centre = building.footprint.centroid  # type: ignore[union-attr]
        result.ids.append(building.pk)
        result.inputs.append(model_input)
        result.lon.append(centre.x)
        result.lat.append(centre.y)
    return result


def building_input(building: Building) -> BuildingModelInput:
    """The engine's view of one building (IFC storeys where present, else attribute defaults)."""
    if building.footprint is None:
        raise StructuralModelError(f"building {building.global_id!r}: no footprint (location)")
    heights, masses = _storeys(building)
    return BuildingModelInput(
        id=building.global_id,
        structural_system=building.structural_system,
        storey_heights_m=heights,
        storey_masses_kg=masses,
        code_edition=CODE_EDITION.get(building.design_era),
        intensity=building.fortification_intensity,
        isolator=_isolator(masses) if getattr(building, "isolated", False) else None,
        occupancy=building.occupancy or "RES3",
        floor_area_m2=building.floor_area_m2 or 0.0,
        replacement_cost=building.replacement_cost or 0.0,
        day_population=building.day_population or 0.0,
        night_population=building.night_population or 0.0,
    )


def _storeys(building: Building) -> tuple[tuple[float, ...], tuple[float, ...]]:
    above = [s for s in building.storeys.all() if s.elevation_m >= -0.5 and s.height_m]
    complete = bool(building.storeys_above_ground) and len(above) == building.storeys_above_ground
    if complete and all(s.mass_kg for s in above):
        return tuple(s.height_m for s in above), tuple(s.mass_kg for s in above)  # type: ignore[misc]
    n = building.storeys_above_ground or 0
    if n <= 0:
        raise StructuralModelError(f"building {building.global_id!r}: zero storeys")
    height = (building.height_m or n * DEFAULT_STOREY_HEIGHT_M) / n
    area = (building.floor_area_m2 or 0.0) / n
    if area <= 0.0:
        raise StructuralModelError(f"building {building.global_id!r}: no floor area for masses")
    return (height,) * n, (area * DEFAULT_FLOOR_MASS_KG_M2,) * n


def _isolator(masses: tuple[float, ...]) -> IsolatorParameters:
    """A lead-rubber layer giving a 2.5 s isolated period; the base slab weighs one floor."""
    total = float(sum(masses)) + masses[0]
    kd = total * (2 * np.pi / ISOLATOR_PERIOD_S) ** 2
    return IsolatorParameters(
        initial_stiffness_n_m=10.0 * kd,
        characteristic_strength_n=ISOLATOR_QD_RATIO * total * 9.80665,
        post_yield_stiffness_n_m=kd,
        base_mass_kg=masses[0],
    )


def apply_retrofit(town: TownBuildings, retrofit: Mapping[str, Any] | None) -> TownBuildings:
    """``town`` with a retrofit option applied to its in-memory inputs (CIM rows untouched).

    ``retrofit`` (see scenarios/whatif.py): buildings whose ``occupancy`` is in ``occupancy_in``
    and whose system starts with one of ``system_prefixes`` get ``system_map[system]`` (if
    given), the ``design_level`` where it is better than theirs (never a downgrade), and an
    isolation layer if ``isolate``. Ids and order stay, so the hazard arrays still line up.
    """
    if not retrofit:
        return town
    occupancies = set(retrofit.get("occupancy_in", ()))
    prefixes = tuple(retrofit.get("system_prefixes", ()))
    inputs = [
        _retrofitted(b, retrofit)
        if b.occupancy in occupancies and b.structural_system.startswith(prefixes)
        else b
        for b in town.inputs
    ]
    return TownBuildings(town.ids, inputs, town.lon, town.lat, town.skipped)


def _retrofitted(b: BuildingModelInput, retrofit: Mapping[str, Any]) -> BuildingModelInput:
    system = retrofit.get("system_map", {}).get(b.structural_system, b.structural_system)
    level = building_design_level(b)
    target = retrofit.get("design_level")
    if target is not None and DESIGN_LEVELS.index(target) < DESIGN_LEVELS.index(level):
        level = target
    isolator = _isolator(b.storey_masses_kg) if retrofit.get("isolate") else b.isolator
    return replace(b, structural_system=system, design_level=level, isolator=isolator)
