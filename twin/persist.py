"""Write engine records into the CIM tables. Callers hold the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point
from django.db.models import CharField, Model

from twin.engine.placement import PointFn, points_to_wgs84, wkt_to_wgs84
from twin.engine.records import BuildingRecord, CimImportError, NetworkRecord, StoreyRecord
from twin.models import (
    WGS84,
    Building,
    LifelineNetwork,
    NetworkLink,
    NetworkNode,
    Storey,
    Town,
)
from twin.vocabulary import BUILDING_ATTRIBUTES, NETWORK_KINDS

M = TypeVar("M", bound=Model)

#: Columns an upsert overwrites: the attributes without the conflict key ``global_id``, plus
#: the footprint, ``isolated`` and the provenance/IFC detail (see ``BUILDING_ATTRIBUTES``).
BUILDING_FIELDS = [
    *(name for name in BUILDING_ATTRIBUTES if name != "global_id"),
    "footprint", "isolated", "source_file", "imputed", "element_counts", "materials",
]  # fmt: skip
STOREY_FIELDS = [
    "name", "index", "elevation_m", "height_m", "mass_kg", "floor_area_m2", "element_counts",
    "basis",
]  # fmt: skip
NODE_FIELDS = ["component_type", "location", "elevation_m", "attributes"]
LINK_FIELDS = [
    "start", "end", "component_type", "path", "length_m", "diameter_m", "material", "attributes",
]  # fmt: skip


def buildings_upsert(
    town: Town, records: Sequence[BuildingRecord], mapper: PointFn, *, source_file: str
) -> list[Building]:
    """Insert or update buildings by (town, global_id); storeys follow their building."""
    rows = [_checked(_building_row(town, r, mapper, source_file), r.global_id) for r in records]
    Building.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["town", "global_id"],
        update_fields=BUILDING_FIELDS,
        batch_size=500,
    )
    saved = {
        b.global_id: b
        for b in Building.objects.filter(town=town, global_id__in=[r.global_id for r in records])
    }
    for record in records:
        if record.storeys:
            _storeys_replace(saved[record.global_id], record.storeys)
    return list(saved.values())


def _checked(row: M, key: str) -> M:
    """Reject values that do not fit their column (PostGIS would refuse them mid-import)."""
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        too_long = isinstance(value, str) and len(value) > (field.max_length or len(value))
        if isinstance(field, CharField) and too_long:
            raise CimImportError(
                f"{key}: {field.name} is {len(value)} characters long, "
                f"the limit is {field.max_length}"
            )
    return row


def _building_row(town: Town, r: BuildingRecord, mapper: PointFn, source_file: str) -> Building:
    return Building(
        town=town,
        global_id=r.global_id,
        name=r.name,
        footprint=_multipolygon(r.footprint_wkt, mapper) if r.footprint_wkt else None,
        height_m=r.height_m,
        storeys_above_ground=r.storeys_above_ground,
        structural_system=r.structural_system or "",
        design_era=r.design_era or "",
        fortification_intensity=r.fortification_intensity,
        occupancy=r.occupancy or "",
        floor_area_m2=r.floor_area_m2,
        day_population=r.day_population,
        night_population=r.night_population,
        replacement_cost=r.replacement_cost,
        isolated=r.isolated,
        source=r.source,
        source_file=source_file,
        imputed=dict(r.imputed),
        element_counts=dict(r.element_counts),
        materials=list(r.materials),
    )


def _multipolygon(wkt: str, mapper: PointFn) -> MultiPolygon:
    geom = GEOSGeometry(wkt_to_wgs84(wkt, mapper), srid=WGS84)
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=WGS84)


def _storeys_replace(building: Building, storeys: Sequence[StoreyRecord]) -> None:
    ordered = sorted(storeys, key=lambda s: s.elevation_m)
    rows = [
        _checked(
            Storey(
                building=building,
                global_id=s.global_id,
                name=s.name,
                index=i,
                elevation_m=s.elevation_m,
                height_m=s.height_m,
                mass_kg=s.mass_kg,
                floor_area_m2=s.floor_area_m2,
                element_counts=dict(s.element_counts),
                basis=s.basis,
            ),
            s.global_id,
        )
        for i, s in enumerate(ordered)
    ]
    Storey.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["building", "global_id"],
        update_fields=STOREY_FIELDS,
    )
    building.storeys.exclude(global_id__in=[s.global_id for s in ordered]).delete()


def network_replace(
    town: Town, record: NetworkRecord, mapper: PointFn, *, source: str, source_file: str
) -> LifelineNetwork:
    """Create or update the network named ``record.name``; nodes and links keyed by ``key``."""
    if record.kind not in NETWORK_KINDS:
        raise CimImportError(f"network kind '{record.kind}' is not one of {sorted(NETWORK_KINDS)}")
    network, _ = LifelineNetwork.objects.update_or_create(
        town=town,
        name=record.name,
        defaults={"kind": record.kind, "source": source, "source_file": source_file},
    )
    lonlat = points_to_wgs84([(n.x, n.y) for n in record.nodes], mapper)
    nodes = [
        _checked(
            NetworkNode(
                network=network,
                key=n.key,
                component_type=n.component_type,
                location=Point(float(lon), float(lat), srid=WGS84),
                elevation_m=n.elevation_m,
                attributes=dict(n.attributes),
            ),
            n.key,
        )
        for n, (lon, lat) in zip(record.nodes, lonlat, strict=True)
    ]
    NetworkNode.objects.bulk_create(
        nodes,
        update_conflicts=True,
        unique_fields=["network", "key"],
        update_fields=NODE_FIELDS,
        batch_size=1000,
    )
    node_ids = dict(network.nodes.values_list("key", "id"))
    links = [
        _checked(
            NetworkLink(
                network=network,
                key=link.key,
                start_id=node_ids[link.start],
                end_id=node_ids[link.end],
                component_type=link.component_type,
                path=LineString(
                    [tuple(p) for p in points_to_wgs84(link.coords, mapper)], srid=WGS84
                ),
                length_m=link.length_m,
                diameter_m=link.diameter_m,
                material=link.material or "",
                attributes=dict(link.attributes),
            ),
            link.key,
        )
        for link in record.links
    ]
    NetworkLink.objects.bulk_create(
        links,
        update_conflicts=True,
        unique_fields=["network", "key"],
        update_fields=LINK_FIELDS,
        batch_size=1000,
    )
    network.links.exclude(key__in=[link.key for link in record.links]).delete()
    network.nodes.exclude(key__in=[n.key for n in record.nodes]).delete()
    return network
