"""Towns on real data: footprints and streets of a real place, moved to the town's location.

The real geometry (OSM or cadastral footprints and streets) is *transplanted*: every
coordinate goes from its source CRS to a local transverse-Mercator plane centred on the
centroid of the source buildings (metres, shape and distances kept to < 1 ppm over a few
km), and that plane is placed at the profile's latitude/longitude. Real networks are moved
the same way (:func:`transplant_network`). Footprint attributes come from the source tags
and the project's imputation rules with the town's region defaults (fortification
intensity), exactly as ``footprints_import`` imputes them.

Streets are noded (:func:`street_graph`); buildings and their people hang on the nearest
street node; shelters are the open spaces farthest from any building.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import networkx as nx
import numpy as np
import pyogrio
import shapely
import shapely.geometry
from pyproj import CRS, Transformer
from scipy.spatial import cKDTree

from twin.engine.footprints import read_footprints
from twin.engine.imputation import impute_all
from twin.engine.placement import LocalPlane, point_mapper
from twin.engine.records import BuildingRecord, FacilityRecord, NetworkRecord, SiteZoneRecord
from twin.engine.towns import places
from twin.engine.towns.generate import lifelines
from twin.engine.towns.profile import TownProfile

ROAD_CLASSES = {
    "motorway": "arterial",
    "motorway_link": "arterial",
    "trunk": "arterial",
    "primary": "arterial",
    "secondary": "arterial",
    "tertiary": "arterial",
    "residential": "local",
    "unclassified": "local",
    "living_street": "local",
    "service": "local",
    "track": "local",
}
SHELTER_RADIUS_MAX_M = 100.0
Mapper = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def local_frame(epsg: int, lon0: float, lat0: float) -> Mapper:
    """``f(x, y)`` from ``epsg`` to metres of a tangent plane centred on ``lon0, lat0``."""
    tmerc = CRS.from_proj4(
        f"+proj=tmerc +lat_0={lat0!r} +lon_0={lon0!r} +k=1 +ellps=WGS84 +units=m"
    )
    if epsg == 4326:
        return Transformer.from_crs(CRS.from_epsg(4326), tmerc, always_xy=True).transform  # type: ignore[no-any-return]
    to_geo = Transformer.from_crs(CRS.from_epsg(epsg), CRS.from_epsg(4326), always_xy=True)
    to_plane = Transformer.from_crs(CRS.from_epsg(4326), tmerc, always_xy=True)
    return lambda x, y: to_plane.transform(*to_geo.transform(x, y))  # type: ignore[no-any-return]


def centroid_lonlat(points: np.ndarray, epsg: int) -> tuple[float, float]:
    """Mean longitude/latitude of ``(n, 2)`` points in ``epsg``."""
    if epsg != 4326:
        lon, lat = Transformer.from_crs(
            CRS.from_epsg(epsg), CRS.from_epsg(4326), always_xy=True
        ).transform(points[:, 0], points[:, 1])
        points = np.column_stack([lon, lat])
    return float(points[:, 0].mean()), float(points[:, 1].mean())


def _apply(geom: shapely.Geometry, mapper: Mapper) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(mapper(xy[:, 0], xy[:, 1])))


def transplant_network(
    record: NetworkRecord, *, unit_m: float = 1.0, centre: tuple[float, float] | None = None
) -> NetworkRecord:
    """Move a network to local metres centred on its node centroid (or ``centre`` lon/lat).

    ``record.epsg`` 0 means local units of ``unit_m`` metres (EPANET coordinates); any other
    EPSG is projected through the tangent plane at the centroid.
    """
    xy = np.array([(n.x, n.y) for n in record.nodes], dtype=float)
    if record.epsg == 0:
        cx, cy = xy.mean(axis=0)

        def mapper(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return (x - cx) * unit_m, (y - cy) * unit_m
    else:
        lon0, lat0 = centre or centroid_lonlat(xy, record.epsg)
        mapper = local_frame(record.epsg, lon0, lat0)  # type: ignore[assignment]

    def move(points: Iterable[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
        arr = np.asarray(list(points), dtype=float).reshape(-1, 2)
        x, y = mapper(arr[:, 0], arr[:, 1])
        return tuple((round(float(a), 3), round(float(b), 3)) for a, b in zip(x, y, strict=True))

    nodes = tuple(
        replace(n, x=p[0], y=p[1])
        for n, p in zip(record.nodes, move((n.x, n.y) for n in record.nodes), strict=True)
    )
    links = tuple(replace(link, coords=move(link.coords)) for link in record.links)
    return replace(record, epsg=0, nodes=nodes, links=links)


def street_graph(lines: Sequence[shapely.LineString], snap_m: float = 0.5) -> nx.Graph:
    """Node the street lines and return the largest connected component as a graph.

    Nodes carry ``xy`` (local metres), edges ``kind`` (from the line's ``road class``
    in its user data is not kept by shapely, so all are ``local`` unless the caller
    passes arterial lines first) and ``length`` (m).
    """
    noded = shapely.get_parts(
        shapely.union_all(shapely.line_merge(shapely.MultiLineString(list(lines))))
    )
    g = nx.Graph()
    ids: dict[tuple[float, float], int] = {}

    def node(p: tuple[float, float]) -> int:
        key = (round(p[0] / snap_m) * snap_m, round(p[1] / snap_m) * snap_m)
        if key not in ids:
            ids[key] = len(ids)
            g.add_node(ids[key], xy=(round(p[0], 3), round(p[1], 3)))
        return ids[key]

    for line in noded:
        coords = list(line.coords)
        a, b = node(coords[0]), node(coords[-1])
        if a != b:
            g.add_edge(a, b, kind="local", length=float(line.length))
    keep = max(nx.connected_components(g), key=len)
    return nx.convert_node_labels_to_integers(g.subgraph(keep).copy(), ordering="sorted")


@dataclass(frozen=True, slots=True)
class RealTown:
    """A real-data town in local metres, ready for the shell to import."""

    buildings: tuple[BuildingRecord, ...]  # imputed, footprints in local metres (epsg 0)
    geojson: str  # the transplanted footprints as GeoJSON (EPSG:4326) for footprints_import
    source_centre: tuple[float, float]  # lon/lat of the source buildings' centroid
    networks: tuple[NetworkRecord, ...]
    facilities: tuple[FacilityRecord, ...]
    site_zones: tuple[SiteZoneRecord, ...]
    boundary_wkt: str


def read_lines(
    path: Path, layer: str, epsg: int, mapper: Mapper, *, osm: bool
) -> list[shapely.LineString]:
    """Street centre lines of ``layer`` in local metres (OSM: drivable highway classes)."""
    frame = pyogrio.read_dataframe(path, layer=layer)
    if osm:
        frame = frame[frame["highway"].isin(list(ROAD_CLASSES))]
    return [
        _apply(g, mapper)
        for g in shapely.get_parts(frame.geometry.values)
        if g is not None and not g.is_empty
    ]


def prepare_real_town(
    profile: TownProfile,
    footprints: Path,
    streets: tuple[Path, str],
    *,
    skip: frozenset[str] = frozenset(),
    extra_loads: Sequence[tuple[str, tuple[float, float], str]] | None = None,
) -> RealTown:
    """Transplant, impute and equip a real-data town (module docstring)."""
    found = read_footprints(footprints)
    polys = [shapely.from_wkt(b.footprint_wkt) for b in found.buildings]
    centres = np.array([(p.centroid.x, p.centroid.y) for p in polys])
    lon0, lat0 = centroid_lonlat(centres, found.epsg)
    mapper = local_frame(found.epsg, lon0, lat0)
    local = [
        replace(
            b,
            footprint_wkt=shapely.to_wkt(_apply(p, mapper), rounding_precision=3),
            footprint_epsg=0,
        )
        for b, p in zip(found.buildings, polys, strict=True)
    ]
    region = {"fortification_intensity": profile.fortification_intensity}
    imputed = impute_all(local, region_defaults=region)
    geojson = _geojson(found.buildings, [shapely.from_wkt(b.footprint_wkt) for b in local], profile)
    path, layer = streets
    lines = read_lines(path, layer, found.epsg, mapper, osm=path.suffix == ".pbf")
    graph = street_graph(lines)
    xy = nx.get_node_attributes(graph, "xy")
    order = sorted(xy)
    tree = cKDTree(np.array([xy[n] for n in order]))
    people: dict[int, float] = {}
    area: dict[int, float] = {}
    for b in imputed:
        c = shapely.from_wkt(b.footprint_wkt).centroid
        n = order[int(tree.query((c.x, c.y))[1])]
        people[n] = people.get(n, 0.0) + float(b.night_population or 0.0)
        area[n] = area.get(n, 0.0) + float(b.floor_area_m2 or 0.0)
    base = profile.elevation_m
    networks, plant = lifelines(profile, graph, people, area, lambda p: base, skip=skip)
    if extra_loads is not None:
        networks = tuple(_with_loads(n, extra_loads) if n.kind == "power" else n for n in networks)
    extent = shapely.union_all([shapely.from_wkt(b.footprint_wkt) for b in imputed]).convex_hull
    half = max(math.hypot(*p) for p in xy.values())
    zones = places.site_zones(
        profile.site_zones, extent, (), lambda p: base, half, f"profile {profile.slug}"
    )
    facilities = real_facilities(imputed, profile, plant if "water" not in skip else None)
    return RealTown(
        buildings=tuple(imputed),
        geojson=geojson,
        source_centre=(lon0, lat0),
        networks=networks,
        facilities=tuple(facilities),
        site_zones=tuple(zones),
        boundary_wkt=shapely.to_wkt(extent.buffer(60.0, quad_segs=4), rounding_precision=2),
    )


def _with_loads(
    power: NetworkRecord, loads: Sequence[tuple[str, tuple[float, float], str]]
) -> NetworkRecord:
    """Replace the generated plant load by the real network's pump loads."""
    from twin.engine.records import LinkRecord, NodeRecord

    nodes = [n for n in power.nodes if n.component_type != "load"]
    links = [link for link in power.links if not link.key.startswith("SL-")]
    poles = [n for n in nodes if n.component_type == "pole"]
    for key, where, serves in loads:
        near = min(poles, key=lambda n: (math.dist((n.x, n.y), where), n.key))
        nodes.append(NodeRecord(key, where[0], where[1], "load", None, {"serves": serves}))
        links.append(
            LinkRecord(
                f"SL-{key}",
                near.key,
                key,
                "feeder",
                ((near.x, near.y), where),
                round(max(1.0, math.dist((near.x, near.y), where)), 2),
                None,
                None,
                {"kv": 10.0},
            )
        )
    return replace(power, nodes=tuple(nodes), links=tuple(links))


def _geojson(
    source: Sequence[BuildingRecord], local: Sequence[shapely.Geometry], profile: TownProfile
) -> str:
    """The transplanted footprints as GeoJSON in EPSG:4326 with the source tags."""
    plane = point_mapper(plane=LocalPlane(profile.latitude_deg, profile.longitude_deg))
    features = []
    for record, geom in zip(source, local, strict=True):
        moved = _apply(geom, plane)
        props: dict[str, object] = {"global_id": record.global_id, "name": record.name}
        tags = record.source_attributes
        if tags.get("building"):
            props["building"] = tags["building"]
        if tags.get("year"):
            props["year"] = tags["year"]
        if record.height_m is not None:
            props["height"] = record.height_m
        if record.storeys_above_ground is not None:
            props["building:levels"] = record.storeys_above_ground
        if record.occupancy:
            props["occupancy"] = record.occupancy
        features.append(
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(moved)}
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, sort_keys=True)


def real_facilities(
    buildings: Sequence[BuildingRecord], profile: TownProfile, plant: tuple[float, float] | None
) -> list[FacilityRecord]:
    """Facilities of a real town: hospitals and schools where the tags say so (else the
    largest non-residential buildings are designated), a fire station and a command centre
    near the centre, shelters in the largest open spaces."""
    centre = {b.global_id: shapely.from_wkt(b.footprint_wkt).centroid for b in buildings}
    by_area = sorted(buildings, key=lambda b: (-(b.floor_area_m2 or 0.0), b.global_id))
    out: list[FacilityRecord] = []

    def add(kind: str, name: str, b: BuildingRecord, **fields: object) -> None:
        c = centre[b.global_id]
        out.append(
            FacilityRecord(
                kind,  # type: ignore[arg-type]
                name,
                round(c.x, 2),
                round(c.y, 2),
                building=b.global_id,
                **fields,  # type: ignore[arg-type]
            )
        )

    used: set[str] = set()
    for kind, code, per_m2, wanted in (
        ("hospital", "COM6", places.M2_PER_BED, 1),
        ("school", "EDU1", places.M2_PER_PUPIL, 2),
    ):
        tagged = [b for b in by_area if b.occupancy == code]
        spare = [
            b
            for b in by_area
            if not (b.occupancy or "").startswith("RES") and b.global_id not in used
        ]
        chosen = (tagged or spare or by_area)[: max(wanted, len(tagged))]
        for i, b in enumerate(chosen, start=1):
            used.add(b.global_id)
            note = "tagged" if b.occupancy == code else "designated (no tagged building)"
            add(
                kind,
                f"{kind.title()} {i}",
                b,
                capacity=math.floor((b.floor_area_m2 or 0) / per_m2),
                attributes={"basis": note},
            )
    near = sorted(
        (b for b in buildings if b.global_id not in used),
        key=lambda b: (centre[b.global_id].distance(shapely.Point(0, 0)), b.global_id),
    )
    add(
        "fire_station",
        "Fire station 1",
        near[0],
        capacity=float(profile.facilities.get("engines_per_station", 3)),
        attributes={"basis": "designated"},
    )
    add("command_centre", "Emergency command centre 1", near[1], attributes={"basis": "designated"})
    out += open_space_shelters(buildings, int(profile.facilities.get("shelters", 3)))
    if plant is not None:
        out.append(
            FacilityRecord(
                "hazchem_site",
                "Water plant chlorine store",
                plant[0],
                plant[1],
                substance="chlorine",
                inventory_kg=2000.0,
            )
        )
    return out


def open_space_shelters(buildings: Sequence[BuildingRecord], count: int) -> list[FacilityRecord]:
    """Shelters at the ``count`` most open points of the town (farthest from any building,
    at least 250 m apart); capacity from the free circle around each point."""
    polys = [shapely.from_wkt(b.footprint_wkt) for b in buildings]
    hull = shapely.union_all(polys).convex_hull
    minx, miny, maxx, maxy = hull.bounds
    xs, ys = np.meshgrid(np.arange(minx, maxx, 20.0), np.arange(miny, maxy, 20.0))
    pts = [shapely.Point(x, y) for x, y in zip(xs.ravel(), ys.ravel(), strict=True)]
    pts = [p for p in pts if hull.contains(p)]
    tree = shapely.STRtree(polys)
    clearance = [float(shapely.distance(p, polys[int(tree.nearest(p))])) for p in pts]
    order = sorted(range(len(pts)), key=lambda i: (-clearance[i], pts[i].x, pts[i].y))
    out: list[FacilityRecord] = []
    taken: list[shapely.Point] = []
    for i in order:
        if len(out) >= count or clearance[i] < 15.0:
            break
        if any(pts[i].distance(t) < 250.0 for t in taken):
            continue
        taken.append(pts[i])
        area = math.pi * (min(clearance[i], SHELTER_RADIUS_MAX_M) - 5.0) ** 2
        out.append(
            FacilityRecord(
                "shelter",
                f"Shelter {len(out) + 1}",
                round(pts[i].x, 2),
                round(pts[i].y, 2),
                capacity=math.floor(places.SHELTER_USABLE * area / places.M2_PER_EVACUEE),
                attributes={"area_m2": round(area, 1), "basis": "open space"},
            )
        )
    return out
