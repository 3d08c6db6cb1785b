"""Service of gas, power and road networks on the damaged graph (topological models).

* Gas: supplied from the city gate(s) through working regulators. Leaking or broken pipes are
  isolated by closing the valves that bound their segment (a segment = a connected part of the
  network once valve links are removed, as in Walski 1993 valve-segment analysis,
  doi:10.1061/(ASCE)0733-9496(1993)119:5(500)); networks without valve links isolate the pipe alone.
* Power: a node is served when connected to a working source (substations when no source).
* Roads: travel time ``Σ length / speed`` on the damaged graph (scipy.sparse.csgraph Dijkstra;
  networkx is the reference in tests); blocked links removed, slowed links × ``SLOWDOWN``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from lifelines.engine.buildings import BuildingState
from lifelines.engine.errors import NetworkModelError
from lifelines.engine.metrics import NetworkMetrics, network_metrics
from lifelines.engine.networks import edge_index, sources

DEFAULT_SPEED_M_S = {
    "motorway": 22.2,
    "trunk": 19.4,
    "primary": 13.9,
    "secondary": 11.1,
    "tertiary": 11.1,
    "residential": 8.3,
    "bridge": 11.1,
}
"""Free-flow speeds (m/s) by road class; 30 km/h (8.3 m/s) for other classes."""
FALLBACK_SPEED_M_S = 8.3
SLOWDOWN = 4.0
"""Travel-time multiplier of a link partly covered by debris (platform assumption)."""


@dataclass(frozen=True, slots=True)
class ConnectivityService:
    """Served state of every node of a network after damage (topological service)."""

    kind: str
    nodes: tuple[str, ...]
    served: NDArray[np.bool_]
    demand: NDArray[np.float64]
    demand_served_fraction: float
    metrics: NetworkMetrics
    removed_links: tuple[str, ...]
    removed_nodes: tuple[str, ...]


def _demand(graph: nx.Graph, node: str) -> float:
    attributes = graph.nodes[node].get("attributes", {})
    for name in ("mdot_kg_per_s", "base_demand_m3_s", "load_mw", "demand"):
        if name in attributes:
            return float(attributes[name])
    return 0.0


def _served(
    graph: nx.MultiGraph,
    damaged: nx.MultiGraph,
    removed_links: Sequence[str],
    removed_nodes: Sequence[str],
    with_efficiency: bool,
) -> ConnectivityService:
    supply = [s for s in sources(graph)]
    if not supply:
        raise NetworkModelError(
            f"{graph.graph.get('kind')} network {graph.graph.get('name')!r} "
            "has no source node (city gate, generator or substation)"
        )
    supplied: set[str] = set()
    for s in supply:
        if s in damaged and s not in supplied:
            supplied |= nx.node_connected_component(damaged, s)
    nodes = tuple(graph.nodes)
    served = np.array([n in supplied for n in nodes], dtype=bool)
    demand = np.array([_demand(graph, n) for n in nodes])
    weights = demand if demand.sum() > 0 else np.ones(len(nodes))
    consumers = [n for n in nodes if n not in supply]
    metrics = network_metrics(graph, damaged, supply, consumers, with_efficiency=with_efficiency)
    return ConnectivityService(
        kind=str(graph.graph.get("kind")),
        nodes=nodes,
        served=served,
        demand=demand,
        demand_served_fraction=float((weights * served).sum() / weights.sum()),
        metrics=metrics,
        removed_links=tuple(sorted(removed_links)),
        removed_nodes=tuple(sorted(removed_nodes)),
    )


def valve_segments(graph: nx.MultiGraph) -> dict[str, int]:
    """Link key → segment number; segments are bounded by ``valve`` links and by regulator
    stations (nodes of type ``regulator``, which have inlet and outlet valves)."""
    cut = nx.Graph()
    stations = {n for n, t in graph.nodes(data="component_type") if t == "regulator"}
    cut.add_nodes_from(n for n in graph.nodes if n not in stations)
    cut.add_edges_from(
        (u, v)
        for u, v, t in graph.edges(data="component_type")
        if t != "valve" and u not in stations and v not in stations
    )
    label = {n: i for i, part in enumerate(nx.connected_components(cut)) for n in part}
    return {
        k: label[v if u in stations else u]
        for u, v, k, t in graph.edges(keys=True, data="component_type")
        if t != "valve" and not (u in stations and v in stations)
    }


def gas_service(
    graph: nx.MultiGraph,
    *,
    leaking: Sequence[str] = (),
    broken: Sequence[str] = (),
    failed_nodes: Sequence[str] = (),
    with_efficiency: bool = False,
) -> ConnectivityService:
    """Gas supply after valve isolation of damaged pipes and loss of regulators.

    Parameters
    ----------
    graph : networkx.MultiGraph
        Intact gas network (``kind="gas"``).
    leaking, broken : link keys of damaged pipes (both are isolated for safety).
    failed_nodes : node keys out of service (regulator stations, compressors, city gate).

    Raises
    ------
    NetworkModelError
        Unknown link keys or no city gate.
    """
    index = edge_index(graph)
    unknown = [k for k in (*leaking, *broken) if k not in index]
    if unknown:
        raise NetworkModelError(
            f"gas pipe {unknown[0]} is not in network "
            f"{graph.graph.get('name')!r}; damage and network differ"
        )
    damaged_pipes = set(leaking) | set(broken)
    has_valves = any(
        t in ("valve", "regulator") for _, t in graph.nodes(data="component_type")
    ) or any(t == "valve" for _, _, t in graph.edges(data="component_type"))
    removed = set(damaged_pipes)
    if has_valves and damaged_pipes:
        segment = valve_segments(graph)
        closed = {segment[k] for k in damaged_pipes if k in segment}
        removed |= {k for k, s in segment.items() if s in closed}
    damaged = graph.copy()
    damaged.remove_edges_from(index[k] for k in removed)
    damaged.remove_nodes_from(n for n in failed_nodes if n in damaged)
    return _served(graph, damaged, sorted(removed), failed_nodes, with_efficiency)


def power_service(
    graph: nx.MultiGraph,
    *,
    failed_nodes: Sequence[str] = (),
    failed_links: Sequence[str] = (),
    with_efficiency: bool = False,
) -> ConnectivityService:
    """Power supply by connectivity to working sources (substations if no source exists)."""
    index = edge_index(graph)
    damaged = graph.copy()
    damaged.remove_edges_from(index[k] for k in failed_links if k in index)
    damaged.remove_nodes_from(n for n in failed_nodes if n in damaged)
    return _served(graph, damaged, failed_links, failed_nodes, with_efficiency)


@dataclass(frozen=True, slots=True)
class TravelTimes:
    """Shortest travel times (s) from each origin (rows) to every road node (columns)."""

    origins: tuple[str, ...]
    nodes: tuple[str, ...]
    time_s: NDArray[np.float64]

    def to(self, node: str) -> NDArray[np.float64]:
        """Travel time from every origin to ``node`` (s); ``inf`` when cut off."""
        return self.time_s[:, self.nodes.index(node)]


def link_travel_time_s(data: dict[str, object]) -> float:
    """Free-flow travel time of a road link: length / speed (s)."""
    attributes = data.get("attributes") or {}
    speed = attributes.get("speed_m_s") if isinstance(attributes, dict) else None
    if speed is None:
        speed = DEFAULT_SPEED_M_S.get(str(data.get("component_type")), FALLBACK_SPEED_M_S)
    return float(data.get("length_m") or 0.0) / float(speed)  # type: ignore[arg-type]


def road_matrix(
    graph: nx.MultiGraph, *, blocked: Sequence[str] = (), slowed: Sequence[str] = ()
) -> tuple[tuple[str, ...], sp.csr_matrix]:
    """Sparse travel-time matrix (s) of the damaged road graph; parallel links → fastest."""
    nodes = tuple(graph.nodes)
    position = {n: i for i, n in enumerate(nodes)}
    skip, slow = set(blocked), set(slowed)
    best: dict[tuple[int, int], float] = {}
    for u, v, key, data in graph.edges(keys=True, data=True):
        if key in skip:
            continue
        t = max(link_travel_time_s(data), 1e-6) * (SLOWDOWN if key in slow else 1.0)
        for a, b in ((position[u], position[v]), (position[v], position[u])):
            best[(a, b)] = min(t, best.get((a, b), np.inf))
    rows = np.array([k[0] for k in best], dtype=np.int64)
    cols = np.array([k[1] for k in best], dtype=np.int64)
    matrix = sp.csr_matrix((list(best.values()), (rows, cols)), shape=(len(nodes), len(nodes)))
    return nodes, matrix


def travel_times(
    graph: nx.MultiGraph,
    origins: Sequence[str],
    *,
    blocked: Sequence[str] = (),
    slowed: Sequence[str] = (),
) -> TravelTimes:
    """Travel times (s) from ``origins`` over the damaged road graph (Dijkstra, csgraph).

    Raises
    ------
    NetworkModelError
        An origin that is not a road node.
    """
    nodes, matrix = road_matrix(graph, blocked=blocked, slowed=slowed)
    missing = [o for o in origins if o not in graph]
    if missing:
        raise NetworkModelError(
            f"origin {missing[0]} is not a node of road network "
            f"{graph.graph.get('name')!r}; snap it to the road first"
        )
    index = [nodes.index(o) for o in origins]
    times = dijkstra(matrix, directed=True, indices=index) if index else np.zeros((0, len(nodes)))
    return TravelTimes(tuple(origins), nodes, np.atleast_2d(times))


def nearest_nodes(
    graph: nx.Graph, xy_m: NDArray[np.float64], types: Sequence[str] | None = None
) -> list[str]:
    """Nearest network node (optionally of given component types) to each point."""
    names = [n for n, t in graph.nodes(data="component_type") if types is None or t in types]
    if not names:
        raise NetworkModelError(f"network {graph.graph.get('name')!r} has no node of types {types}")
    tree = cKDTree(np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in names]))
    _, index = tree.query(np.asarray(xy_m, dtype=np.float64))
    return [names[i] for i in np.atleast_1d(index)]


def population_without_service(
    graph: nx.Graph, served_nodes: set[str], buildings: Sequence[BuildingState]
) -> tuple[float, float]:
    """People (day, night) whose building's nearest network node is not served."""
    if not buildings:
        return 0.0, 0.0
    xy = np.array([(b.x_m, b.y_m) for b in buildings])
    nearest = nearest_nodes(graph, xy)
    out = [b for b, n in zip(buildings, nearest, strict=True) if n not in served_nodes]
    return sum(b.population_day for b in out), sum(b.population_night for b in out)
