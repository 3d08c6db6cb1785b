"""GB/T 38591-2020 building seismic-resilience star rating.

Each indicator (repair cost ratio, repair time, injury rate, death rate) is taken at the 84th
percentile of the realisations; an indicator earns 3 or 2 stars against its limits under the rare
(罕遇) earthquake, 1 star against the design-basis (设防) limits, else 0. The overall grade is the
lowest of the indicators (no weights). Limits: ``data/gbt38591_rating.csv`` (STANDARDS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from structures.engine.response.losses import LossRealisations
from structures.engine.response.tables import read_table

GUARANTEE_PERCENTILE = 84.0
INDICATORS: tuple[str, ...] = ("repair_cost_ratio", "repair_time_d", "injury_rate", "death_rate")


@dataclass(frozen=True, slots=True)
class ResilienceIndicators:
    """The four GB/T 38591 indicators of one building at one earthquake level (84th percentile)."""

    repair_cost_ratio: float
    repair_time_d: float
    injury_rate: float
    death_rate: float


@dataclass(frozen=True, slots=True)
class Rating:
    """Stars per indicator and overall (0-3); ``label`` is ★★★ / ★★ / ★ / "none"."""

    stars: dict[str, int]
    overall: int

    @property
    def label(self) -> str:
        """Star string of the overall grade."""
        return "★" * self.overall if self.overall else "none"


def indicators_at_guarantee(losses: LossRealisations, building: int = 0) -> ResilienceIndicators:
    """84th-percentile indicators of one building (row ``building``) over its realisations."""
    pick = lambda a: float(np.percentile(a[building], GUARANTEE_PERCENTILE))  # noqa: E731
    return ResilienceIndicators(
        pick(losses.repair_cost_ratio),
        pick(losses.repair_time_d),
        pick(losses.injury_rate),
        pick(losses.death_rate),
    )


@cache
def _limits() -> tuple[tuple[int, str, tuple[float, ...]], ...]:
    rows = read_table("gbt38591_rating.csv")
    keys = ("repair_cost_ratio_max", "repair_time_d_max", "injury_rate_max", "death_rate_max")
    return tuple(
        (int(r["stars"]), r["earthquake_level"], tuple(float(r[k]) for k in keys))
        for r in sorted(rows, key=lambda r: -int(r["stars"]))
    )


def rate_building(
    rare: ResilienceIndicators, design_basis: ResilienceIndicators | None = None
) -> Rating:
    """GB/T 38591 grade from rare-level (and, for 1 star, design-basis-level) indicators."""
    stars: dict[str, int] = {}
    for i, name in enumerate(INDICATORS):
        stars[name] = 0
        for grade, level, limits in _limits():
            source = rare if level == "rare" else design_basis
            if source is not None and getattr(source, name) <= limits[i]:
                stars[name] = grade
                break
    return Rating(stars, min(stars.values()))
