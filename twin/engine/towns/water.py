"""Water supply of a town on its street graph, and a WNTR check that it serves everyone.

Design (SI units):

* a source reservoir ``R1`` (total head = ground there) ``source_distance_m`` outside the
  town, a pump ``PU1`` into the plant outlet ``PS1`` and ``mains`` parallel transmission
  mains to the nearest street node (long mains for a distant intake);
* an elevated tank ``T1`` at the highest street node, its bottom ``service_head_m`` above
  the highest ground, so that in a steady state every node has at least that pressure
  minus friction;
* distribution mains on every street (so the network is looped), junction ``J<n>`` at
  every intersection; each block's demand (night population x ``demand_l_per_person_day``
  x ``peak_factor``) on the block corner nearest its centre;
* diameters from the flow of a breadth-first spanning tree from the inlet plus a fire flow
  (``fire_flow_l_s``) at 1 m/s, rounded up to standard sizes (min DN150 on arterials);
  Hazen-Williams C 130 (ductile iron) and 140 (PE below DN200);
* the pump's design point: 1.2 x peak demand at the head from the reservoir to the tank's
  full level plus 10 m.

:func:`wntr_model` turns a water :class:`~twin.engine.records.NetworkRecord` back into a WNTR
model and :func:`check_service` runs EPANET once (t = 0, no damage) and reports every demand
junction's pressure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import networkx as nx

from twin.engine.records import LinkRecord, NetworkRecord, NodeRecord

XY = tuple[float, float]
SIZES_M = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.4)
VELOCITY_M_S = 1.0


def _size(flow_m3_s: float, minimum: float) -> float:
    needed = math.sqrt(4.0 * flow_m3_s / (math.pi * VELOCITY_M_S))
    return next((d for d in SIZES_M if d >= max(needed, minimum)), SIZES_M[-1])


def _pipe(key: str, a: str, b: str, pa: XY, pb: XY, diameter: float) -> LinkRecord:
    c = 130.0 if diameter >= 0.2 else 140.0
    return LinkRecord(
        key=key,
        start=a,
        end=b,
        component_type="pipe",
        coords=(pa, pb),
        length_m=round(max(1.0, math.dist(pa, pb)), 2),
        diameter_m=diameter,
        material="DI" if diameter >= 0.2 else "PE",
        attributes={
            "roughness": c,
            "headloss_formula": "H-W",
            "minor_loss": 0.0,
            "check_valve": "no",
            "initial_status": "Open",
        },
    )


@dataclass(frozen=True, slots=True)
class WaterDesign:
    """Parameters of :func:`water_network` (see the module docstring)."""

    demand_l_per_person_day: float = 200.0
    peak_factor: float = 1.5
    service_head_m: float = 28.0
    source_distance_m: float = 1500.0
    source_bearing_deg: float = 270.0
    mains: int = 2
    fire_flow_l_s: float = 15.0

    @classmethod
    def from_profile(cls, values: Mapping[str, float]) -> WaterDesign:
        return cls(**{k: float(v) for k, v in values.items() if k in cls.__slots__})  # type: ignore[arg-type]


def water_network(
    name: str,
    graph: nx.Graph,
    demands_m3_s: Mapping[int, float],
    elevation: Callable[[XY], float],
    design: WaterDesign,
) -> NetworkRecord:
    """The water network (module docstring) on ``graph`` (nodes with ``xy``, local metres)."""
    xy = {n: graph.nodes[n]["xy"] for n in graph.nodes}
    total = sum(demands_m3_s.values())
    cx = sum(p[0] for p in xy.values()) / len(xy)
    cy = sum(p[1] for p in xy.values()) / len(xy)
    bearing = math.radians(design.source_bearing_deg)
    far = max(math.dist((cx, cy), p) for p in xy.values())
    src = (
        cx + (far + design.source_distance_m) * math.sin(bearing),
        cy + (far + design.source_distance_m) * math.cos(bearing),
    )
    inlet = min(xy, key=lambda n: (math.dist(xy[n], src), n))
    high = max(xy, key=lambda n: (elevation(xy[n]), -n))
    top_ground = max(elevation(p) for p in xy.values())
    tank_bottom = top_ground + design.service_head_m
    reservoir_head = elevation(src)
    nodes = [
        NodeRecord(
            f"J{n}",
            p[0],
            p[1],
            "junction",
            round(elevation(p), 2),
            {"base_demand_m3_s": round(demands_m3_s.get(n, 0.0), 8)},
        )
        for n, p in sorted(xy.items())
    ]
    plant = (
        src[0] + 30.0 * math.sin(bearing + math.pi),
        src[1] + 30.0 * math.cos(bearing + math.pi),
    )
    tank_xy = (xy[high][0] + 15.0, xy[high][1] + 15.0)
    nodes += [
        NodeRecord(
            "R1",
            src[0],
            src[1],
            "reservoir",
            round(reservoir_head, 2),
            {"base_head_m": round(reservoir_head, 2)},
        ),
        NodeRecord(
            "PS1",
            plant[0],
            plant[1],
            "junction",
            round(elevation(plant), 2),
            {"base_demand_m3_s": 0.0},
        ),
        NodeRecord(
            "T1",
            tank_xy[0],
            tank_xy[1],
            "tank",
            round(tank_bottom, 2),
            {
                "init_level_m": 4.0,
                "min_level_m": 0.5,
                "max_level_m": 8.0,
                "diameter_m": max(10.0, round(math.sqrt(total * 4 * 3600 / 6.0) * 1.2, 1)),
            },
        ),
    ]
    flows = _tree_flows(graph, inlet, demands_m3_s)
    fire = design.fire_flow_l_s / 1000.0
    links = []
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (min(e[:2]), max(e[:2]))):
        a, b = min(u, v), max(u, v)
        minimum = 0.15 if data.get("kind") in ("arterial", "bridge") else 0.1
        diameter = _size(flows.get((a, b), 0.0) + fire, minimum)
        link = _pipe(f"P{a}-{b}", f"J{a}", f"J{b}", xy[a], xy[b], diameter)
        if data.get("kind") == "bridge":
            link.attributes["on_bridge"] = "yes"
        links.append(link)
    main_d = _size((total * 1.2 + fire) / max(1.0, design.mains), 0.2)
    for m in range(int(design.mains)):
        links.append(_pipe(f"TM{m + 1}", "PS1", f"J{inlet}", plant, xy[inlet], main_d))
        links[-1].attributes["transmission"] = "yes"
    links.append(_pipe("TK1", f"J{high}", "T1", xy[high], tank_xy, _size(total + fire, 0.2)))
    head = tank_bottom + 8.0 - reservoir_head + 10.0
    links.append(
        LinkRecord(
            "PU1",
            "R1",
            "PS1",
            "pump",
            (src, plant),
            0.0,
            None,
            None,
            {
                "pump_type": "HEAD",
                "design_flow_m3_s": round(max(total * 1.2, 0.01), 6),
                "design_head_m": round(max(head, 10.0), 2),
                "initial_status": "Open",
            },
        )
    )
    return NetworkRecord("water", name, 0, tuple(nodes), tuple(links), source="generated")


def _tree_flows(
    graph: nx.Graph, root: int, demands: Mapping[int, float]
) -> dict[tuple[int, int], float]:
    """Flow (m³/s) on each edge of a BFS tree from ``root``: the demand downstream of it."""
    parent = dict(nx.bfs_predecessors(graph, root))
    order = [root, *(n for _, n in nx.bfs_edges(graph, root))]
    downstream = {n: demands.get(n, 0.0) for n in graph.nodes}
    flows: dict[tuple[int, int], float] = {}
    for n in reversed(order[1:]):
        p = parent[n]
        downstream[p] += downstream[n]
        flows[(min(n, p), max(n, p))] = downstream[n]
    return flows


def wntr_model(record: NetworkRecord):  # type: ignore[no-untyped-def]
    """A ``wntr.network.WaterNetworkModel`` of a water network record (SI units)."""
    import wntr

    wn = wntr.network.WaterNetworkModel()
    wn.options.time.duration = 0
    wn.options.hydraulic.headloss = "H-W"
    for n in record.nodes:
        a = n.attributes
        if n.component_type == "junction":
            wn.add_junction(
                n.key,
                base_demand=float(a.get("base_demand_m3_s", 0.0)),
                elevation=float(n.elevation_m or 0.0),
                coordinates=(n.x, n.y),
            )
        elif n.component_type == "tank":
            wn.add_tank(
                n.key,
                elevation=float(n.elevation_m or 0.0),
                init_level=float(a["init_level_m"]),
                min_level=float(a["min_level_m"]),
                max_level=float(a["max_level_m"]),
                diameter=float(a["diameter_m"]),
                coordinates=(n.x, n.y),
            )
        else:
            wn.add_reservoir(
                n.key,
                base_head=float(a.get("base_head_m", n.elevation_m or 0.0)),
                coordinates=(n.x, n.y),
            )
    for link in record.links:
        a = link.attributes
        if link.component_type == "pump":
            curve = f"curve-{link.key}"
            wn.add_curve(curve, "HEAD", [(float(a["design_flow_m3_s"]), float(a["design_head_m"]))])
            wn.add_pump(link.key, link.start, link.end, "HEAD", curve)
        else:
            wn.add_pipe(
                link.key,
                link.start,
                link.end,
                length=link.length_m,
                diameter=float(link.diameter_m or 0.1),
                roughness=float(a.get("roughness", 130.0)),
            )
    return wn


@dataclass(frozen=True, slots=True)
class ServiceCheck:
    """Pressures (m) at demand junctions after one EPANET run without damage."""

    demand_nodes: int
    min_pressure_m: float
    max_pressure_m: float
    low: tuple[str, ...]

    @property
    def all_served(self) -> bool:
        return not self.low


def check_service(wn, *, min_pressure_m: float = 10.0) -> ServiceCheck:  # type: ignore[no-untyped-def]
    """Run EPANET (WNTR's ``EpanetSimulator``) at t = 0 and list demand junctions below
    ``min_pressure_m`` (10 m: a one-storey service head, GB 50282)."""
    import tempfile

    import wntr

    wn.options.time.duration = 0
    with tempfile.TemporaryDirectory(prefix="twin-wntr-") as tmp:
        sim = wntr.sim.EpanetSimulator(wn)
        results = sim.run_sim(file_prefix=f"{tmp}/run")
    pressure = results.node["pressure"].iloc[0]
    demand_nodes = [
        name
        for name, j in wn.junctions()
        if sum(d.base_value for d in j.demand_timeseries_list) > 0
    ]
    values = [float(pressure[name]) for name in demand_nodes]
    low = tuple(n for n, p in zip(demand_nodes, values, strict=True) if p < min_pressure_m)
    return ServiceCheck(len(demand_nodes), min(values, default=0.0), max(values, default=0.0), low)
