"""Write paths of the city information model: towns and imports (atomic, idempotent)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.text import slugify

from twin import persist, selectors
from twin.engine import epanet, export, footprints, gasnet, imputation
from twin.engine.export import Format as ExportFormat
from twin.engine.ifc import parse_ifc_isolated
from twin.engine.placement import LocalPlane, PointFn, point_mapper
from twin.engine.records import (
    BuildingRecord,
    CimImportError,
    Georeference,
    IfcSummary,
    NetworkRecord,
    Problem,
)
from twin.models import WGS84, ImportRecord, Town
from twin.reports import ImportReport
from twin.vocabulary import BUILDING_ATTRIBUTES


def town_get_or_create(*, slug: str, name: str = "", profile: str = "") -> Town:
    """The town ``slug``, created (named after the slug unless ``name``) if missing."""
    town, _ = Town.objects.get_or_create(
        slug=slug,
        defaults={"name": name or slug.replace("-", " ").title(), "profile": profile},
    )
    return town


def town_place(town: Town, *, longitude: float, latitude: float) -> None:
    """Give a town without a reference point one, and a UTM zone as its metric CRS."""
    if town.origin is not None:
        return
    town.origin = Point(longitude, latitude, srid=WGS84)
    if town.crs_epsg == WGS84:
        zone = int((longitude + 180.0) // 6.0) % 60 + 1
        town.crs_epsg = (32600 if latitude >= 0 else 32700) + zone
    town.save(update_fields=["origin", "crs_epsg", "updated_at"])


def ifc_parse(
    path: Path, placement: LocalPlane | None = None, *, override: bool = False
) -> IfcSummary:
    """Parse an IFC file in a sandboxed child process (no database access; thread-safe)."""
    return parse_ifc_isolated(
        path,
        placement=_georeference(placement, override=override),
        timeout_s=settings.IFC_PARSE_TIMEOUT_S,
        memory_bytes=settings.IFC_PARSE_MEMORY_BYTES,
        max_bytes=settings.IFC_MAX_BYTES,
    )


def ifc_import(
    *,
    town_slug: str,
    path: Path,
    placement: LocalPlane | None = None,
    validate_only: bool = False,
    override_georeference: bool = False,
    region_defaults: Mapping[str, float | str] | None = None,
) -> ImportReport:
    """Parse an IFC file in a sandboxed child process and write its buildings and networks.

    ``override_georeference`` places the model at ``placement`` even when the file has its
    own georeference; ``region_defaults`` (e.g. the town's fortification intensity) are
    imputed before the rules.
    """
    summary = ifc_parse(path, placement, override=override_georeference)
    return ifc_write(
        town_slug=town_slug,
        path=path,
        summary=summary,
        validate_only=validate_only,
        region_defaults=region_defaults,
    )


def ifc_write(
    *,
    town_slug: str,
    path: Path,
    summary: IfcSummary,
    validate_only: bool = False,
    region_defaults: Mapping[str, float | str] | None = None,
) -> ImportReport:
    """Write a parsed IFC file's buildings and networks into the town (one transaction)."""
    report = ImportReport("ifc", path.name, town_slug, validate_only, _ifc_counts(summary))
    report.problems.extend(summary.problems)
    if validate_only:
        return report
    if summary.georeference.method == "none":
        raise CimImportError(
            f"{path.name} has no georeference (IfcMapConversion or IfcSite RefLatitude/"
            "RefLongitude): give the building's latitude and longitude (--lat, --lon)"
        )
    mapper = point_mapper(epsg=summary.georeference.epsg)
    buildings = imputation.impute_all(summary.buildings, region_defaults=region_defaults)
    report.counts["imputed"] = _imputed_counts(buildings)
    with transaction.atomic():
        town = town_get_or_create(slug=town_slug)
        persist.buildings_upsert(town, buildings, mapper, source_file=path.name)
        for network in summary.networks:
            _network_write(town, network, mapper, source="ifc", file_name=path.name)
        _record(town, "ifc", path, report)
    return report


def _georeference(placement: LocalPlane | None, *, override: bool = False) -> Georeference | None:
    if placement is None:
        return None
    return Georeference(
        method="override" if override else "user",
        epsg=WGS84,
        latitude_deg=placement.latitude_deg,
        longitude_deg=placement.longitude_deg,
        true_north_deg=placement.rotation_deg,
    )


def _ifc_counts(summary: IfcSummary) -> dict[str, object]:
    return {
        "schema": summary.schema,
        "georeference": summary.georeference.method,
        "buildings": len(summary.buildings),
        "storeys": sum(len(b.storeys) for b in summary.buildings),
        "elements": dict(summary.element_counts),
        "network_nodes": sum(len(n.nodes) for n in summary.networks),
        "network_links": sum(len(n.links) for n in summary.networks),
    }


def _imputed_counts(buildings: Sequence[BuildingRecord]) -> dict[str, int]:
    return dict(Counter(attr for b in buildings for attr in b.imputed))


def footprints_import(
    *,
    town_slug: str,
    path: Path,
    layer: str | None = None,
    validate_only: bool = False,
    region_defaults: Mapping[str, float | str] | None = None,
) -> ImportReport:
    """Import building footprints (GeoPackage, GeoJSON, zipped Shapefile, OSM) with imputation.

    ``region_defaults`` (e.g. the town's fortification intensity) are imputed before the rules.
    """
    found = footprints.read_footprints(path, layer=layer)
    buildings = imputation.impute_all(found.buildings, region_defaults=region_defaults)
    counts = {"layer": found.layer, "epsg": found.epsg, "buildings": len(buildings)}
    report = ImportReport("footprints", path.name, town_slug, validate_only, counts)
    report.counts["imputed"] = _imputed_counts(buildings)
    report.problems.extend(found.problems)
    if validate_only:
        return report
    mapper = point_mapper(epsg=found.epsg)
    with transaction.atomic():
        town = town_get_or_create(slug=town_slug)
        if town.crs_epsg == WGS84 and found.epsg != WGS84 and town.origin is None:
            town.crs_epsg = found.epsg
            town.save(update_fields=["crs_epsg", "updated_at"])
        persist.buildings_upsert(town, buildings, mapper, source_file=path.name)
        _record(town, "footprints", path, report)
    return report


def epanet_import(
    *,
    town_slug: str,
    path: Path,
    epsg: int | None = None,
    placement: LocalPlane | None = None,
    validate_only: bool = False,
) -> ImportReport:
    """Import an EPANET .inp water network (through WNTR)."""
    network = epanet.read_epanet(path, epsg=epsg or 0)
    report = _network_report("epanet", town_slug, path, network, validate_only)
    if not validate_only:
        _network_import(report, path, network, epsg=epsg, placement=placement)
    return report


def gas_network_import(
    *,
    town_slug: str,
    path: Path,
    epsg: int | None = None,
    placement: LocalPlane | None = None,
    validate_only: bool = False,
) -> ImportReport:
    """Import a pandapipes JSON gas network."""
    network = gasnet.read_pandapipes_json(path, epsg=epsg)
    report = _network_report("pandapipes", town_slug, path, network, validate_only)
    if not validate_only:
        _network_import(report, path, network, epsg=epsg, placement=placement)
    return report


def network_record_import(
    *,
    kind: str,
    town_slug: str,
    path: Path,
    network: NetworkRecord,
    placement: LocalPlane | None = None,
) -> ImportReport:
    """Import a network an engine reader already read (and possibly moved) from ``path``."""
    report = _network_report(kind, town_slug, path, network, False)
    _network_import(report, path, network, epsg=None, placement=placement)
    return report


def _network_report(
    kind: str, town_slug: str, path: Path, network: NetworkRecord, validate_only: bool
) -> ImportReport:
    counts = {"network": network.name, "kind": network.kind, "nodes": len(network.nodes)}
    counts["links"] = len(network.links)
    report = ImportReport(kind, path.name, town_slug, validate_only, counts)
    report.problems.extend(network.problems)
    return report


def _network_import(
    report: ImportReport,
    path: Path,
    network: NetworkRecord,
    *,
    epsg: int | None,
    placement: LocalPlane | None,
) -> None:
    with transaction.atomic():
        town = town_get_or_create(slug=report.town)
        mapper = _network_mapper(town, network.epsg or epsg, placement, report)
        _network_write(town, network, mapper, source=report.kind, file_name=path.name)
        _record(town, report.kind, path, report)


def _network_mapper(
    town: Town, epsg: int | None, placement: LocalPlane | None, report: ImportReport
) -> PointFn:
    if epsg or placement:
        return point_mapper(epsg=epsg, plane=placement)
    if town.origin is None:
        raise CimImportError(
            f"{report.file_name} has no coordinate system and town '{town.slug}' has no "
            "reference point: give --epsg, or --lat and --lon for the network's origin"
        )
    report.problems.append(
        Problem(
            "placed-at-town-origin",
            "local coordinates placed at the town's reference point",
        )
    )
    return point_mapper(plane=LocalPlane(town.origin.y, town.origin.x))


def _network_write(
    town: Town, network: NetworkRecord, mapper: PointFn, *, source: str, file_name: str
) -> None:
    keys = {n.key for n in network.nodes}
    dangling = [link.key for link in network.links if {link.start, link.end} - keys]
    if dangling:
        raise CimImportError(f"{file_name}: links {dangling[:5]} refer to nodes that do not exist")
    persist.network_replace(town, network, mapper, source=source, source_file=file_name)


def _record(town: Town, kind: str, path: Path, report: ImportReport) -> None:
    if town.origin is None:
        _place_from_content(town)
    ImportRecord.objects.create(
        town=town,
        kind=kind,
        file_name=path.name,
        sha256=_sha256(path),
        summary=report.counts,
        problems=report.as_dict()["problems"],
    )


def _place_from_content(town: Town) -> None:
    building = town.buildings.exclude(footprint=None).first()
    node = None if building else town.networks.first()
    if building is not None and building.footprint is not None:
        centre = building.footprint.centroid
    elif node is not None and node.nodes.exists():
        centre = node.nodes.first().location  # type: ignore[union-attr]
    else:
        return
    town_place(town, longitude=centre.x, latitude=centre.y)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def town_export(
    *, town: Town, directory: Path, fmt: ExportFormat, epsg: int | None = None
) -> list[Path]:
    """Write the town's buildings and each lifeline network to ``directory`` in ``fmt``.

    Coordinates are written in ``epsg`` (default: the town's ``crs_epsg``).
    """
    target = epsg or town.crs_epsg
    directory.mkdir(parents=True, exist_ok=True)
    buildings = [selectors.building_record(b) for b in selectors.town_buildings(town)]
    written = [
        export.write_buildings(
            buildings,
            directory / f"{town.slug}-buildings.{fmt}",
            fmt=fmt,
            epsg=target,
            columns=BUILDING_ATTRIBUTES,
        )
    ]
    for network in selectors.town_networks(town):
        record = selectors.network_record(network)
        path = directory / f"{town.slug}-{network.kind}-{slugify(network.name)}.{fmt}"
        written.append(export.write_network(record, path, fmt=fmt, epsg=target))
    return written
