"""Reads that turn the CIM into lifeline-engine inputs in the town's metric CRS.

Everything the engines see is projected from EPSG:4326 to ``metric_epsg(town)`` (the town's
``crs_epsg``, or the UTM zone of its buildings when the town was never placed). Networks
come with the database ids of their nodes and links, so per-site hazard arrays (which are
indexed by those ids) can be mapped onto engine keys. Ordering is by key, never by row id,
so the same CIM gives the same engine inputs on SpatiaLite and PostGIS.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from scipy.spatial import cKDTree

from lifelines.engine.buildings import BuildingState, building_from_record
from lifelines.engine.errors import NetworkModelError
from lifelines.engine.interdependency import FireStation
from lifelines.engine.networks import graph_from_record
from lifelines.engine.water_model import water_model_from_inp, water_model_from_record
from twin import selectors as twin_selectors
from twin.engine.records import LinkRecord, NetworkRecord, NodeRecord
from twin.models import WGS84, Building, Facility, LifelineNetwork, Town

DEFAULT_ENGINES = 2
"""Engines of a fire station whose capacity is not recorded."""
PUMP_MARGIN_HEAD_M = 10.0
"""Head above the static lift given to a head pump recorded without its curve (m)."""
FALLBACK_ROAD_NEIGHBOURS = 4
"""Straight-line links per point of the stand-in road graph of a town without roads."""


@dataclass(frozen=True, slots=True)
class TownNetwork:
    """One lifeline network in metric coordinates, with the DB ids of its nodes and links."""

    kind: str
    record: NetworkRecord
    graph: nx.MultiGraph
    node_ids: NDArray[np.int64]
    link_ids: NDArray[np.int64]
    source_file: str = ""

    def link_length_km(self, component_type: str = "pipe") -> float:
        """Total length (km) of links of ``component_type``."""
        return (
            sum(k.length_m for k in self.record.links if k.component_type == component_type) / 1e3
        )


@dataclass(frozen=True, slots=True)
class FacilitySite:
    """A key facility in metric coordinates (``pk`` its DB id; ``building`` the Building DB id,
    if any)."""

    id: str
    kind: str
    name: str
    x_m: float
    y_m: float
    capacity: float | None
    substance: str
    inventory_kg: float | None
    building: int | None
    pk: int


def metric_epsg(town: Town) -> int:
    """The town's projected CRS, or the UTM zone of its first building when unplaced."""
    if town.crs_epsg and town.crs_epsg != WGS84:
        return int(town.crs_epsg)
    first = Building.objects.filter(town=town, footprint__isnull=False).order_by("id").first()
    where = town.origin or (first.footprint.centroid if first else None)  # type: ignore[union-attr]
    if where is None:
        raise NetworkModelError(f"town {town.slug!r} has no location; place it first")
    zone = int((where.x + 180.0) // 6.0) + 1
    return (32600 if where.y >= 0 else 32700) + zone


@lru_cache(maxsize=16)
def _to_metric(epsg: int) -> Transformer:
    return Transformer.from_crs(CRS.from_epsg(WGS84), CRS.from_epsg(epsg), always_xy=True)


def project(lon: Sequence[float], lat: Sequence[float], epsg: int) -> NDArray[np.float64]:
    """Points (n, 2) in metres from lon/lat."""
    x, y = _to_metric(epsg).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]).astype(np.float64)


def _project_geometry(geometry: shapely.Geometry, epsg: int) -> shapely.Geometry:
    transform = _to_metric(epsg).transform
    return shapely.transform(geometry, lambda xy: np.column_stack(transform(xy[:, 0], xy[:, 1])))


def town_networks(town: Town) -> dict[str, TownNetwork]:
    """The town's networks by kind (the one with most nodes where a kind has several)."""
    epsg = metric_epsg(town)
    chosen: dict[str, LifelineNetwork] = {}
    for network in LifelineNetwork.objects.filter(town=town).order_by("kind", "name"):
        best = chosen.get(network.kind)
        if best is None or network.nodes.count() > best.nodes.count():
            chosen[network.kind] = network
    return {kind: _town_network(network, epsg) for kind, network in sorted(chosen.items())}


def _town_network(network: LifelineNetwork, epsg: int) -> TownNetwork:
    nodes = sorted(network.nodes.all(), key=lambda n: n.key)
    links = sorted(network.links.select_related("start", "end"), key=lambda k: k.key)
    xy = project([n.location.x for n in nodes], [n.location.y for n in nodes], epsg)
    node_records = tuple(
        NodeRecord(
            n.key, float(p[0]), float(p[1]), n.component_type, n.elevation_m, dict(n.attributes)
        )
        for n, p in zip(nodes, xy, strict=True)
    )
    link_records = tuple(
        LinkRecord(
            link.key,
            link.start.key,
            link.end.key,
            link.component_type,
            tuple(map(tuple, project(*zip(*link.path.coords, strict=True), epsg))),  # type: ignore[arg-type,call-arg]
            float(link.length_m),
            link.diameter_m,
            link.material or None,
            dict(link.attributes),
        )
        for link in links
    )
    record = NetworkRecord(
        network.kind,  # type: ignore[arg-type]
        network.name,
        epsg,
        node_records,
        link_records,  # type: ignore[arg-type]
        source=network.source,
    )
    return TownNetwork(
        network.kind,
        record,
        graph_from_record(record, allow_disconnected=True),
        np.array([n.pk for n in nodes], dtype=np.int64),
        np.array([k.pk for k in links], dtype=np.int64),
        network.source_file,
    )


def water_model(network: TownNetwork) -> Any:
    """WNTR model of the water network in metric coordinates.

    The original ``.inp`` (curves, patterns, controls) when the network came from one whose
    node names match; else the CIM record, with head pumps given a one-point curve (their
    recorded design point, or the static lift to the highest tank plus a margin).
    """
    path = Path(network.source_file) if network.source_file else None
    xy = {n.key: (n.x, n.y) for n in network.record.nodes}
    if path is not None and path.suffix.lower() == ".inp" and path.is_file():
        wn = water_model_from_inp(path)
        if set(wn.node_name_list) == set(xy):
            for name in wn.node_name_list:
                wn.get_node(name).coordinates = xy[name]
            return wn
    pumps = [k for k in network.record.links if k.component_type == "pump"]
    head = [k for k in pumps if "power_w" not in k.attributes]
    wn = water_model_from_record(
        replace(network.record, links=tuple(k for k in network.record.links if k not in head))
    )
    for pump in head:
        flow, lift = _design_point(wn, pump)
        wn.add_curve(f"curve-{pump.key}", "HEAD", [(flow, lift)])
        wn.add_pump(pump.key, pump.start, pump.end, "HEAD", f"curve-{pump.key}")
    return wn


def _design_point(wn: Any, pump: LinkRecord) -> tuple[float, float]:
    a = pump.attributes
    if "design_flow_m3_s" in a and "design_head_m" in a:
        return float(a["design_flow_m3_s"]), float(a["design_head_m"])
    demand = sum(wn.get_node(j).base_demand for j in wn.junction_name_list)
    tops = [t.elevation + t.max_level for _, t in wn.tanks()] or [
        j.elevation + 20.0 for _, j in wn.junctions()
    ]
    suction = wn.get_node(pump.start)
    base = getattr(suction, "base_head", None) or getattr(suction, "elevation", 0.0)
    return max(1.2 * demand, 0.01), max(max(tops) - base + PUMP_MARGIN_HEAD_M, 10.0)


def disable_links(wn: Any, links: Sequence[str]) -> Any:
    """A copy of ``wn`` with ``links`` closed and the controls that would reopen them removed."""
    if not links:
        return wn
    import wntr

    out = copy.deepcopy(wn)
    wanted = set(links)
    for name, control in list(out.controls()):
        if any(getattr(obj, "name", None) in wanted for obj in control.requires()):
            out.remove_control(name)
    for key in sorted(wanted):
        out.get_link(key).initial_status = wntr.network.LinkStatus.Closed
    return out


def building_states(town: Town, building_ids: Sequence[int]) -> list[BuildingState]:
    """Buildings (DB ids, in that order) as engine states in metric coordinates, undamaged."""
    epsg = metric_epsg(town)
    rows = {b.pk: b for b in Building.objects.filter(pk__in=list(building_ids))}
    out = []
    for pk in building_ids:
        record = twin_selectors.building_record(rows[int(pk)])
        shape = _project_geometry(shapely.from_wkt(record.footprint_wkt), epsg)
        out.append(
            building_from_record(replace(record, footprint_wkt=shape.wkt, footprint_epsg=epsg))
        )
    return out


def town_facilities(town: Town) -> list[FacilitySite]:
    """Facilities of the town in metric coordinates, by kind and name."""
    epsg = metric_epsg(town)
    rows = list(Facility.objects.filter(town=town).order_by("kind", "name"))
    if not rows:
        return []
    xy = project([f.location.x for f in rows], [f.location.y for f in rows], epsg)
    return [
        FacilitySite(
            f"{f.kind}:{f.name}",
            f.kind,
            f.name,
            float(p[0]),
            float(p[1]),
            f.capacity,
            f.substance,
            f.inventory_kg,
            f.building_id,
            f.pk,
        )
        for f, p in zip(rows, xy, strict=True)
    ]


def fire_stations(
    facilities: Sequence[FacilitySite], road: nx.MultiGraph
) -> tuple[FireStation, ...]:
    """Fire stations snapped to their nearest road node; engines = capacity (default 2)."""
    sites = [f for f in facilities if f.kind == "fire_station"]
    if not sites:
        return ()
    nodes = nearest_road_nodes(road, np.array([(f.x_m, f.y_m) for f in sites]))
    return tuple(
        FireStation(f.id, node, max(1, int(f.capacity or DEFAULT_ENGINES)))
        for f, node in zip(sites, nodes, strict=True)
    )


def nearest_road_nodes(road: nx.Graph, xy_m: NDArray[np.float64]) -> list[str]:
    """Nearest road node to each point."""
    names = sorted(road.nodes)
    tree = cKDTree(np.array([(road.nodes[n]["x"], road.nodes[n]["y"]) for n in names]))
    _, index = tree.query(np.asarray(xy_m, dtype=np.float64).reshape(-1, 2))
    return [names[i] for i in np.atleast_1d(index)]


def pump_power_nodes(power: TownNetwork | None, wn: Any) -> dict[str, str]:
    """WNTR pump → power node feeding it: a ``load`` node whose ``serves`` names
    ``water:<pump>``, else the nearest substation (none without a power network)."""
    if power is None or wn is None:
        return {}
    pumps = set(wn.pump_name_list)
    out = {}
    for node in power.record.nodes:
        serves = str(node.attributes.get("serves", ""))
        if serves.startswith("water:") and serves[6:] in pumps:
            out[serves[6:]] = node.key
    stations = [n for n in power.record.nodes if n.component_type == "substation"]
    for pump in sorted(pumps - set(out)):
        if not stations:
            break
        x, y = wn.get_node(wn.get_link(pump).start_node_name).coordinates
        out[pump] = min(stations, key=lambda n: ((n.x - x) ** 2 + (n.y - y) ** 2, n.key)).key
    return out


def hydrant_junctions(wn: Any, xy_m: NDArray[np.float64]) -> list[str]:
    """The junction each point draws fire-fighting water from (nearest junction)."""
    names = list(wn.junction_name_list)
    tree = cKDTree(np.array([wn.get_node(j).coordinates for j in names], dtype=np.float64))
    _, index = tree.query(np.asarray(xy_m, dtype=np.float64).reshape(-1, 2))
    return [names[i] for i in np.atleast_1d(index)]


def straight_line_roads(points_m: NDArray[np.float64], epsg: int) -> nx.MultiGraph:
    """A stand-in road graph for a town without roads: each point linked to its nearest
    neighbours by straight lines (nodes ``P<i>``), so access is still computed, optimistically."""
    graph = nx.MultiGraph(kind="road", name="straight lines (no road network)", epsg=epsg)
    for i, (x, y) in enumerate(points_m):
        graph.add_node(
            f"P{i}", x=float(x), y=float(y), component_type="point", elevation_m=None, attributes={}
        )
    if len(points_m) < 2:
        return graph
    k = min(FALLBACK_ROAD_NEIGHBOURS + 1, len(points_m))
    dist, index = cKDTree(points_m).query(points_m, k=k)
    for i in range(len(points_m)):
        for d, j in zip(dist[i][1:], index[i][1:], strict=True):
            a, b = sorted((i, int(j)))
            key = f"S{a}-{b}"
            if not graph.has_edge(f"P{a}", f"P{b}", key):
                graph.add_edge(
                    f"P{a}",
                    f"P{b}",
                    key=key,
                    component_type="road",
                    length_m=max(float(d), 1.0),
                    diameter_m=None,
                    material=None,
                    attributes={},
                )
    return graph
