"""3D Tiles of a town's buildings, generated once per town state and cached in files.

The cache key is a fingerprint of the town's buildings (count, largest id, sums of heights and
floor areas, the town's ``updated_at``): an import, a deletion or a changed height or area
gives new tiles; an edit of a text attribute alone does not (it keeps the old tiles until the
next import touches the town). Files live in ``MEDIA_ROOT/tiles/<slug>/<fingerprint>/`` and are
written to a temporary folder first, then renamed, so a reader never sees half a tileset.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB
from django.db.models import Count, Max, Sum

from twin.engine import tiles as engine
from twin.models import Building, Town

BUILDINGS_PER_TILE = 1500
CATEGORICAL = ("structural_system", "design_era", "occupancy")
COLUMNS = [
    ("building_id", "UINT32"),
    ("global_id", "STRING"),
    ("name", "STRING"),
    ("height_m", "FLOAT32"),
    ("storeys_above_ground", "FLOAT32"),
    ("structural_system", "STRING"),
    ("design_era", "STRING"),
    ("occupancy", "STRING"),
    ("fortification_intensity", "FLOAT32"),
    ("floor_area_m2", "FLOAT32"),
    ("day_population", "FLOAT32"),
    ("night_population", "FLOAT32"),
    ("replacement_cost", "FLOAT64"),
    ("source", "STRING"),
]
FIELDS = [name if name != "building_id" else "id" for name, _ in COLUMNS]


def town_fingerprint(town: Town) -> str:
    """A short hash that changes when the town's buildings change (see the module docstring)."""
    agg = Building.objects.filter(town=town).aggregate(
        n=Count("id"), last=Max("id"), h=Sum("height_m"), a=Sum("floor_area_m2")
    )
    key = f"{town.pk}:{town.updated_at.isoformat()}:{agg['n']}:{agg['last']}:{agg['h']}:{agg['a']}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def tiles_folder(town: Town, fingerprint: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "tiles" / town.slug / fingerprint


def town_tileset(town: Town) -> tuple[str, dict[str, Any]]:
    """The fingerprint and tileset.json of ``town``, generating the tiles when missing."""
    fingerprint = town_fingerprint(town)
    folder = tiles_folder(town, fingerprint)
    if not (folder / "tileset.json").exists():
        _generate(town, folder, fingerprint)
    return fingerprint, json.loads((folder / "tileset.json").read_text())


def tile_path(town: Town, fingerprint: str, index: int) -> Path:
    return tiles_folder(town, fingerprint) / f"{index}.glb"


def _generate(town: Town, folder: Path, fingerprint: str) -> None:
    rows = list(
        Building.objects.filter(town=town, footprint__isnull=False)
        .annotate(wkb=AsWKB("footprint"))
        .order_by("id")
        .values_list("wkb", *FIELDS)
    )
    if not rows:
        raise engine.TilesError(f"town {town.slug} has no building footprints")
    footprints = shapely.from_wkb([bytes(r[0]) for r in rows])
    keep = ~shapely.is_empty(footprints) & (shapely.area(footprints) > 0)
    rows = [r for r, k in zip(rows, keep, strict=True) if k]
    footprints = footprints[keep]
    columns = [
        engine.Column(name, kind, [r[1 + i] for r in rows])
        for i, (name, kind) in enumerate(COLUMNS)
    ]
    height = np.array([r[1 + FIELDS.index("height_m")] or np.nan for r in rows], dtype=float)
    buildings = engine.Buildings(footprints, height, columns)
    centroids = shapely.get_coordinates(shapely.centroid(footprints))
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=parent))
    try:
        leaves = []
        for index, cell in enumerate(
            engine.grid_cells(centroids[:, 0], centroids[:, 1], BUILDINGS_PER_TILE)
        ):
            part = buildings.subset(cell)
            glb, centre = engine.tile_glb(part)
            (tmp / f"{index}.glb").write_bytes(glb)
            w, s, e, n = shapely.total_bounds(part.footprints)
            top = float(np.nanmax(np.where(np.isfinite(part.height_m), part.height_m, 3.0)))
            leaves.append((f"{fingerprint}/{index}.glb", centre, (w, s, e, n), top))
        extras = {
            "town": town.slug,
            "buildings": len(rows),
            "values": {
                name: sorted({str(r[1 + FIELDS.index(name)] or "") for r in rows})
                for name in CATEGORICAL
            },
        }
        (tmp / "tileset.json").write_text(json.dumps(engine.tileset(leaves, extras=extras)))
        try:
            os.replace(tmp, folder)
        except OSError:  # another request finished first: its files are the same
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
