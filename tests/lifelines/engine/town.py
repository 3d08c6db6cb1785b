"""A small synthetic town for coupling tests: a 10 × 10 block of wooden houses, a pumped
water main feeding four hydrants, one road from the fire station and a power line to the pump."""

from __future__ import annotations

import networkx as nx
import wntr

from lifelines.engine.buildings import BuildingArrays, BuildingState, building_arrays
from lifelines.engine.fire import ProximityGraph, proximity_graph
from lifelines.engine.interdependency import CascadeInputs, FireStation

SPACING_M = 12.0
SIDE_M = 9.0
ORIGIN = (200.0, 0.0)


def houses(n: int = 10) -> list[BuildingState]:
    return [
        BuildingState(
            f"b{r}-{c}",
            ORIGIN[0] + c * SPACING_M,
            ORIGIN[1] + r * SPACING_M,
            SIDE_M**2,
            storeys=2,
            material="W1",
            population_day=2,
            population_night=4,
        )
        for r in range(n)
        for c in range(n)
    ]


def water_model() -> wntr.network.WaterNetworkModel:
    """Reservoir → pump P1 → J0 → main M1 → J1 → four hydrant junctions beside the block."""
    wn = wntr.network.WaterNetworkModel()
    wn.add_reservoir("R", base_head=10.0, coordinates=(0.0, 50.0))
    wn.add_junction("J0", base_demand=0.0, elevation=0.0, coordinates=(10.0, 50.0))
    wn.add_junction("J1", base_demand=0.001, elevation=0.0, coordinates=(150.0, 50.0))
    wn.add_pump("P1", "R", "J0", pump_type="POWER", pump_parameter=20_000.0)
    wn.add_pipe("M1", "J0", "J1", length=140.0, diameter=0.3, roughness=120)
    for k, (x, y) in enumerate([(190, 20), (190, 90), (330, 20), (330, 90)]):
        wn.add_junction(f"H{k}", base_demand=0.002, elevation=0.0, coordinates=(x, y))
        wn.add_pipe(f"D{k}", "J1", f"H{k}", length=200.0, diameter=0.2, roughness=120)
    return wn


def road_graph() -> nx.MultiGraph:
    """Station S – (road R1, 150 m) – A, then a street grid beside the block."""
    g = nx.MultiGraph(kind="road", name="town roads")
    nodes = {"S": (0.0, 50.0), "A": (150.0, 50.0), "B": (250.0, 50.0), "C": (350.0, 50.0)}
    for key, (x, y) in nodes.items():
        g.add_node(key, x=x, y=y, component_type="junction", attributes={})
    for key, u, v, length in [
        ("R1", "S", "A", 150.0),
        ("R2", "A", "B", 100.0),
        ("R3", "B", "C", 100.0),
    ]:
        g.add_edge(u, v, key=key, component_type="residential", length_m=length, attributes={})
    return g


def power_graph() -> nx.MultiGraph:
    g = nx.MultiGraph(kind="power", name="town power")
    for key, xy, kind in [
        ("G", (0.0, 200.0), "source"),
        ("SS", (0.0, 100.0), "substation"),
        ("PS", (0.0, 60.0), "bus"),
    ]:
        g.add_node(key, x=xy[0], y=xy[1], component_type=kind, attributes={})
    g.add_edge("G", "SS", key="L1", component_type="line", length_m=100.0, attributes={})
    g.add_edge("SS", "PS", key="L2", component_type="line", length_m=40.0, attributes={})
    return g


def town() -> tuple[BuildingArrays, ProximityGraph]:
    arrays = building_arrays(houses())
    return arrays, proximity_graph(arrays)


def cascade_inputs(**changes: object) -> CascadeInputs:
    arrays, graph = town()
    base = dict(
        buildings=arrays,
        proximity=graph,
        wn=water_model(),
        road=road_graph(),
        stations=(FireStation("st1", "S", engines=2),),
        power=power_graph(),
        pump_substation={"P1": "PS"},
    )
    base.update(changes)
    return CascadeInputs(**base)  # type: ignore[arg-type]
