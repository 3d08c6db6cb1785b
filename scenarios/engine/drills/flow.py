"""Minimum-cost allocation of people to capacitated destinations over a damaged road network.

People at origin nodes (evacuees, casualties) are sent to destinations (shelters, hospitals)
with capacities, minimising total person-seconds of travel, by a min-cost flow on the road
network (both directions of every open road; optional edge ``capacity`` in persons). A
super-source feeds the origins; every destination drains to a super-sink; one direct
source-sink arc with a cost above any simple path absorbs demand that cannot be placed
(no capacity left, or no open route), which is reported as unmet.

Travel costs are integerised to whole seconds (at least 1 s per road, so an optimal flow has
no zero-cost cycles) because network simplex needs integral data. Flows are decomposed into
origin -> destination paths for the plan.

References
----------
Ahuja, R. K., Magnanti, T. L., Orlin, J. B. (1993). Network Flows. Prentice Hall, ch. 9-11
    (min-cost flow, network simplex; flow decomposition, Sect. 3.5).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx

from scenarios.engine.errors import DrillError

_SRC = ("__source__",)
_DST = ("__sink__",)
#: Least integer cost of a road arc, s (avoids zero-cost cycles).
MIN_ARC_COST_S = 1


@dataclass(frozen=True, slots=True)
class Route:
    """``persons`` sent from ``origin`` to destination ``dest_id`` along ``path`` (nodes)."""

    origin: Hashable
    dest_id: str
    persons: int
    travel_s: float
    path: tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class Allocation:
    """Result of :func:`allocate`: routes, unmet persons per origin, loads per destination."""

    routes: tuple[Route, ...]
    unmet: Mapping[Hashable, int]
    loads: Mapping[str, int]
    person_seconds: float


def _network(
    roads: nx.Graph, supplies: Mapping[Hashable, int], dests: Mapping[str, tuple[Hashable, int]]
) -> tuple[nx.DiGraph, int]:
    g = nx.DiGraph()
    total_cost = 0
    for u, v, data in roads.edges(data=True):
        cost = max(MIN_ARC_COST_S, round(float(data["travel_s"])))
        total_cost += cost
        attrs = {"weight": cost}
        if data.get("capacity") is not None:
            attrs["capacity"] = int(data["capacity"])
        g.add_edge(u, v, **attrs)
        g.add_edge(v, u, **attrs)
    total = sum(supplies.values())
    g.add_node(_SRC, demand=-total)
    g.add_node(_DST, demand=total)
    for node, persons in supplies.items():
        g.add_edge(_SRC, node, weight=0, capacity=int(persons))
    for dest_id, (node, cap) in dests.items():
        g.add_edge(node, ("__dest__", dest_id), weight=0, capacity=int(cap))
        g.add_edge(("__dest__", dest_id), _DST, weight=0, capacity=int(cap))
    g.add_edge(_SRC, _DST, weight=total_cost + 1, capacity=total)
    return g, total


def allocate(
    roads: nx.Graph,
    supplies: Mapping[Hashable, int],
    destinations: Mapping[str, tuple[Hashable, int]],
) -> Allocation:
    """Send people from origins to capacitated destinations at least total travel time.

    Parameters
    ----------
    roads : networkx.Graph
        Open roads; edge ``travel_s`` (s), optional ``capacity`` (persons).
    supplies : mapping node -> int
        Persons at each origin node (> 0).
    destinations : mapping id -> (node, capacity)
        Destination road node and capacity (persons).

    Returns
    -------
    Allocation

    Raises
    ------
    DrillError
        An origin or destination node is not on the road graph, or a negative count.

    Notes
    -----
    Network simplex, polynomial in practice; decomposition O(P * L) for P paths of length L.
    """
    for node in (*supplies, *(n for n, _ in destinations.values())):
        if node not in roads:
            raise DrillError(f"node {node!r} of an origin or destination is not on the road graph")
    if any(p < 0 for p in supplies.values()) or any(c < 0 for _, c in destinations.values()):
        raise DrillError("persons and capacities must be non-negative integers")
    supplies = {n: p for n, p in supplies.items() if p > 0}
    if not supplies:
        return Allocation((), {}, {d: 0 for d in destinations}, 0.0)
    g, _ = _network(roads, supplies, destinations)
    _, flow = nx.network_simplex(g)
    loads = {d: int(flow[n].get(("__dest__", d), 0)) for d, (n, _) in destinations.items()}
    routes, unmet = _decompose(flow, supplies, roads)
    person_s = sum(r.persons * r.travel_s for r in routes)
    return Allocation(tuple(routes), unmet, loads, person_s)


def _decompose(
    flow: dict, supplies: Mapping[Hashable, int], roads: nx.Graph
) -> tuple[list[Route], dict[Hashable, int]]:
    routes: list[Route] = []
    unmet: dict[Hashable, int] = {}
    for origin in supplies:
        left = flow[_SRC].get(origin, 0)
        while left > 0:
            path = [origin]
            amount = left
            while not (isinstance(path[-1], tuple) and path[-1][:1] == ("__dest__",)):
                nxt = next(v for v, f in flow[path[-1]].items() if f > 0 and v != _DST)
                amount = min(amount, flow[path[-1]][nxt])
                path.append(nxt)
            for a, b in pairwise(path):
                flow[a][b] -= amount
            flow[path[-1]][_DST] -= amount
            left -= amount
            road_path = tuple(path[:-1])
            travel = sum(float(roads.edges[a, b]["travel_s"]) for a, b in pairwise(road_path))
            routes.append(Route(origin, str(path[-1][1]), amount, travel, road_path))
        placed = flow[_SRC].get(origin, 0)
        if supplies[origin] > placed:
            unmet[origin] = supplies[origin] - placed
    return routes, unmet
