"""Lifeline networks as networkx graphs (and WNTR models) built from CIM network records.

Each network is a :class:`networkx.MultiGraph` (parallel pipes/lines are kept, keyed by the
link key). Node attributes: ``x``, ``y`` (m), ``component_type``, ``elevation_m``,
``attributes``. Edge attributes: ``key``, ``component_type``, ``length_m``, ``diameter_m``,
``material``, ``attributes``. Coordinates must be metric (a projected EPSG).
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from lifelines.engine.errors import NetworkModelError
from twin.engine.records import LinkRecord, NetworkRecord

CONDUIT_TYPES = {"water": ("pipe",), "gas": ("pipe",)}
"""Link types that must carry a diameter, by network kind."""

SOURCE_TYPES: dict[str, tuple[str, ...]] = {
    "water": ("reservoir", "tank"),
    "gas": ("source", "city_gate", "ext_grid"),
    "power": ("source", "generator", "ext_grid", "grid_supply"),
    "road": (),
}
"""Node component types that supply a network (power falls back to substations)."""


def graph_from_record(record: NetworkRecord, *, allow_disconnected: bool = False) -> nx.MultiGraph:
    """Build the networkx model of one lifeline network.

    Parameters
    ----------
    record : NetworkRecord
        Nodes and links in a metric CRS (``epsg`` ≠ 4326).
    allow_disconnected : bool
        Accept several connected components (e.g. an already damaged network).

    Returns
    -------
    networkx.MultiGraph
        Graph attributes ``kind``, ``name``, ``epsg``.

    Raises
    ------
    NetworkModelError
        Empty network, geographic CRS, unknown link ends, pipes without diameter, or (unless
        ``allow_disconnected``) more than one connected component.
    """
    if not record.nodes:
        raise NetworkModelError(f"network {record.name!r} has no nodes; import it again")
    if record.epsg == 4326:
        raise NetworkModelError(
            f"network {record.name!r} is in degrees (EPSG:4326); reproject it to a metric CRS"
        )
    graph = nx.MultiGraph(kind=record.kind, name=record.name, epsg=record.epsg)
    for node in record.nodes:
        graph.add_node(
            node.key,
            x=float(node.x),
            y=float(node.y),
            component_type=node.component_type,
            elevation_m=node.elevation_m,
            attributes=dict(node.attributes),
        )
    for link in record.links:
        _check_link(record, link, graph)
        graph.add_edge(link.start, link.end, key=link.key, **_edge_data(link))
    if not allow_disconnected:
        check_connected(graph)
    return graph


def _check_link(record: NetworkRecord, link: LinkRecord, graph: nx.MultiGraph) -> None:
    for end in (link.start, link.end):
        if end not in graph:
            raise NetworkModelError(
                f"{record.kind} link {link.key} ends at unknown node {end}; fix the network file"
            )
    conduit = link.component_type in CONDUIT_TYPES.get(record.kind, ())
    if conduit and not (link.diameter_m and link.diameter_m > 0):
        raise NetworkModelError(
            f"{record.kind} pipe {link.key} has no diameter; add diameter_m to the network record"
        )


def _edge_data(link: LinkRecord) -> dict[str, object]:
    return {
        "component_type": link.component_type,
        "length_m": float(link.length_m),
        "diameter_m": link.diameter_m,
        "material": link.material,
        "attributes": dict(link.attributes),
    }


def check_connected(graph: nx.Graph) -> None:
    """Raise :class:`NetworkModelError` naming the components if ``graph`` is disconnected."""
    if graph.number_of_nodes() == 0:
        raise NetworkModelError(f"network {graph.graph.get('name')!r} has no nodes")
    parts = sorted(nx.connected_components(graph), key=len, reverse=True)
    if len(parts) > 1:
        example = sorted(parts[1])[0]
        raise NetworkModelError(
            f"network {graph.graph.get('name')!r} has {len(parts)} disconnected parts "
            f"(e.g. node {example} is cut off from the main part of {len(parts[0])} nodes); "
            "connect them or pass allow_disconnected=True"
        )


def sources(graph: nx.Graph) -> list[str]:
    """Supply nodes of a network (for power: substations when no explicit source exists)."""
    kind = graph.graph.get("kind", "")
    types = SOURCE_TYPES.get(kind, ())
    found = [n for n, t in graph.nodes(data="component_type") if t in types]
    if not found and kind == "power":
        found = [n for n, t in graph.nodes(data="component_type") if t == "substation"]
    return sorted(found)


def nodes_of_type(graph: nx.Graph, types: Iterable[str]) -> list[str]:
    """Node keys whose ``component_type`` is in ``types``, sorted."""
    wanted = set(types)
    return sorted(n for n, t in graph.nodes(data="component_type") if t in wanted)


def edge_index(graph: nx.MultiGraph) -> dict[str, tuple[str, str, str]]:
    """Map link key → ``(u, v, key)`` for edges of a MultiGraph."""
    return {k: (u, v, k) for u, v, k in graph.edges(keys=True)}


def remove_links(graph: nx.MultiGraph, keys: Iterable[str]) -> nx.MultiGraph:
    """Copy of ``graph`` without the named links (unknown keys are ignored)."""
    damaged = graph.copy()
    index = edge_index(graph)
    damaged.remove_edges_from(index[k] for k in keys if k in index)
    return damaged
