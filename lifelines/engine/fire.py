"""Fire following earthquake: ignitions, the building proximity graph and Hamada spread times.

Ignitions (Hazus FFE, Scawthorn update; STANDARDS.md): expected ignitions per million ft² of
floor area ``λ = 0.581895·PGA² − 0.029444·PGA`` (PGA in g, clipped at 0); the count per
building is Poisson(λ · floor area / 10⁶ ft²), a building ignites when the count is ≥ 1.

Spread (Hamada 1951, as summarised by Lee, Davidson, Ohnishi & Scawthorn 2008, Earthquake
Spectra 24(4), doi:10.1193/1.2977493): minutes for fire to cross one building of side ``a``
and a gap ``d`` (m) with wind ``V`` (m/s) and fire-resistant share ``f_b``::

    T_d = [(1−f_b)(3 + 3a/8 + 8d/(25+2.5V)) + f_b(5 + 5a/8 + 16d/(25+2.5V))] / (1.5(1+0.1V+0.007V²))
    T_s = [(1−f_b)(3 + 3a/8 + 8d/(5+0.25V))  + f_b(5 + 5a/8 + 16d/(5+0.25V))]  / (1+0.005V²)
    T_u = [(1−f_b)(3 + 3a/8 + 8d/(5+0.2V))   + f_b(5 + 5a/8 + 16d/(5+0.2V))]   / (1+0.002V²)

Rates ``v = (a+d)/T`` are interpolated over the angle to the wind by Hamada's ellipse
(focal form downwind of the crosswind line, centred ellipse upwind). In calm air (``V = 0``)
the crosswind time ``T_s`` is used in every direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from lifelines.engine.buildings import BuildingArrays
from lifelines.engine.errors import FireModelError

FT2_PER_M2 = 10.763910416709722
IGNITION_A = 0.581895
IGNITION_B = -0.029444
MAX_SEPARATION_M = 15.0
"""Gap beyond which no building-to-building spread is modelled (m)."""
SURE_SEPARATION_M = 3.0
"""Gap up to which spread between combustible buildings is certain (m)."""
FIRE_RESISTANT_SPREAD_FACTOR = 0.5
"""Spread probability multiplier when the exposed building is fire resistant."""
SIZE_QUANTILE = 0.95
"""Buildings above this size quantile get their own neighbour search radius."""


def ignition_rate_per_million_ft2(pga_g: NDArray[np.float64]) -> NDArray[np.float64]:
    """Hazus/Scawthorn ignitions per million ft² of floor area (≥ 0) at PGA (g)."""
    pga = np.asarray(pga_g, dtype=np.float64)
    return np.asarray(np.maximum(IGNITION_A * pga**2 + IGNITION_B * pga, 0.0), dtype=np.float64)


def sample_ignitions(
    floor_area_m2: NDArray[np.float64], pga_g: NDArray[np.float64], *, seed: int
) -> NDArray[np.int64]:
    """Indices of buildings with at least one earthquake ignition (Poisson per building)."""
    area = np.asarray(floor_area_m2, np.float64)
    if area.shape != np.asarray(pga_g).shape:
        raise FireModelError("one PGA per building is needed for ignitions; arrays differ")
    rate = ignition_rate_per_million_ft2(pga_g) * area * FT2_PER_M2 / 1.0e6
    counts = np.random.default_rng(seed).poisson(rate)
    return np.flatnonzero(counts > 0).astype(np.int64)


@dataclass(frozen=True, slots=True)
class Wind:
    """Wind at roof level: speed (m/s) and the direction it blows **from** (deg from north)."""

    speed_m_s: float = 0.0
    from_deg: float = 0.0

    @property
    def downwind(self) -> NDArray[np.float64]:
        """Unit vector (east, north) the wind blows towards."""
        rad = np.deg2rad(self.from_deg)
        return np.array([-np.sin(rad), -np.cos(rad)])


@dataclass(frozen=True, slots=True)
class ProximityGraph:
    """Directed building-to-building exposures in CSR order (both directions of each pair).

    ``indptr``/``target`` give the exposures of building ``i`` as
    ``target[indptr[i]:indptr[i+1]]``; ``separation_m`` the gap, ``unit`` the direction
    from source to target centroid.
    """

    n: int
    indptr: NDArray[np.int64]
    source: NDArray[np.int64]
    target: NDArray[np.int64]
    separation_m: NDArray[np.float64]
    unit: NDArray[np.float64]

    def to_networkx(self) -> nx.Graph:
        """Undirected networkx view (edge attribute ``separation_m``) — the reference model."""
        graph = nx.Graph()
        graph.add_nodes_from(range(self.n))
        keep = self.source < self.target
        graph.add_weighted_edges_from(
            zip(
                self.source[keep].tolist(),
                self.target[keep].tolist(),
                self.separation_m[keep].tolist(),
                strict=True,
            ),
            weight="separation_m",
        )
        return graph


def proximity_graph(
    buildings: BuildingArrays,
    *,
    max_separation_m: float = MAX_SEPARATION_M,
    footprints_wkt: Sequence[str] | None = None,
) -> ProximityGraph:
    """Pairs of buildings closer than ``max_separation_m`` (gap between footprints, m).

    The gap is ``|c_i − c_j| − (a_i + a_j)/2`` for square footprints of side ``a`` (fast,
    cKDTree); with ``footprints_wkt`` it is the exact polygon distance (shapely).
    Complexity O(N log N + pairs).
    """
    xy, half = buildings.xy_m, np.sqrt(buildings.footprint_area_m2) / 2.0
    cap = float(np.quantile(half, SIZE_QUANTILE))
    tree = cKDTree(xy)
    pairs = tree.query_pairs(max_separation_m + 2 * cap, output_type="ndarray")
    big = np.flatnonzero(half > cap)
    if big.size:
        extra = tree.query_ball_point(xy[big], max_separation_m + half[big] + half.max())
        more = [(b, j) for b, js in zip(big.tolist(), extra, strict=True) for j in js if j != b]
        pairs = np.unique(
            np.sort(np.vstack([pairs.reshape(-1, 2), np.array(more).reshape(-1, 2)]), axis=1),
            axis=0,
        )
    i, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    delta = xy[j] - xy[i]
    dist = np.hypot(delta[:, 0], delta[:, 1])
    if footprints_wkt is not None:
        shapes = shapely.from_wkt(np.asarray(footprints_wkt, dtype=object))
        gap = shapely.distance(shapes[i], shapes[j])
    else:
        gap = np.maximum(dist - half[i] - half[j], 0.0)
    keep = gap <= max_separation_m
    return _csr(buildings.xy_m.shape[0], i[keep], j[keep], gap[keep], delta[keep], dist[keep])


def _csr(
    n: int,
    i: NDArray[np.int64],
    j: NDArray[np.int64],
    gap: NDArray[np.float64],
    delta: NDArray[np.float64],
    dist: NDArray[np.float64],
) -> ProximityGraph:
    unit = delta / np.maximum(dist, 1e-9)[:, None]
    src, dst = np.concatenate([i, j]), np.concatenate([j, i])
    sep, vec = np.concatenate([gap, gap]), np.concatenate([unit, -unit])
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return ProximityGraph(n, indptr, src[order], dst[order], sep[order], vec[order])


def hamada_times_min(
    side_m: NDArray[np.float64],
    gap_m: NDArray[np.float64],
    wind_m_s: float,
    fire_resistant_share: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Hamada's downwind, crosswind and upwind spread times (min) over one building + gap."""
    a, d, v, fb = side_m, gap_m, float(wind_m_s), fire_resistant_share

    def base(divisor: float) -> NDArray[np.float64]:
        return np.asarray(
            (1 - fb) * (3 + 3 * a / 8 + 8 * d / divisor) + fb * (5 + 5 * a / 8 + 16 * d / divisor),
            dtype=np.float64,
        )

    t_d = base(25 + 2.5 * v) / (1.5 * (1 + 0.1 * v + 0.007 * v**2))
    t_s = base(5 + 0.25 * v) / (1 + 0.005 * v**2)
    t_u = base(5 + 0.2 * v) / (1 + 0.002 * v**2)
    return t_d, t_s, t_u


def spread_times_s(
    graph: ProximityGraph, buildings: BuildingArrays, wind: Wind
) -> NDArray[np.float64]:
    """Hamada spread time (s) along every directed exposure of ``graph``."""
    side = np.sqrt(buildings.footprint_area_m2)
    a = (side[graph.source] + side[graph.target]) / 2.0
    fb = (
        buildings.fire_resistant[graph.source].astype(float)
        + buildings.fire_resistant[graph.target].astype(float)
    ) / 2.0
    t_d, t_s, t_u = hamada_times_min(a, graph.separation_m, wind.speed_m_s, fb)
    length = a + graph.separation_m
    if wind.speed_m_s <= 0:
        return np.asarray(60.0 * t_s, dtype=np.float64)
    v_d, v_s, v_u = length / t_d, length / t_s, length / t_u
    k = graph.unit @ wind.downwind
    e = (v_d - v_s) / v_d
    front = v_d**2 / (2 * v_d - v_s) * (1 - e**2) / (1 - e * np.clip(k, 0, 1))
    back = v_s * v_u / np.sqrt(v_u**2 * (1 - k**2) + v_s**2 * k**2)
    rate = np.where(k >= 0, front, back)
    return np.asarray(60.0 * length / rate, dtype=np.float64)


def spread_probability(
    graph: ProximityGraph,
    buildings: BuildingArrays,
    sure_m: float = SURE_SEPARATION_M,
    max_m: float = MAX_SEPARATION_M,
) -> NDArray[np.float64]:
    """Chance that a burning building ignites an exposed one: 1 up to ``sure_m`` of gap,
    linear to 0 at ``max_m``; × ``FIRE_RESISTANT_SPREAD_FACTOR`` for a fire-resistant target
    (platform assumption, cf. the separation thresholds of Hamada-type models)."""
    p = np.clip((max_m - graph.separation_m) / max(max_m - sure_m, 1e-9), 0.0, 1.0)
    resistant = buildings.fire_resistant[graph.target]
    return np.asarray(np.where(resistant, p * FIRE_RESISTANT_SPREAD_FACTOR, p), np.float64)
