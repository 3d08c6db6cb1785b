"""Shared builders for hazard-engine tests (no database, no Django)."""

from __future__ import annotations

import numpy as np

from structures.engine.hazard.distances import Distances, Sites
from structures.engine.hazard.gmpe_base import GmpeContext


def context(
    magnitude: float,
    rake: float | None,
    distance_km: float,
    vs30: float,
    *,
    hypo_depth_km: float = 10.0,
    along_km: float | None = None,
    across_km: float = 0.0,
) -> GmpeContext:
    """A one-site context whose every distance metric equals ``distance_km``."""
    r = np.array([distance_km], dtype=np.float64)
    zero = np.zeros(1)
    along = np.array([distance_km if along_km is None else along_km])
    dist = Distances(r, r, zero, zero, r, r, along, np.array([across_km]), zero, zero)
    return GmpeContext(
        magnitude,
        rake,
        90.0,
        0.0,
        hypo_depth_km,
        0.0,
        dist,
        Sites(zero, zero, np.array([vs30], dtype=np.float64)),
    )
