"""Write buildings and networks to GeoPackage, GeoJSON or CSV.

Buildings: one layer/feature collection/table ``buildings``; footprints in other CRSs than
the requested ``epsg`` are reprojected with pyproj (x = easting/longitude first).

Networks: GeoPackage with two layers ``nodes`` (points) and ``links`` (line strings);
GeoJSON as ONE FeatureCollection whose features carry ``"layer": "node"`` or ``"link"``
(one file is easier to hand around and to load into web maps); CSV as one table with a
``layer`` column. Dict attributes (``attributes``, ``imputed``) are JSON text in
GeoPackage/CSV and JSON objects in GeoJSON.

CRS: GeoPackage stores it. CSV has a ``wkt`` geometry column (full precision) and an
``epsg`` column. GeoJSON in EPSG:4326 is plain RFC 7946 (lon/lat); any other EPSG is
written with the pre-RFC ``crs`` member (``urn:ogc:def:crs:EPSG::<code>``), which GDAL
reads back but strict RFC 7946 consumers ignore: export web data in EPSG:4326.
"""

from __future__ import annotations

import csv
import json
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from twin.engine.records import BuildingRecord, CimImportError, NetworkRecord

Format = Literal["gpkg", "geojson", "csv"]
FORMATS: tuple[str, ...] = ("gpkg", "geojson", "csv")


def write_buildings(
    buildings: Sequence[BuildingRecord],
    path: str | Path,
    *,
    fmt: Format,
    epsg: int,
    columns: Sequence[str],
) -> Path:
    """Write buildings with their footprints in ``epsg``.

    Parameters
    ----------
    buildings
        Records, possibly in several source CRSs.
    path
        Output file (overwritten).
    fmt
        ``"gpkg"``, ``"geojson"`` or ``"csv"``.
    epsg
        Target CRS; footprints in another CRS are reprojected.
    columns
        ``BuildingRecord`` attributes to write, in order: the shell passes
        ``twin.vocabulary.BUILDING_ATTRIBUTES`` (an engine may not import the shell). Every
        row adds ``footprint_epsg`` and ``imputed`` (JSON text) after them.

    Returns
    -------
    Path
        The file written.
    """
    target = _prepare(path, fmt)
    rows = [_building_row(b, columns) for b in buildings]
    geoms = [_footprint_in(b, epsg) for b in buildings]
    if fmt == "gpkg":
        frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=_crs(epsg))
        pyogrio.write_dataframe(
            frame, target, layer="buildings", driver="GPKG", promote_to_multi=True
        )
    elif fmt == "geojson":
        _write_geojson(
            target, [("buildings", r, g) for r, g in zip(rows, geoms, strict=True)], epsg
        )
    else:
        _write_csv(target, rows, geoms, epsg)
    return target


def write_network(
    network: NetworkRecord, path: str | Path, *, fmt: Format, epsg: int | None = None
) -> Path:
    """Write a network: nodes as points, links as polylines.

    Parameters
    ----------
    network
        Network record.
    path
        Output file (overwritten).
    fmt
        ``"gpkg"`` (layers ``nodes`` and ``links``), ``"geojson"`` (one collection with a
        ``layer`` property) or ``"csv"`` (one table with a ``layer`` column).
    epsg
        Target CRS; ``None`` keeps the network's. A network in EPSG 0 (local plane) is
        written without CRS and cannot be reprojected.
    """
    target = _prepare(path, fmt)
    out_epsg = network.epsg if epsg is None else epsg
    if out_epsg != network.epsg and network.epsg == 0:
        raise CimImportError(
            f"network {network.name} has local coordinates (EPSG 0); cannot reproject"
        )
    move = _mover(network.epsg, out_epsg)
    nodes = [(_node_row(network, n), move(shapely.Point(n.x, n.y))) for n in network.nodes]
    links = [(_link_row(network, k), move(shapely.LineString(k.coords))) for k in network.links]
    if fmt == "gpkg":
        crs = _crs(out_epsg) if out_epsg else None
        for layer, items in (("nodes", nodes), ("links", links)):
            frame = gpd.GeoDataFrame([r for r, _ in items], geometry=[g for _, g in items], crs=crs)
            with warnings.catch_warnings():  # EPSG 0: no CRS on purpose (local plane)
                warnings.filterwarnings("ignore", message="'crs' was not provided")
                pyogrio.write_dataframe(frame, target, layer=layer, driver="GPKG")
    elif fmt == "geojson":
        features = [("node", r, g) for r, g in nodes] + [("link", r, g) for r, g in links]
        _write_geojson(target, features, out_epsg)
    else:
        rows = [{"layer": "node", **r} for r, _ in nodes] + [
            {"layer": "link", **r} for r, _ in links
        ]
        _write_csv(target, rows, [g for _, g in nodes] + [g for _, g in links], out_epsg)
    return target


def _prepare(path: str | Path, fmt: str) -> Path:
    if fmt not in FORMATS:
        raise CimImportError(f"unknown export format '{fmt}'; use one of {list(FORMATS)}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    return target


def _building_row(b: BuildingRecord, columns: Sequence[str]) -> dict[str, Any]:
    row = {name: getattr(b, name) for name in columns}
    row["footprint_epsg"] = b.footprint_epsg
    row["imputed"] = json.dumps(b.imputed, sort_keys=True)
    return row


def _node_row(network: NetworkRecord, node: Any) -> dict[str, Any]:
    return {
        "network": network.name,
        "kind": network.kind,
        "key": node.key,
        "component_type": node.component_type,
        "elevation_m": node.elevation_m,
        "attributes": json.dumps(node.attributes, sort_keys=True),
    }


def _link_row(network: NetworkRecord, link: Any) -> dict[str, Any]:
    return {
        "network": network.name,
        "kind": network.kind,
        "key": link.key,
        "component_type": link.component_type,
        "start": link.start,
        "end": link.end,
        "length_m": link.length_m,
        "diameter_m": link.diameter_m,
        "material": link.material,
        "attributes": json.dumps(link.attributes, sort_keys=True),
    }


def _footprint_in(b: BuildingRecord, epsg: int) -> shapely.Geometry | None:
    if not b.footprint_wkt:
        return None
    geom = shapely.from_wkt(b.footprint_wkt)
    if b.footprint_epsg == 0 and epsg != 0:
        raise CimImportError(
            f"building {b.global_id} has local coordinates (EPSG 0); place it first"
        )
    return _mover(b.footprint_epsg, epsg)(geom)


def _mover(source: int, target: int) -> Any:
    """Function reprojecting a shapely geometry from ``source`` to ``target`` EPSG."""
    if source == target:
        return lambda geom: geom
    transformer = _transformer(source, target)

    def move(geom: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(
            geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )

    return move


@lru_cache(maxsize=32)
def _crs(epsg: int) -> CRS:
    try:
        return CRS.from_epsg(epsg)
    except CRSError as exc:
        raise CimImportError(f"unknown coordinate reference system EPSG:{epsg}") from exc


@lru_cache(maxsize=32)
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(_crs(source), _crs(target), always_xy=True)


def _write_geojson(
    target: Path, features: Sequence[tuple[str, dict[str, Any], shapely.Geometry | None]], epsg: int
) -> None:
    """One FeatureCollection; JSON-text attributes become objects again."""
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": []}
    if epsg not in (4326, 0):
        collection["crs"] = {
            "type": "name",
            "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"},
        }
    for layer, row, geom in features:
        properties = {"layer": layer, **row}
        for key in ("attributes", "imputed"):
            if isinstance(properties.get(key), str):
                properties[key] = json.loads(properties[key])
        geometry = shapely.geometry.mapping(geom) if geom is not None else None
        collection["features"].append(
            {"type": "Feature", "properties": properties, "geometry": geometry}
        )
    target.write_text(json.dumps(collection, default=_json_value), encoding="utf-8")


def _json_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _write_csv(
    target: Path,
    rows: Sequence[dict[str, Any]],
    geoms: Sequence[shapely.Geometry | None],
    epsg: int,
) -> None:
    """CSV with full-precision ``wkt`` and ``epsg`` columns; None becomes an empty cell."""
    columns = [*dict.fromkeys(k for row in rows for k in row), "epsg", "wkt"]
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row, geom in zip(rows, geoms, strict=True):
            wkt = shapely.to_wkt(geom, rounding_precision=-1) if geom is not None else ""
            writer.writerow(
                {**{k: ("" if v is None else v) for k, v in row.items()}, "epsg": epsg, "wkt": wkt}
            )
