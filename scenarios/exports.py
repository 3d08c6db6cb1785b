"""GIS exports of a run's result layers (GeoPackage, GeoJSON, CSV).

``hazard``: every site of the ground-motion field (building centroids, network nodes, link
midpoints) with median and 84th-percentile intensity measures, Vs30 and GB/T 17742 intensity.
``buildings``: footprints with damage, collapse probability, repair cost, GB/T 38591 stars and,
when the run has them, the probabilities of burning and of AEGL-2+ chemical exposure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely

from scenarios.models import ScenarioRun
from scenarios.pipeline import run_directory
from scenarios.steps.hazard import SITE_KINDS
from twin.models import Building

Layer = Literal["hazard", "buildings"]
Format = Literal["gpkg", "geojson", "csv"]
DRIVERS = {"gpkg": "GPKG", "geojson": "GeoJSON"}
AEGL2 = 2


def run_layer(run: ScenarioRun, layer: Layer) -> gpd.GeoDataFrame:
    """The result layer as a GeoDataFrame in EPSG:4326."""
    folder = run_directory(run)
    if not (folder / f"{layer}.npz").exists():
        raise FileNotFoundError(f"run {run.pk} has no {layer} results")
    return _hazard(folder) if layer == "hazard" else _buildings(folder)


def run_layer_write(
    run: ScenarioRun, layer: Layer, path: Path, *, fmt: Format, epsg: int | None = None
) -> Path:
    """Write one layer to ``path`` in ``fmt``, reprojected to ``epsg``.

    The default CRS is the town's, except for GeoJSON, which RFC 7946 fixes to WGS 84.
    """
    default = 4326 if fmt == "geojson" else run.town.crs_epsg
    frame = run_layer(run, layer).to_crs(epsg or default)
    if fmt == "csv":
        frame.assign(wkt=frame.geometry.to_wkt()).drop(columns="geometry").to_csv(path, index=False)
    else:
        frame.to_file(path, driver=DRIVERS[fmt], layer=layer if fmt == "gpkg" else None)
    return path


def _hazard(folder: Path) -> gpd.GeoDataFrame:
    with np.load(folder / "hazard.npz") as h:
        site_kinds = [k for k in SITE_KINDS if f"{k}_id" in h]  # runs before facilities: 3
        kinds = np.concatenate([np.full(h[f"{k}_id"].size, k) for k in site_kinds])
        ids = np.concatenate([h[f"{k}_id"] for k in site_kinds])
        columns = {"kind": kinds, "id": ids, "vs30_m_s": h["vs30_m_s"]}
        for measure in ("pga_g", "pgv_cm_s", "sa03_g", "sa10_g"):
            values = np.concatenate([h[f"{k}_{measure}"] for k in site_kinds], axis=1)
            columns[f"median_{measure}"] = np.median(values, axis=0)
            columns[f"p84_{measure}"] = np.percentile(values, 84, axis=0)
        points = shapely.points(h["lon"], h["lat"])
    with np.load(folder / "intensity.npz") as i:
        columns["intensity_gbt17742"] = i["intensity"]
    return gpd.GeoDataFrame(columns, geometry=points, crs=4326)


def _buildings(folder: Path) -> gpd.GeoDataFrame:
    with np.load(folder / "buildings.npz") as b:
        ids = b["building_id"]
        columns = {
            "building_id": ids,
            "mean_damage_state": b["mean_damage_state"],
            "collapse_probability": b["collapse_probability"],
            "mean_repair_cost_ratio": b["repair_cost_ratio"].mean(axis=1),
            "gbt38591_stars": b["stars"],
        }
    columns.update(_optional(folder, ids))
    stored = {
        b.pk: b for b in Building.objects.filter(pk__in=ids.tolist()).only("global_id", "footprint")
    }
    found = [stored.get(int(i)) for i in ids]
    geometry = [
        shapely.from_wkb(bytes(b.footprint.wkb)) if b and b.footprint else None for b in found
    ]
    columns["global_id"] = np.array([b.global_id if b else "" for b in found])
    return gpd.GeoDataFrame(columns, geometry=geometry, crs=4326)


def _optional(folder: Path, ids: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if (folder / "fire.npz").exists():
        with np.load(folder / "fire.npz") as f:
            if np.array_equal(f["building_id"], ids):
                out["burn_probability"] = np.isfinite(f["ignition_s"]).mean(axis=0)
    if (folder / "chemical.npz").exists():
        with np.load(folder / "chemical.npz") as c:
            if np.array_equal(c["building_id"], ids):
                out["aegl2_probability"] = (c["level"] >= AEGL2).mean(axis=0)
    return out
