"""Reads of the city information model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from django.db.models import QuerySet
from numpy.typing import NDArray

from twin.engine.records import (
    BuildingRecord,
    LinkRecord,
    NetworkRecord,
    NodeRecord,
    StoreyRecord,
)
from twin.models import (
    WGS84,
    Building,
    Facility,
    LifelineNetwork,
    NetworkLink,
    NetworkNode,
    SiteZone,
    Storey,
    Town,
)


def town_summaries() -> list[dict[str, Any]]:
    """Every town with the counts of its CIM objects."""
    return [town_summary(town) for town in Town.objects.order_by("slug")]


def town_summary(town: Town) -> dict[str, Any]:
    """Counts of buildings, storeys, networks, nodes, links and facilities of ``town``."""
    return {
        "slug": town.slug,
        "name": town.name,
        "profile": town.profile,
        "buildings": Building.objects.filter(town=town).count(),
        "storeys": Storey.objects.filter(building__town=town).count(),
        "networks": LifelineNetwork.objects.filter(town=town).count(),
        "nodes": NetworkNode.objects.filter(network__town=town).count(),
        "links": NetworkLink.objects.filter(network__town=town).count(),
        "facilities": town.facilities.count(),
    }


def town_buildings(town: Town) -> QuerySet[Building]:
    """Buildings of ``town`` with their storeys prefetched."""
    return Building.objects.filter(town=town).prefetch_related("storeys").order_by("global_id")


def town_networks(town: Town) -> QuerySet[LifelineNetwork]:
    """Lifeline networks of ``town``."""
    return LifelineNetwork.objects.filter(town=town).order_by("kind", "name")


def building_record(building: Building) -> BuildingRecord:
    """The engine record of a stored building (footprint in EPSG:4326)."""
    storeys = tuple(
        StoreyRecord(
            global_id=s.global_id,
            name=s.name,
            elevation_m=s.elevation_m,
            height_m=s.height_m,
            mass_kg=s.mass_kg,
            floor_area_m2=s.floor_area_m2,
            element_counts=dict(s.element_counts),
            basis=s.basis,
        )
        for s in building.storeys.all()
    )
    return BuildingRecord(
        global_id=building.global_id,
        name=building.name,
        footprint_wkt=building.footprint.wkt if building.footprint else None,
        footprint_epsg=WGS84,
        height_m=building.height_m,
        storeys_above_ground=building.storeys_above_ground,
        structural_system=building.structural_system or None,
        design_era=building.design_era or None,
        fortification_intensity=building.fortification_intensity,
        occupancy=building.occupancy or None,
        floor_area_m2=building.floor_area_m2,
        day_population=building.day_population,
        night_population=building.night_population,
        replacement_cost=building.replacement_cost,
        isolated=building.isolated,
        storeys=storeys,
        element_counts=dict(building.element_counts),
        materials=tuple(building.materials),
        imputed=dict(building.imputed),
        source=building.source,
    )


def network_record(network: LifelineNetwork) -> NetworkRecord:
    """The engine record of a stored network (coordinates in EPSG:4326)."""
    nodes = list(network.nodes.all())
    keys = {n.id: n.key for n in nodes}
    return NetworkRecord(
        kind=network.kind,  # type: ignore[arg-type]
        name=network.name,
        epsg=WGS84,
        nodes=tuple(
            NodeRecord(
                key=n.key,
                x=n.location.x,
                y=n.location.y,
                component_type=n.component_type,
                elevation_m=n.elevation_m,
                attributes=dict(n.attributes),
            )
            for n in nodes
        ),
        links=tuple(
            LinkRecord(
                key=link.key,
                start=keys[link.start_id],
                end=keys[link.end_id],
                component_type=link.component_type,
                coords=tuple(tuple(c) for c in link.path.coords),  # type: ignore[misc]
                length_m=link.length_m,
                diameter_m=link.diameter_m,
                material=link.material or None,
                attributes=dict(link.attributes),
            )
            for link in network.links.all()
        ),
        source=network.source,
    )


def network_sites(town: Town) -> tuple[dict[str, NDArray[Any]], dict[str, NDArray[Any]]]:
    """Ids and lon/lat of every network node and every link midpoint of ``town``."""
    nodes = NetworkNode.objects.filter(network__town=town).order_by("id")
    node_rows = [(n.pk, n.location.x, n.location.y) for n in nodes.only("id", "location")]
    links = NetworkLink.objects.filter(network__town=town).order_by("id").only("id", "path")
    link_rows = [(link.pk, *link.path.interpolate_normalized(0.5).coords[:2]) for link in links]
    return _id_lon_lat(node_rows), _id_lon_lat(link_rows)


def facility_sites(town: Town) -> dict[str, NDArray[Any]]:
    """Ids and lon/lat of every key facility of ``town`` (hazard sites of their own)."""
    rows = [
        (f.pk, f.location.x, f.location.y)
        for f in Facility.objects.filter(town=town).order_by("id").only("id", "location")
    ]
    return _id_lon_lat(rows)


def _id_lon_lat(rows: Sequence[tuple[float, ...]]) -> dict[str, NDArray[Any]]:
    table = np.asarray(rows, dtype=float).reshape(-1, 3)
    return {"id": table[:, 0].astype(np.int64), "lon": table[:, 1], "lat": table[:, 2]}


# Representative Vs30 of the GB 50011-2010 site classes (mid-range of table 4.1.6 equivalent
# shear-wave velocities; class II, 250-500 m/s, is the default where no zone covers a site).
SITE_CLASS_VS30_M_S = {"I0": 900.0, "I1": 650.0, "II": 400.0, "III": 200.0, "IV": 130.0}
DEFAULT_VS30_M_S = SITE_CLASS_VS30_M_S["II"]


def vs30_at(town: Town, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    """Vs30 (m/s) at each point from the town's site zones (class II where none covers it)."""
    vs30 = np.full(np.shape(lon), DEFAULT_VS30_M_S, dtype=float)
    zones = list(SiteZone.objects.filter(town=town))
    if not zones:
        return vs30
    points = shapely.points(np.column_stack([lon, lat]))
    for zone in zones:
        value = zone.vs30_m_s or SITE_CLASS_VS30_M_S.get(zone.site_class, DEFAULT_VS30_M_S)
        inside = shapely.contains(shapely.from_wkb(bytes(zone.area.wkb)), points)
        vs30[inside] = value
    return vs30
