"""Road blockage by debris from damaged buildings beside the road.

Debris falls from the façade towards the street over a width ``W = r(DS) · H`` (``H`` the
building height). With ``s`` the distance from the façade to the road centreline (centroid
distance minus half the footprint side) and ``w`` the carriageway width, debris enters the
carriageway by ``W − (s − w/2)``. A road is **blocked** when that intrusion exceeds half the
carriageway (``W > s``: debris reaches the centreline, no lane is left), **slowed** when debris
enters the carriageway at all. The ratios ``r(DS)`` are a platform assumption (debris spread
of the order of a fraction of the building height, larger for collapse) to be calibrated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from lifelines.engine.buildings import BuildingState
from lifelines.engine.errors import NetworkModelError
from twin.engine.records import NetworkRecord

DEBRIS_WIDTH_RATIO = (0.0, 0.0, 0.05, 0.2, 0.5)
"""Debris width / building height for damage states 0..4 (platform assumption)."""
DEFAULT_ROAD_WIDTH_M = 7.0
"""Carriageway width when the road record has no ``width_m`` attribute (two lanes)."""


@dataclass(frozen=True, slots=True)
class RoadBlockage:
    """Per road link: intrusion of debris into the carriageway (m) and its state."""

    keys: tuple[str, ...]
    intrusion_m: NDArray[np.float64]
    width_m: NDArray[np.float64]
    blocked: NDArray[np.bool_]
    slowed: NDArray[np.bool_]

    @property
    def blocked_keys(self) -> tuple[str, ...]:
        """Keys of blocked links."""
        return tuple(k for k, b in zip(self.keys, self.blocked, strict=True) if b)


def road_blockage(roads: NetworkRecord, buildings: Sequence[BuildingState]) -> RoadBlockage:
    """Debris intrusion of damaged buildings into each road link.

    Parameters
    ----------
    roads : NetworkRecord
        Road network in a metric CRS; link attribute ``width_m`` optional.
    buildings : sequence of BuildingState
        Same CRS; ``damage_state`` 0..4 and height.

    Raises
    ------
    NetworkModelError
        If ``roads`` is not a road network or has no links.
    """
    if roads.kind != "road" or not roads.links:
        raise NetworkModelError(f"network {roads.name!r} is not a road network with links")
    keys = tuple(link.key for link in roads.links)
    lines = shapely.linestrings([list(link.coords) for link in roads.links])
    width = np.array(
        [float(link.attributes.get("width_m", DEFAULT_ROAD_WIDTH_M)) for link in roads.links]
    )
    intrusion = np.full(len(keys), -np.inf)
    debris = [
        (b, DEBRIS_WIDTH_RATIO[min(max(b.damage_state, 0), 4)] * b.effective_height_m)
        for b in buildings
    ]
    debris = [(b, w) for b, w in debris if w > 0]
    if debris:
        tree = shapely.STRtree(lines)
        points = shapely.points([(b.x_m, b.y_m) for b, _ in debris])
        half_side = np.array([np.sqrt(b.footprint_area_m2) / 2 for b, _ in debris])
        reach = np.array([w for _, w in debris]) + half_side + width.max() / 2
        pair_b, pair_r = tree.query(points, predicate="dwithin", distance=reach)
        s = shapely.distance(points[pair_b], lines[pair_r]) - half_side[pair_b]
        value = np.array([w for _, w in debris])[pair_b] - (s - width[pair_r] / 2)
        np.maximum.at(intrusion, pair_r, value)
    return RoadBlockage(keys, intrusion, width, intrusion > width / 2, intrusion > 0)
