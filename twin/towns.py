"""Build the demonstration towns: profile → engine → the same import services a real town uses.

Generated towns (this module): buildings are written as IFC4 files of ``IFC_BATCH``
buildings each (``var/towns/<slug>/``) and imported through the sandboxed IFC importer (parsed
by ``workers`` children in parallel, written in this process); networks, facilities and site
zones are written from the engine's records (:mod:`twin.town_layers`). Real-data towns and the
landmark IFC models placed on reserved plots are :mod:`twin.towns_real`.

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
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from twin import services
from twin.engine.ifc.step_text import global_id
from twin.engine.ifc.town_writer import write_town_ifc
from twin.engine.towns.generate import GeneratedTown, generate_town
from twin.engine.towns.ifcspec import ifc_spec
from twin.engine.towns.profile import PROFILE_DIR, TownProfile, load_profile
from twin.models import Building, ImportRecord, Town
from twin.town_layers import (
    import_recorded,
    plane_of,
    set_boundary,
    write_facilities,
    write_networks,
    write_site_zones,
)
from twin.towns_real import DataFn, LogFn, build_real_town, landmark_import

TOWNS_VERSION = "1"
IFC_BATCH = 250


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
            result.notes += build_real_town(town, profile, data, workdir / slug, log)
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
    set_boundary(town, gen.boundary_wkt, plane)
    files = write_ifc_files(gen, workdir)
    region = {"fortification_intensity": profile.fortification_intensity}
    imported = import_ifc_files(town, files, workers=workers, region=region, log=log)
    result.notes.append(f"{imported} of {len(files)} IFC files imported (rest unchanged)")
    prune_buildings(town, {global_id(b.key) for b in gen.buildings}, f"{profile.slug}-")
    write_networks(town, gen.networks, plane)
    write_facilities(town, gen.facilities, plane)
    write_site_zones(town, gen.site_zones, plane)
    for name, x, y in gen.landmark_sites:
        note = landmark_import(town, profile, landmarks.get(name), (x, y))
        if note is not None:
            result.notes.append(note)


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


def import_ifc_files(
    town: Town, files: Sequence[Path], *, workers: int, region: dict, log: LogFn
) -> int:
    """Parse the files not yet imported in ``workers`` sandboxed children; write each here."""
    todo = [p for p in files if not import_recorded(town, "ifc", p)]
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


def town_counts(town: Town) -> dict[str, object]:
    """Counts of a built town (buildings, storeys, networks, facilities, zones)."""
    buildings = Building.objects.filter(town=town)
    return {
        "buildings": buildings.count(),
        "networks": {n.kind: [n.nodes.count(), n.links.count()] for n in town.networks.all()},
        "facilities": dict(Counter(town.facilities.values_list("kind", flat=True))),
        "site_zones": town.site_zones.count(),
    }
