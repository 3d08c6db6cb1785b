"""Build the demonstration towns: profile → engine → the same import services a real town uses.

Generated towns: buildings are written as IFC4 files of ``IFC_BATCH`` buildings each
(``var/towns/<slug>/``) and imported through the sandboxed IFC importer (parsed by
``workers`` children in parallel, written in this process); networks, facilities and site
zones are written from the engine's records. Real-data towns: the transplanted footprints
go through ``footprints_import`` as GeoJSON, real networks through the network importer.
Landmark IFC models are placed on reserved plots.

Idempotent: an import whose (town, kind, file, sha256) is already recorded is skipped,
facilities and zones are upserted by name, and a town whose build fingerprint (profile
bytes, seed, size factor, ``TOWNS_VERSION``, landmark files) is recorded is left alone
unless ``force``. Buildings, networks, facilities and zones a rebuild no longer produces
are deleted.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.db import transaction

from twin import persist, services
from twin.engine.epanet import read_epanet
from twin.engine.gasnet import read_pandapipes_json
from twin.engine.ifc.town_writer import global_id, write_town_ifc
from twin.engine.placement import LocalPlane, point_mapper, points_to_wgs84, wkt_to_wgs84
from twin.engine.records import FacilityRecord, NetworkRecord, SiteZoneRecord
from twin.engine.towns.generate import GeneratedTown, generate_town
from twin.engine.towns.ifcspec import ifc_spec
from twin.engine.towns.profile import PROFILE_DIR, TownProfile, load_profile
from twin.engine.towns.realtown import prepare_real_town, transplant_network
from twin.models import WGS84, Building, Facility, ImportRecord, LifelineNetwork, SiteZone, Town

TOWNS_VERSION = "1"
IFC_BATCH = 250
FEET_M = 0.3048
DataFn = Callable[[str], Path]
LogFn = Callable[[str], None]


@dataclass
class TownBuild:
    """What one town build did."""

    slug: str
    status: str = "built"
    seconds: float = 0.0
    counts: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def fingerprint(profile_slug: str, seed: int, size_factor: float, landmarks: Sequence[Path]) -> str:
    """sha256 of everything a town build depends on (module docstring)."""
    digest = hashlib.sha256((PROFILE_DIR / f"{profile_slug}.json").read_bytes())
    digest.update(json.dumps([TOWNS_VERSION, seed, size_factor]).encode())
    for path in landmarks:
        digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return digest.hexdigest()


def town_build(
    *,
    slug: str,
    data: DataFn,
    workdir: Path,
    seed: int = 0,
    size_factor: float = 1.0,
    landmarks_dir: Path | None = None,
    force: bool = False,
    workers: int = 2,
    log: LogFn = lambda _: None,
) -> TownBuild:
    """Build (or confirm) the town ``slug`` from its profile (module docstring)."""
    started = time.monotonic()
    profile = load_profile(slug)
    landmarks = _landmark_files(profile, landmarks_dir)
    stamp = fingerprint(slug, seed, size_factor, landmarks)
    result = TownBuild(slug)
    town = Town.objects.filter(slug=slug).first()
    done = town and ImportRecord.objects.filter(town=town, kind="town-build", sha256=stamp).exists()
    if done and not force:
        result.status = "up to date"
    else:
        town = _town_row(profile)
        if profile.kind == "real":
            _build_real(town, profile, data, workdir / slug, result, log)
        else:
            _build_generated(
                town,
                profile,
                (seed, size_factor),
                workdir / slug,
                workers,
                {p.name: p for p in landmarks},
                result,
                log,
            )
        ImportRecord.objects.filter(town=town, kind="town-build").delete()
        ImportRecord.objects.create(
            town=town,
            kind="town-build",
            file_name=f"{slug}.json",
            sha256=stamp,
            summary={"seed": seed, "size_factor": size_factor},
        )
    assert town is not None
    result.counts = town_counts(town)
    result.seconds = time.monotonic() - started
    return result


def _landmark_files(profile: TownProfile, directory: Path | None) -> list[Path]:
    if directory is None or not directory.is_dir():
        return []
    return [directory / name for name in profile.landmarks if (directory / name).is_file()]


def plane_of(profile: TownProfile) -> LocalPlane:
    """The town's local plane (origin = the profile's latitude/longitude, +y north)."""
    return LocalPlane(profile.latitude_deg, profile.longitude_deg)


def _town_row(profile: TownProfile) -> Town:
    town = services.town_get_or_create(
        slug=profile.slug, name=profile.name, profile=profile.profile
    )
    wanted = {
        "name": profile.name,
        "profile": profile.profile[:200],
        "description": profile.description,
        "fortification_intensity": profile.fortification_intensity,
    }
    changed = [k for k, v in wanted.items() if getattr(town, k) != v]
    for key in changed:
        setattr(town, key, wanted[key])
    if changed:
        town.save(update_fields=[*changed, "updated_at"])
    services.town_place(town, longitude=profile.longitude_deg, latitude=profile.latitude_deg)
    return town


def _set_boundary(town: Town, boundary_wkt: str, plane: LocalPlane) -> None:
    geom = GEOSGeometry(wkt_to_wgs84(boundary_wkt, point_mapper(plane=plane)), srid=WGS84)
    boundary = geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=WGS84)
    if town.boundary is None or not town.boundary.equals_exact(boundary, 1e-9):
        town.boundary = boundary
        town.save(update_fields=["boundary", "updated_at"])


def _build_generated(
    town: Town,
    profile: TownProfile,
    variant: tuple[int, float],
    workdir: Path,
    workers: int,
    landmarks: dict[str, Path],
    result: TownBuild,
    log: LogFn,
) -> None:
    plane = plane_of(profile)
    gen = generate_town(profile, seed=variant[0], size_factor=variant[1])
    log(f"{profile.slug}: generated {len(gen.buildings)} buildings")
    _set_boundary(town, gen.boundary_wkt, plane)
    files = write_ifc_files(gen, workdir)
    region = {"fortification_intensity": profile.fortification_intensity}
    imported = import_ifc_files(town, files, workers=workers, region=region, log=log)
    result.notes.append(f"{imported} of {len(files)} IFC files imported (rest unchanged)")
    prune_buildings(town, {global_id(b.key) for b in gen.buildings}, f"{profile.slug}-")
    write_networks(town, gen.networks, plane)
    write_facilities(town, gen.facilities, plane)
    write_site_zones(town, gen.site_zones, plane)
    for name, x, y in gen.landmark_sites:
        _landmark(town, profile, landmarks.get(name), (x, y), result)


def write_ifc_files(gen: GeneratedTown, workdir: Path) -> list[Path]:
    """Write the town's buildings as IFC4 files of ``IFC_BATCH`` buildings; return the paths."""
    workdir.mkdir(parents=True, exist_ok=True)
    profile = gen.profile
    specs = [ifc_spec(b, gen.terrain_at(b.key)) for b in gen.buildings]
    paths = []
    for i in range(0, len(specs), IFC_BATCH):
        path = workdir / f"{profile.slug}-{i // IFC_BATCH:03d}.ifc"
        write_town_ifc(
            path,
            specs[i : i + IFC_BATCH],
            name=f"{profile.name} part {i // IFC_BATCH}",
            latitude_deg=profile.latitude_deg,
            longitude_deg=profile.longitude_deg,
        )
        paths.append(path)
    for stale in sorted(set(workdir.glob(f"{profile.slug}-*.ifc")) - set(paths)):
        stale.unlink()
    return paths


def _recorded(town: Town, kind: str, path: Path) -> bool:
    return ImportRecord.objects.filter(
        town=town, kind=kind, file_name=path.name, sha256=services._sha256(path)
    ).exists()


def import_ifc_files(
    town: Town, files: Sequence[Path], *, workers: int, region: dict, log: LogFn
) -> int:
    """Parse the files not yet imported in ``workers`` sandboxed children; write each here."""
    todo = [p for p in files if not _recorded(town, "ifc", p)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for path, summary in zip(todo, pool.map(services.ifc_parse, todo), strict=True):
            services.ifc_write(
                town_slug=town.slug, path=path, summary=summary, region_defaults=region
            )
            log(f"{town.slug}: imported {path.name} ({len(summary.buildings)} buildings)")
    return len(todo)


def prune_buildings(town: Town, keep: set[str], file_prefix: str) -> int:
    """Delete the town's buildings from generated files that the build no longer makes."""
    stale = Building.objects.filter(town=town, source_file__startswith=file_prefix).exclude(
        global_id__in=keep
    )
    return int(stale.delete()[0])


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


def _landmark(
    town: Town, profile: TownProfile, path: Path | None, xy: tuple[float, float], result: TownBuild
) -> None:
    """Import one landmark model onto its plot (its own georeference overridden)."""
    if path is None:
        result.notes.append("a landmark model is not available (no ../shared/data/external/ifc)")
        return
    if _recorded(town, "ifc", path):
        return
    (lon, lat) = points_to_wgs84([xy], point_mapper(plane=plane_of(profile)))[0]
    try:
        services.ifc_import(
            town_slug=town.slug,
            path=path,
            placement=LocalPlane(float(lat), float(lon)),
            override_georeference=True,
            region_defaults={"fortification_intensity": profile.fortification_intensity},
        )
    except services.CimImportError as exc:
        result.notes.append(f"landmark {path.name} rejected: {exc}")


def _build_real(
    town: Town, profile: TownProfile, data: DataFn, workdir: Path, result: TownBuild, log: LogFn
) -> None:
    plane = plane_of(profile)
    sources = profile.sources
    footprints = data(sources["footprints"])
    key, _, layer = sources["streets"].partition(":")
    real_networks: list[tuple[str, Path, NetworkRecord]] = []
    if "water" in sources:
        path = data(sources["water"])
        real_networks.append(("epanet", path, transplant_network(read_epanet(path), unit_m=FEET_M)))
    if "gas" in sources:
        path = data(sources["gas"])
        real_networks.append(("pandapipes", path, transplant_network(read_pandapipes_json(path))))
    loads = [
        (
            f"LOAD-{link.key}",
            next((n.x, n.y) for n in net.nodes if n.key == link.start),
            f"water:{link.key}",
        )
        for kind, _, net in real_networks
        if kind == "epanet"
        for link in net.links
        if link.component_type == "pump"
    ]
    skip = frozenset(n.kind for _, _, n in real_networks)
    real = prepare_real_town(
        profile, footprints, (data(key), layer), skip=skip, extra_loads=loads or None
    )
    log(f"{profile.slug}: {len(real.buildings)} real buildings")
    _set_boundary(town, real.boundary_wkt, plane)
    workdir.mkdir(parents=True, exist_ok=True)
    geojson = workdir / f"{profile.slug}-footprints.geojson"
    geojson.write_text(real.geojson, encoding="utf-8")
    if not _recorded(town, "footprints", geojson):
        services.footprints_import(
            town_slug=town.slug,
            path=geojson,
            region_defaults={"fortification_intensity": profile.fortification_intensity},
        )
    for kind, path, network in real_networks:
        if not _recorded(town, kind, path):
            services.network_record_import(
                kind=kind, town_slug=town.slug, path=path, network=network, placement=plane
            )
    write_networks(town, real.networks, plane)
    write_facilities(town, real.facilities, plane)
    write_site_zones(town, real.site_zones, plane)
    result.notes.append(
        f"real geometry centred on lon/lat {real.source_centre[0]:.5f}, {real.source_centre[1]:.5f}"
    )


def town_counts(town: Town) -> dict[str, object]:
    """Counts of a built town (buildings, storeys, networks, facilities, zones)."""
    buildings = Building.objects.filter(town=town)
    return {
        "buildings": buildings.count(),
        "networks": {n.kind: [n.nodes.count(), n.links.count()] for n in town.networks.all()},
        "facilities": dict(Counter(town.facilities.values_list("kind", flat=True))),
        "site_zones": town.site_zones.count(),
    }
