"""Gas, power and road networks of a town on its street graph (local metres).

Gas: a city gate ``CG`` (source) outside the town feeds, by a high-pressure steel line, a
chain of regulator stations ``RS<k>`` (one per ``blocks_per_regulator`` blocks) that feed
the medium-pressure PE mains: a minimum spanning tree of the streets plus every arterial
(so arterials form loops). An industrial ``hub`` adds an LNG storage ``LNG1`` at the gate.

Power: a grid supply point ``GRID`` (source) outside the town, 110 kV lines to substations
``SS<k>`` (one per ``blocks_per_substation`` blocks, chained so that one line may fail),
and 10 kV feeders along the streets: each street node hangs on the shortest-path tree of
its nearest substation. Loads named in ``loads`` (e.g. the water pump) are connected to
the nearest street node by a service line.

Roads: every street segment is a ``road`` link (``bridge`` where it crosses a river) between
intersections ``N<n>``; attributes give class, lanes and width.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import networkx as nx

from twin.engine.records import LinkRecord, NetworkRecord, NodeRecord

XY = tuple[float, float]


def _line(key: str, a: str, b: str, pa: XY, pb: XY, kind: str, **attrs: float | str) -> LinkRecord:
    diameter = attrs.pop("diameter_m", None)
    material = attrs.pop("material", None)
    return LinkRecord(
        key,
        a,
        b,
        kind,
        (pa, pb),
        round(max(1.0, math.dist(pa, pb)), 2),
        float(diameter) if diameter is not None else None,
        str(material) if material is not None else None,
        dict(attrs),
    )


def spread_nodes(graph: nx.Graph, count: int, first: int) -> list[int]:
    """``count`` street nodes far apart (farthest-point sampling from ``first``)."""
    xy = nx.get_node_attributes(graph, "xy")
    chosen = [first]
    while len(chosen) < min(count, len(xy)):
        chosen.append(max(sorted(xy), key=lambda n: min(math.dist(xy[n], xy[c]) for c in chosen)))
    return chosen


def _outside(xy: Mapping[int, XY], bearing_deg: float, distance_m: float) -> XY:
    cx = sum(p[0] for p in xy.values()) / len(xy)
    cy = sum(p[1] for p in xy.values()) / len(xy)
    far = max(math.dist((cx, cy), p) for p in xy.values())
    b = math.radians(bearing_deg)
    return (cx + (far + distance_m) * math.sin(b), cy + (far + distance_m) * math.cos(b))


def _centre_node(xy: Mapping[int, XY]) -> int:
    cx = sum(p[0] for p in xy.values()) / len(xy)
    cy = sum(p[1] for p in xy.values()) / len(xy)
    return min(sorted(xy), key=lambda n: math.dist(xy[n], (cx, cy)))


def gas_network(
    name: str,
    graph: nx.Graph,
    demands_m3_h: Mapping[int, float],
    elevation: Mapping[int, float],
    params: Mapping[str, float | str | bool],
    n_blocks: int,
) -> NetworkRecord:
    """The gas network (module docstring)."""
    xy = nx.get_node_attributes(graph, "xy")
    gate = _outside(
        xy, float(params.get("gate_bearing_deg", 90.0)), float(params.get("gate_distance_m", 800.0))
    )
    count = max(1, math.ceil(n_blocks / float(params.get("blocks_per_regulator", 40))))
    regulators = spread_nodes(graph, count, min(xy, key=lambda n: (math.dist(xy[n], gate), n)))
    nodes = [
        NodeRecord(
            f"G{n}",
            p[0],
            p[1],
            "junction",
            elevation[n],
            {"demand_m3_h": round(demands_m3_h.get(n, 0.0), 4), "pressure_class": "medium"},
        )
        for n, p in sorted(xy.items())
    ]
    nodes.append(
        NodeRecord("CG", gate[0], gate[1], "city_gate", None, {"p_bar": 4.0, "role": "source"})
    )
    links: list[LinkRecord] = []
    previous, prev_xy = "CG", gate
    for k, n in enumerate(regulators, start=1):
        rs_xy = (xy[n][0] + 10.0, xy[n][1] - 10.0)
        nodes.append(
            NodeRecord(
                f"RS{k}",
                rs_xy[0],
                rs_xy[1],
                "regulator",
                elevation[n],
                {"inlet_bar": 4.0, "outlet_bar": 0.4},
            )
        )
        links.append(
            _line(
                f"HP{k}",
                previous,
                f"RS{k}",
                prev_xy,
                rs_xy,
                "pipe",
                diameter_m=0.3,
                material="steel",
                pressure_class="high",
            )
        )
        links.append(
            _line(
                f"RSO{k}",
                f"RS{k}",
                f"G{n}",
                rs_xy,
                xy[n],
                "pipe",
                diameter_m=0.2,
                material="PE",
                pressure_class="medium",
            )
        )
        previous, prev_xy = f"RS{k}", rs_xy
    if params.get("hub"):
        hub = (gate[0] + 60.0, gate[1] + 40.0)
        nodes.append(
            NodeRecord(
                "LNG1",
                hub[0],
                hub[1],
                "storage",
                None,
                {"substance": "LNG", "capacity_m3": float(params.get("hub_m3", 20000))},
            )
        )
        links.append(
            _line(
                "HUB1",
                "LNG1",
                "CG",
                hub,
                gate,
                "pipe",
                diameter_m=0.4,
                material="steel",
                pressure_class="high",
            )
        )
    weighted = nx.Graph()
    weighted.add_weighted_edges_from((u, v, d["length"]) for u, v, d in graph.edges(data=True))
    mains = {tuple(sorted(e)) for e in nx.minimum_spanning_edges(weighted, data=False)}
    mains |= {tuple(sorted((u, v))) for u, v, d in graph.edges(data=True) if d["kind"] != "local"}
    for a, b in sorted(mains):
        arterial = graph.edges[a, b]["kind"] != "local"
        links.append(
            _line(
                f"M{a}-{b}",
                f"G{a}",
                f"G{b}",
                xy[a],
                xy[b],
                "pipe",
                diameter_m=0.2 if arterial else 0.11,
                material="PE",
                pressure_class="medium",
            )
        )
    return NetworkRecord("gas", name, 0, tuple(nodes), tuple(links), source="generated")


def power_network(
    name: str,
    graph: nx.Graph,
    loads_kw: Mapping[int, float],
    params: Mapping[str, float],
    n_blocks: int,
    extra_loads: Sequence[tuple[str, XY, str]] = (),
) -> NetworkRecord:
    """The power network (module docstring); ``extra_loads`` are (key, xy, serves)."""
    xy = nx.get_node_attributes(graph, "xy")
    grid = _outside(
        xy, float(params.get("grid_bearing_deg", 0.0)), float(params.get("grid_distance_m", 1500.0))
    )
    count = max(1, math.ceil(n_blocks / float(params.get("blocks_per_substation", 60))))
    stations = spread_nodes(graph, count, _centre_node(xy))
    nodes = [
        NodeRecord(f"E{n}", p[0], p[1], "pole", None, {"load_kw": round(loads_kw.get(n, 0.0), 1)})
        for n, p in sorted(xy.items())
    ]
    nodes.append(NodeRecord("GRID", grid[0], grid[1], "grid_supply", None, {"kv": 220.0}))
    links: list[LinkRecord] = []
    previous, prev_xy = "GRID", grid
    for k, n in enumerate(stations, start=1):
        ss = (xy[n][0] - 12.0, xy[n][1] + 12.0)
        nodes.append(
            NodeRecord(
                f"SS{k}",
                ss[0],
                ss[1],
                "substation",
                None,
                {"kv_high": 110.0, "kv_low": 10.0, "mva": 50.0},
            )
        )
        links.append(
            _line(f"HV{k}", previous, f"SS{k}", prev_xy, ss, "transmission_line", kv=110.0)
        )
        links.append(_line(f"SSO{k}", f"SS{k}", f"E{n}", ss, xy[n], "feeder", kv=10.0, feeder=k))
        previous, prev_xy = f"SS{k}", ss
    _, paths = nx.multi_source_dijkstra(graph, set(stations), weight="length")
    feeder_of = {n: stations.index(path[0]) + 1 for n, path in paths.items()}
    for n in sorted(paths):
        path = paths[n]
        if len(path) < 2:
            continue
        a, b = sorted((path[-2], path[-1]))
        links.append(
            _line(
                f"F{a}-{b}", f"E{a}", f"E{b}", xy[a], xy[b], "feeder", kv=10.0, feeder=feeder_of[n]
            )
        )
    for key, where, serves in extra_loads:
        near = min(sorted(xy), key=lambda n: math.dist(xy[n], where))
        nodes.append(NodeRecord(key, where[0], where[1], "load", None, {"serves": serves}))
        links.append(
            _line(
                f"SL-{key}",
                f"E{near}",
                key,
                xy[near],
                where,
                "feeder",
                kv=10.0,
                feeder=feeder_of.get(near, 0),
            )
        )
    return NetworkRecord("power", name, 0, tuple(nodes), tuple(links), source="generated")


LANES = {"arterial": (4, 24.0), "bridge": (4, 20.0), "local": (2, 10.0)}


def road_network(name: str, graph: nx.Graph, elevation: Mapping[int, float]) -> NetworkRecord:
    """The road network (module docstring)."""
    xy = nx.get_node_attributes(graph, "xy")
    nodes = tuple(
        NodeRecord(f"N{n}", p[0], p[1], "intersection", elevation[n], {"degree": graph.degree[n]})
        for n, p in sorted(xy.items())
    )
    links = []
    for u, v, d in sorted(graph.edges(data=True), key=lambda e: (min(e[:2]), max(e[:2]))):
        a, b = min(u, v), max(u, v)
        kind = d.get("kind", "local")
        lanes, width = LANES.get(kind, LANES["local"])
        component = "bridge" if kind == "bridge" else "road"
        links.append(
            _line(
                f"R{a}-{b}",
                f"N{a}",
                f"N{b}",
                xy[a],
                xy[b],
                component,
                road_class=kind,
                lanes=lanes,
                width_m=width,
            )
        )
    return NetworkRecord("road", name, 0, nodes, tuple(links), source="generated")
