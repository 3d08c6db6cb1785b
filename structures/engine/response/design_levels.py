"""GB 50011 edition x fortification intensity -> Hazus seismic design level.

The table is the platform's own judgement (``data/gb50011_design_level.csv``); the reasoning is in
``docs/structures/design-levels.md``.
"""

from __future__ import annotations

from functools import cache

from structures.engine.response.errors import StructuralModelError
from structures.engine.response.inputs import BuildingModelInput
from structures.engine.response.tables import defined_level, read_table

INTENSITIES: tuple[float, ...] = (6.0, 7.0, 7.5, 8.0, 8.5, 9.0)


@cache
def _table() -> dict[str, dict[str, str]]:
    return {r["edition"]: r for r in read_table("gb50011_design_level.csv")}


def design_level_for(edition: str, intensity: float) -> str:
    """Hazus design level (HC/MC/LC/PC) for a GB 50011 edition and fortification intensity.

    Parameters
    ----------
    edition : str
        "none" (pre-1974 or not seismically designed), "1974", "1978", "1989", "2001" or "2010".
    intensity : float
        Fortification intensity 6, 7, 7.5 (0.15 g), 8, 8.5 (0.30 g) or 9. Intensities below 6
        map to Pre-Code (no seismic design required).

    Raises
    ------
    StructuralModelError
        Unknown edition or intensity.
    """
    row = _table().get(str(edition))
    if row is None:
        raise StructuralModelError(f"unknown GB 50011 edition {edition!r}")
    if intensity < 6.0:
        return "PC"
    if float(intensity) not in INTENSITIES:
        raise StructuralModelError(f"fortification intensity {intensity} not in {INTENSITIES}")
    key = f"i{intensity:g}"
    return row[key]


def building_design_level(b: BuildingModelInput) -> str:
    """Design level of a building, stepped down where Hazus does not define its type there."""
    if b.design_level is not None:
        level = b.design_level
    elif b.code_edition is not None and b.intensity is not None:
        level = design_level_for(b.code_edition, b.intensity)
    else:
        raise StructuralModelError(f"building {b.id!r}: no design level or code edition")
    return defined_level(b.structural_system, level)
