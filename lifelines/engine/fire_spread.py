"""Fire spread between buildings over time, with fire-brigade suppression.

The model is event-driven and exact on the continuous time axis; its state is reported on a
time grid (``step_s``) so a dashboard can animate it. A burning building ``i`` ignites an
exposed building ``j`` after the Hamada time ``t_ij`` (see :mod:`lifelines.engine.fire`) if
the exposure succeeds (Bernoulli with the spread probability, drawn once per realisation
from ``seed``) and ``i`` is still spreading: a building spreads from ignition until it burns
out (``burn_duration_s``) or an engine reaches it. Engines are dispatched greedily, in order
of ignition, after ``report_delay_s``: the engine that can arrive first (free time + road
travel time from its station, ``inf`` when the damaged roads cut it off) takes the fire and
controls it in ``control_time_s / water_fraction``; with a hydrant water fraction below
``min_water_fraction`` an engine cannot fight the fire and is not sent.

With spread probability 1 and equal spread times the ignition times are breadth-first hop
distances × ``t`` (verified in tests). :func:`fire_arrival_times` is the fast deterministic
variant (Dijkstra on spread times, scipy.sparse.csgraph) for very large towns.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from lifelines.engine.buildings import BuildingArrays
from lifelines.engine.errors import FireModelError, ProgressFn, report
from lifelines.engine.fire import ProximityGraph, Wind, spread_probability, spread_times_s

BURN_DURATION_S = 3600.0
"""Time a building spreads fire before it has burnt out (s), after Hamada's ~1 h burn time."""
REPORT_DELAY_S = 300.0
CONTROL_TIME_S = 1800.0
MIN_WATER_FRACTION = 0.2


@dataclass(frozen=True, slots=True)
class Suppression:
    """Fire-brigade resources for one realisation.

    ``travel_s[k, i]``: road travel time (s) of engine ``k`` from its station to building
    ``i`` (``inf`` when unreachable); ``water_fraction[i]``: share of the needed fire flow
    available at the hydrant nearest building ``i`` (0..1).
    """

    travel_s: NDArray[np.float64]
    water_fraction: NDArray[np.float64]
    report_delay_s: float = REPORT_DELAY_S
    control_time_s: float = CONTROL_TIME_S
    min_water_fraction: float = MIN_WATER_FRACTION


@dataclass(frozen=True, slots=True)
class FireFrame:
    """State at ``time_s``: indices of burning and of burnt-out/extinguished buildings."""

    time_s: float
    burning: NDArray[np.int64]
    burnt: NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class FireSpread:
    """One fire realisation. Times in s; ``inf`` = never ignited.

    ``end_s`` is when a building stops burning (burn-out or control); ``engine_arrival_s`` is
    ``inf`` for fires no engine reached.
    """

    ignition_s: NDArray[np.float64]
    end_s: NDArray[np.float64]
    engine_arrival_s: NDArray[np.float64]
    times_s: NDArray[np.float64]
    seed: int
    origins: tuple[int, ...] = field(default=())

    @property
    def burnt(self) -> NDArray[np.int64]:
        """Indices of every building that ignited within the horizon."""
        return np.flatnonzero(np.isfinite(self.ignition_s)).astype(np.int64)

    def frame(self, k: int) -> FireFrame:
        """State at ``times_s[k]``."""
        t = float(self.times_s[k])
        burning = np.flatnonzero((self.ignition_s <= t) & (self.end_s > t))
        return FireFrame(
            t, burning.astype(np.int64), np.flatnonzero(self.end_s <= t).astype(np.int64)
        )

    def timeline(self) -> tuple[FireFrame, ...]:
        """All frames on the time grid (burning and burnt sets per step)."""
        return tuple(self.frame(k) for k in range(self.times_s.size))

    def burning_counts(self) -> NDArray[np.int64]:
        """Number of burning buildings at each grid time (vectorised)."""
        ign = np.sort(self.ignition_s[np.isfinite(self.ignition_s)])
        end = np.sort(self.end_s[np.isfinite(self.end_s)])
        started = np.searchsorted(ign, self.times_s, side="right")
        ended = np.searchsorted(end, self.times_s, side="right")
        return (started - ended).astype(np.int64)


def _check(graph: ProximityGraph, buildings: BuildingArrays, ignitions: Sequence[int]) -> None:
    if graph.n != len(buildings.ids):
        raise FireModelError(
            f"proximity graph has {graph.n} buildings, the town "
            f"{len(buildings.ids)}; rebuild the graph for these buildings"
        )
    bad = [i for i in ignitions if not 0 <= int(i) < graph.n]
    if bad:
        raise FireModelError(f"ignition index {bad[0]} is not a building of this town")


def _dispatch(i: int, t: float, supp: Suppression, free: NDArray[np.float64]) -> float:
    """Reserve the engine that can reach building ``i`` first; its arrival time (s) or inf."""
    if supp.travel_s.shape[0] == 0 or supp.water_fraction[i] < supp.min_water_fraction:
        return float("inf")
    arrival = np.maximum(t + supp.report_delay_s, free) + supp.travel_s[:, i]
    k = int(np.argmin(arrival))
    if not np.isfinite(arrival[k]):
        return float("inf")
    free[k] = arrival[k] + supp.control_time_s / supp.water_fraction[i]
    return float(arrival[k])


class FireRun:
    """Mutable state of one fire realisation that can be advanced window by window, so the
    cascade engine can change water and road access between windows (time-stepped coupling).
    """

    def __init__(
        self,
        graph: ProximityGraph,
        buildings: BuildingArrays,
        ignitions: Sequence[int],
        *,
        wind: Wind,
        seed: int,
        ignition_times_s: Sequence[float] | None = None,
        spread_scale: float = 1.0,
        burn_duration_s: float = BURN_DURATION_S,
        spread_time_s: NDArray[np.float64] | None = None,
    ) -> None:
        _check(graph, buildings, ignitions)
        rng = np.random.default_rng(seed)
        dt = spread_times_s(graph, buildings, wind) if spread_time_s is None else spread_time_s
        p = np.clip(spread_probability(graph, buildings) * spread_scale, 0.0, 1.0)
        live = (rng.random(dt.size) < p) & (dt < burn_duration_s)
        indptr = np.zeros(graph.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(graph.source[live], minlength=graph.n), out=indptr[1:])
        self.indptr, self.target = indptr.tolist(), graph.target[live].tolist()
        self.dt, self.burn, self.seed = dt[live].tolist(), burn_duration_s, seed
        inf = float("inf")
        self.ignited, self.end, self.arrival = [inf] * graph.n, [inf] * graph.n, [inf] * graph.n
        times = list(ignition_times_s) if ignition_times_s is not None else [0.0] * len(ignitions)
        self.heap = [(float(t), int(i)) for t, i in zip(times, ignitions, strict=True)]
        heapq.heapify(self.heap)
        self.free: NDArray[np.float64] | None = None
        self.origins = tuple(int(i) for i in ignitions)

    def ignite(self, buildings: Sequence[int], time_s: float) -> None:
        """Add ignitions (e.g. from gas leaks) at ``time_s``."""
        for i in buildings:
            heapq.heappush(self.heap, (float(time_s), int(i)))

    def advance(self, until_s: float, suppression: Suppression | None = None) -> None:
        """Process every ignition up to ``until_s`` (s) with the given suppression."""
        if suppression is not None and self.free is None:
            self.free = np.zeros(suppression.travel_s.shape[0])
        inf, heap, ignited = float("inf"), self.heap, self.ignited
        while heap and heap[0][0] <= until_s:
            t, i = heapq.heappop(heap)
            if ignited[i] != inf:
                continue
            ignited[i] = t
            stop = done = t + self.burn
            if suppression is not None and self.free is not None:
                self.arrival[i] = _dispatch(i, t, suppression, self.free)
                if self.arrival[i] < stop:
                    stop = self.arrival[i]
                    done = min(
                        done, stop + suppression.control_time_s / suppression.water_fraction[i]
                    )
            self.end[i] = done
            for e in range(self.indptr[i], self.indptr[i + 1]):
                j, tj = self.target[e], t + self.dt[e]
                if ignited[j] == inf and tj < stop:
                    heapq.heappush(heap, (tj, j))

    def result(self, horizon_s: float, step_s: float) -> FireSpread:
        """The realisation up to ``horizon_s`` on a grid of ``step_s``."""
        ignited = np.array(self.ignited)
        late = ignited > horizon_s
        ignited[late] = np.inf
        end = np.where(late, np.inf, np.array(self.end))
        arrival = np.where(late, np.inf, np.array(self.arrival))
        times = np.arange(0.0, horizon_s + step_s / 2, step_s)
        return FireSpread(ignited, end, arrival, times, self.seed, self.origins)


def simulate_fire(
    graph: ProximityGraph,
    buildings: BuildingArrays,
    ignitions: Sequence[int],
    *,
    wind: Wind,
    seed: int,
    horizon_s: float = 6 * 3600.0,
    step_s: float = 60.0,
    suppression: Suppression | None = None,
    spread_scale: float = 1.0,
    burn_duration_s: float = BURN_DURATION_S,
    progress: ProgressFn | None = None,
    ignition_times_s: Sequence[float] | None = None,
    spread_time_s: NDArray[np.float64] | None = None,
) -> FireSpread:
    """One realisation of fire spread with suppression (Hamada rates, seeded exposures).

    Parameters
    ----------
    graph, buildings : proximity graph and the buildings it was built from.
    ignitions : building indices burning at ``ignition_times_s`` (default 0 s).
    wind : Wind
    seed : int
        Seed of the numpy Generator for the exposure draws.
    horizon_s, step_s : length and step of the reported time line (s).
    suppression : engines and water; ``None`` = no fire brigade.
    spread_scale : multiplier of the spread probabilities (1 = model; clipped to [0, 1]).
    spread_time_s : precomputed per-exposure spread times (s) to reuse across realisations.

    Returns
    -------
    FireSpread

    Notes
    -----
    O((B + E_B) log B) for B burning buildings and their E_B exposures.
    """
    report(progress, "fire: spread", 0.0)
    run = FireRun(
        graph,
        buildings,
        ignitions,
        wind=wind,
        seed=seed,
        ignition_times_s=ignition_times_s,
        spread_scale=spread_scale,
        burn_duration_s=burn_duration_s,
        spread_time_s=spread_time_s,
    )
    run.advance(horizon_s, suppression)
    report(progress, "fire: spread", 1.0)
    return run.result(horizon_s, step_s)


def fire_arrival_times(
    graph: ProximityGraph,
    buildings: BuildingArrays,
    ignitions: Sequence[int],
    *,
    wind: Wind,
    burn_duration_s: float = BURN_DURATION_S,
    min_probability: float = 0.5,
    spread_time_s: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Earliest fire arrival time (s) at every building, no suppression (fast search).

    Dijkstra (scipy.sparse.csgraph, ``min_only``) on the Hamada spread times of exposures
    whose spread probability is at least ``min_probability`` and that are faster than the
    burn duration; ``inf`` = not reached. O(E + N log N).
    """
    _check(graph, buildings, ignitions)
    if len(ignitions) == 0:
        return np.full(graph.n, np.inf)
    dt = spread_times_s(graph, buildings, wind) if spread_time_s is None else spread_time_s
    keep = (spread_probability(graph, buildings) >= min_probability) & (dt < burn_duration_s)
    matrix = sp.csr_matrix(
        (dt[keep], (graph.source[keep], graph.target[keep])), shape=(graph.n, graph.n)
    )
    return np.asarray(
        dijkstra(matrix, directed=True, indices=np.asarray(ignitions), min_only=True),
        dtype=np.float64,
    )
