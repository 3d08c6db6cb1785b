"""Network performance metrics in OpenQuake / WNTR vocabulary.

Connectivity loss (OpenQuake ``connectivity_loss``, after Poljanšek et al. 2012):
``CL = 1 − mean_i (N_s,damaged(i) / N_s,intact(i))`` over demand nodes ``i``, with ``N_s`` the
number of sources reachable from ``i``. Efficiency (Latora & Marchiori 2001,
doi:10.1103/PhysRevLett.87.198701): ``E = 1/(N(N−1)) Σ_{i≠j} 1/d_ij``; efficiency loss
``1 − E_damaged / E_intact`` on the same node set (removed nodes count as unreachable).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components, shortest_path


@dataclass(frozen=True, slots=True)
class NetworkMetrics:
    """Performance of a damaged network against its intact state (all fractions in [0, 1])."""

    connectivity_loss: float
    complete_connectivity_loss: float
    efficiency_loss: float
    demand_nodes_without_source: tuple[str, ...]


def reachable_source_counts(
    graph: nx.Graph, sources: Sequence[str], demand: Sequence[str]
) -> dict[str, int]:
    """Number of sources in the same connected component as each demand node."""
    label = {}
    for number, part in enumerate(nx.connected_components(graph)):
        for node in part:
            label[node] = number
    per_part: dict[int, int] = {}
    for s in sources:
        if s in label:
            per_part[label[s]] = per_part.get(label[s], 0) + 1
    return {d: per_part.get(label[d], 0) if d in label else 0 for d in demand}


def connectivity_loss(
    intact: nx.Graph, damaged: nx.Graph, sources: Sequence[str], demand: Sequence[str]
) -> tuple[float, float, tuple[str, ...]]:
    """OpenQuake connectivity loss, complete connectivity loss and cut-off demand nodes.

    Demand nodes with no source in the intact network are ignored. Complexity O(N + E).
    """
    before = reachable_source_counts(intact, sources, demand)
    after = reachable_source_counts(damaged, sources, demand)
    counted = [d for d in demand if before[d] > 0]
    if not counted:
        return 0.0, 0.0, ()
    ratios = np.array([after[d] / before[d] for d in counted])
    lost = tuple(d for d in counted if after[d] == 0)
    return float(1.0 - ratios.mean()), len(lost) / len(counted), lost


def global_efficiency(
    graph: nx.Graph, nodes: Sequence[str] | None = None, weight: str | None = None
) -> float:
    """Latora–Marchiori global efficiency over ``nodes`` (default: all nodes of ``graph``).

    Nodes in ``nodes`` that are not in ``graph`` contribute zero (unreachable).
    Complexity O(N (N + E)) with unit weights; ``weight`` names an edge length attribute.
    """
    names = list(graph.nodes) if nodes is None else list(nodes)
    n = len(names)
    if n < 2:
        return 0.0
    present = [v for v in names if v in graph]
    dist = _distance_matrix(graph, present, weight)
    with np.errstate(divide="ignore"):
        inverse = np.where(np.isfinite(dist) & (dist > 0), 1.0 / dist, 0.0)
    return float(inverse.sum() / (n * (n - 1)))


def _distance_matrix(graph: nx.Graph, nodes: list[str], weight: str | None) -> np.ndarray:
    """All-pairs shortest path lengths among ``nodes`` via scipy.sparse.csgraph."""
    order = list(graph.nodes)
    position = {v: i for i, v in enumerate(order)}
    rows, cols, vals = [], [], []
    for u, v, data in graph.edges(data=True):
        length = 1.0 if weight is None else float(data.get(weight) or 0.0) or 1e-9
        rows += [position[u], position[v]]
        cols += [position[v], position[u]]
        vals += [length, length]
    matrix = sp.coo_matrix((vals, (rows, cols)), shape=(len(order), len(order))).tocsr()
    matrix.sum_duplicates()
    if weight is not None:
        matrix = _min_duplicates(rows, cols, vals, len(order))
    pick = np.array([position[v] for v in nodes], dtype=np.int64)
    dist = shortest_path(matrix, directed=False, unweighted=weight is None, indices=pick)
    return dist[:, pick]


def _min_duplicates(rows: list[int], cols: list[int], vals: list[float], n: int) -> sp.csr_matrix:
    """CSR matrix keeping the shortest of parallel edges."""
    best: dict[tuple[int, int], float] = {}
    for r, c, v in zip(rows, cols, vals, strict=True):
        best[(r, c)] = min(v, best.get((r, c), np.inf))
    keys = list(best)
    return sp.csr_matrix(
        ([best[k] for k in keys], ([k[0] for k in keys], [k[1] for k in keys])), shape=(n, n)
    )


def efficiency_loss(intact: nx.Graph, damaged: nx.Graph, weight: str | None = None) -> float:
    """``1 − E(damaged)/E(intact)`` over the intact graph's nodes."""
    base = global_efficiency(intact, weight=weight)
    if base == 0.0:
        return 0.0
    return float(1.0 - global_efficiency(damaged, list(intact.nodes), weight=weight) / base)


def network_metrics(
    intact: nx.Graph,
    damaged: nx.Graph,
    sources: Sequence[str],
    demand: Sequence[str],
    *,
    with_efficiency: bool = True,
) -> NetworkMetrics:
    """Connectivity and efficiency loss of ``damaged`` against ``intact``."""
    cl, ccl, lost = connectivity_loss(intact, damaged, sources, demand)
    el = efficiency_loss(intact, damaged) if with_efficiency else float("nan")
    return NetworkMetrics(cl, ccl, el, lost)


def component_count(matrix: sp.csr_matrix) -> int:
    """Connected components of a symmetric sparse adjacency matrix."""
    return int(connected_components(matrix, directed=False)[0])
