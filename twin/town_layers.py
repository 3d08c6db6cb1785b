"""Write a built town's layers to the database: boundary, networks, facilities and site zones.

Shared by the generated and the real-data town builds (:mod:`twin.towns`,
:mod:`twin.towns_real`). Records come from the engine in the town's local plane (metres, x east,
y north) and are mapped to WGS 84 here. Every writer is idempotent: a network whose record
digest is recorded is skipped, facilities and site zones are upserted by name and saved only when
a value changed, and whatever the build no longer produces is deleted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.db import transaction

from twin import persist, services
from twin.engine.placement import LocalPlane, point_mapper, points_to_wgs84, wkt_to_wgs84
from twin.engine.records import FacilityRecord, NetworkRecord, SiteZoneRecord
from twin.engine.towns.profile import TownProfile
from twin.models import WGS84, Building, Facility, ImportRecord, LifelineNetwork, SiteZone, Town


def plane_of(profile: TownProfile) -> LocalPlane:
    """The town's local plane (origin = the profile's latitude/longitude, +y north)."""
    return LocalPlane(profile.latitude_deg, profile.longitude_deg)


def import_recorded(town: Town, kind: str, path: Path) -> bool:
    """Whether ``path`` with its current sha256 is already imported into ``town`` as ``kind``."""
    return ImportRecord.objects.filter(
        town=town, kind=kind, file_name=path.name, sha256=services._sha256(path)
    ).exists()


def set_boundary(town: Town, boundary_wkt: str, plane: LocalPlane) -> None:
    """Set the town boundary from local-plane WKT (saved only when it changed)."""
    geom = GEOSGeometry(wkt_to_wgs84(boundary_wkt, point_mapper(plane=plane)), srid=WGS84)
    boundary = geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=WGS84)
    if town.boundary is None or not town.boundary.equals_exact(boundary, 1e-9):
        town.boundary = boundary
        town.save(update_fields=["boundary", "updated_at"])


def _digest(record: object) -> str:
    return hashlib.sha256(repr(record).encode()).hexdigest()


def write_networks(town: Town, networks: Iterable[NetworkRecord], plane: LocalPlane) -> None:
    """Write generated networks (unchanged ones skipped); delete generated ones no longer made."""
    mapper = point_mapper(plane=plane)
    names = set()
    for record in networks:
        names.add(record.name)
        digest = _digest(record)
        if ImportRecord.objects.filter(
            town=town, kind="generated", file_name=record.name, sha256=digest
        ).exists():
            continue
        with transaction.atomic():
            persist.network_replace(
                town, record, mapper, source="generated", source_file=f"{town.slug}:{record.kind}"
            )
            ImportRecord.objects.filter(town=town, kind="generated", file_name=record.name).delete()
            ImportRecord.objects.create(
                town=town,
                kind="generated",
                file_name=record.name,
                sha256=digest,
                summary={"nodes": len(record.nodes), "links": len(record.links)},
            )
    LifelineNetwork.objects.filter(town=town, source="generated").exclude(name__in=names).delete()


def write_facilities(town: Town, records: Sequence[FacilityRecord], plane: LocalPlane) -> None:
    """Upsert the town's facilities by name; delete the ones no longer produced."""
    mapper = point_mapper(plane=plane)
    lonlat: Any = points_to_wgs84([(f.x, f.y) for f in records], mapper) if records else []
    ids = dict(
        Building.objects.filter(
            town=town, global_id__in=[f.building for f in records if f.building]
        ).values_list("global_id", "id")
    )
    existing = {f.name: f for f in Facility.objects.filter(town=town)}
    for record, (lon, lat) in zip(records, lonlat, strict=True):
        values = {
            "kind": record.kind,
            "location": Point(float(lon), float(lat), srid=WGS84),
            "building_id": ids.get(record.building or ""),
            "capacity": record.capacity,
            "substance": record.substance,
            "inventory_kg": record.inventory_kg,
            "attributes": dict(record.attributes),
        }
        row = existing.pop(record.name, None) or Facility(town=town, name=record.name)
        if row.pk is None or any(_differs(getattr(row, k), v) for k, v in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.save()
    Facility.objects.filter(pk__in=[f.pk for f in existing.values()]).delete()


def _differs(old: object, new: object) -> bool:
    if isinstance(new, Point):
        return old is None or not old.equals_exact(new, 1e-10)  # type: ignore[attr-defined]
    return old != new


def write_site_zones(town: Town, records: Sequence[SiteZoneRecord], plane: LocalPlane) -> None:
    """Upsert the town's site zones by name; delete the ones no longer produced."""
    mapper = point_mapper(plane=plane)
    existing = {z.name: z for z in SiteZone.objects.filter(town=town)}
    for record in records:
        geom = GEOSGeometry(wkt_to_wgs84(record.area_wkt, mapper), srid=WGS84)
        area = geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=WGS84)
        row = existing.pop(record.name, None) or SiteZone(town=town, name=record.name)
        values = {
            "area": area,
            "site_class": record.site_class,
            "vs30_m_s": record.vs30_m_s,
            "source": record.source,
        }
        same = (
            row.pk is not None
            and row.area.equals_exact(area, 1e-10)
            and all(getattr(row, k) == v for k, v in values.items() if k != "area")
        )
        if not same:
            for key, value in values.items():
                setattr(row, key, value)
            row.save()
    SiteZone.objects.filter(pk__in=[z.pk for z in existing.values()]).delete()
