"""Network models, service of gas/power/roads, debris blockage and bad-input messages."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from lifelines.engine.buildings import BuildingState
from lifelines.engine.debris import road_blockage
from lifelines.engine.errors import NetworkModelError
from lifelines.engine.networks import graph_from_record, sources
from lifelines.engine.service import gas_service, power_service, travel_times
from twin.engine.records import LinkRecord, NetworkRecord, NodeRecord


def record(
    kind: str,
    nodes: list[tuple[str, float, float, str]],
    links: list[tuple[str, str, str, str]],
    diameter: float | None = 0.1,
) -> NetworkRecord:
    xy = {k: (x, y) for k, x, y, _ in nodes}
    return NetworkRecord(
        kind=kind,
        name=f"test {kind}",
        epsg=32650,  # type: ignore[arg-type]
        nodes=tuple(NodeRecord(k, x, y, t) for k, x, y, t in nodes),
        links=tuple(
            LinkRecord(
                k,
                a,
                b,
                t,
                (xy[a], xy[b]),
                float(np.hypot(xy[a][0] - xy[b][0], xy[a][1] - xy[b][1])),
                diameter_m=diameter,
            )
            for k, a, b, t in links
        ),
    )


GAS_NODES = [
    ("gate", 0, 0, "source"),
    ("a", 100, 0, "junction"),
    ("reg", 200, 0, "regulator"),
    ("b", 300, 0, "junction"),
    ("c", 400, 0, "junction"),
    ("d", 300, 100, "junction"),
]
GAS_LINKS = [
    ("p1", "gate", "a", "pipe"),
    ("p2", "a", "reg", "pipe"),
    ("p3", "reg", "b", "pipe"),
    ("v1", "b", "c", "valve"),
    ("p4", "c", "c2", "pipe"),
    ("p5", "b", "d", "pipe"),
]


def gas_record() -> NetworkRecord:
    return record("gas", [*GAS_NODES, ("c2", 500, 0, "junction")], GAS_LINKS)


def test_graph_from_record_keeps_types_and_lengths() -> None:
    graph = graph_from_record(gas_record())
    assert graph.nodes["reg"]["component_type"] == "regulator"
    assert graph.edges["b", "c", "v1"]["length_m"] == 100.0
    assert sources(graph) == ["gate"]


def test_bad_networks_have_specific_messages() -> None:
    cut = record("gas", [*GAS_NODES, ("far", 900, 900, "junction")], GAS_LINKS[:3])
    with pytest.raises(NetworkModelError, match="disconnected parts"):
        graph_from_record(cut)
    with pytest.raises(NetworkModelError, match="pipe p1 has no diameter"):
        graph_from_record(record("water", GAS_NODES[:2], GAS_LINKS[:1], diameter=None))
    with pytest.raises(NetworkModelError, match="unknown node zz"):
        graph_from_record(
            record("gas", GAS_NODES[:2], [("p1", "gate", "a", "pipe")]).__class__(
                "gas",
                "g",
                32650,
                gas_record().nodes[:2],
                (LinkRecord("p9", "gate", "zz", "pipe", ((0, 0), (1, 1)), 1.0, 0.1),),
            )
        )
    with pytest.raises(NetworkModelError, match="EPSG:4326"):
        graph_from_record(NetworkRecord("gas", "deg", 4326, gas_record().nodes, ()))


def test_gas_leak_isolated_by_its_valve_segment() -> None:
    graph = graph_from_record(gas_record())
    after = gas_service(graph, leaking=["p5"])
    served = dict(zip(after.nodes, after.served, strict=True))
    # p5 shares the segment {reg, b, d, p3, p5}; closing it cuts b, d and (beyond v1) c, c2
    assert set(after.removed_links) == {"p3", "p5"}
    assert served["a"] and not served["b"] and not served["d"] and not served["c2"]


def test_gas_regulator_failure_cuts_downstream() -> None:
    after = gas_service(graph_from_record(gas_record()), failed_nodes=["reg"])
    served = dict(zip(after.nodes, after.served, strict=True))
    assert served["a"] and not served["b"]
    assert after.metrics.complete_connectivity_loss == pytest.approx(5 / 6)  # reg, b, c, c2, d of 6


def test_power_falls_back_to_substations_as_sources() -> None:
    net = record(
        "power",
        [("s1", 0, 0, "substation"), ("x", 10, 0, "bus"), ("y", 20, 0, "bus")],
        [("l1", "s1", "x", "line"), ("l2", "x", "y", "line")],
    )
    after = power_service(graph_from_record(net), failed_links=["l2"])
    assert after.served.tolist() == [True, True, False]


def road_record() -> NetworkRecord:
    nodes = [
        ("s", 0, 0, "junction"),
        ("a", 500, 0, "junction"),
        ("b", 500, 500, "junction"),
        ("c", 0, 500, "junction"),
    ]
    links = [
        ("r1", "s", "a", "residential"),
        ("r2", "a", "b", "residential"),
        ("r3", "s", "c", "primary"),
        ("r4", "c", "b", "primary"),
    ]
    return record("road", nodes, links, diameter=None)


def test_travel_times_agree_with_networkx_reference() -> None:
    graph = graph_from_record(road_record())
    fast = travel_times(graph, ["s"], blocked=["r3"])
    reference = nx.Graph()
    for u, v, k, data in graph.edges(keys=True, data=True):
        if k != "r3":
            speed = 13.9 if data["component_type"] == "primary" else 8.3
            reference.add_edge(u, v, t=data["length_m"] / speed)
    expected = nx.single_source_dijkstra_path_length(reference, "s", weight="t")
    for node, t in expected.items():
        assert fast.to(node)[0] == pytest.approx(t)


def test_debris_blocks_narrow_street_only_when_reaching_centreline() -> None:
    roads = road_record()
    collapsed = BuildingState("tall", 250, 10, 100.0, storeys=10, damage_state=4)
    slight = BuildingState("low", 250, 10, 100.0, storeys=14, damage_state=2)
    blocked = road_blockage(roads, [collapsed])
    assert blocked.blocked_keys == ("r1",)  # 15 m debris > 10 − 5 = 5 m façade distance
    partial = road_blockage(roads, [slight])  # 2.1 m debris: 0.6 m into the lane, no block
    assert partial.blocked_keys == () and bool(partial.slowed[0])
