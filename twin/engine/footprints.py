"""Read building footprints from GIS files into :class:`BuildingRecord` s.

Formats: GeoPackage (``.gpkg``), GeoJSON (``.geojson``/``.json``), zipped ESRI Shapefile
(``.zip``, read through GDAL's ``/vsizip/``), OSM XML (``.osm``, ``.osm.bz2``, ``.osm.gz``;
compressed files are decompressed to a temporary file first) and OSM PBF (``.pbf``).

CRS policy: the reader never reprojects. Every record carries the source EPSG code in
``footprint_epsg`` and the x/y coordinates exactly as GDAL read them (full precision WKT,
Z dropped). A layer without a CRS is rejected. GeoJSON without a ``crs`` member is
EPSG:4326 by RFC 7946, and GDAL reports it so.
"""

from __future__ import annotations

import bz2
import gzip
import math
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from pyogrio.raw import read as ogr_read
from pyproj import CRS
from pyproj.exceptions import CRSError

from twin.engine.records import BuildingRecord, CimImportError, Problem

OSM_LAYER = "multipolygons"
POLYGONAL = ("Polygon", "MultiPolygon")
_GENERIC_SUFFIXES = {".gpkg", ".geojson", ".json", ".zip", ".shp"}
_OSM_SUFFIXES = {".osm", ".pbf"}
_BUILDING_LAYER = re.compile(r"build|bldg|footprint|geb(ae|ä)ude|建筑", re.IGNORECASE)
_ID_COLUMNS = ("global_id", "globalid", "id", "uid", "building_id", "bldg_id")


@dataclass(frozen=True, slots=True)
class FootprintSet:
    """Buildings read from one layer of a GIS file.

    Attributes
    ----------
    buildings
        One record per polygonal feature, in source order.
    epsg
        EPSG code of the source CRS; coordinates are not reprojected.
    layer
        Name of the layer the buildings came from.
    problems
        Per-feature problems (skipped or repaired geometry, unreadable attributes).
    """

    buildings: tuple[BuildingRecord, ...]
    epsg: int
    layer: str
    problems: tuple[Problem, ...] = ()


def read_footprints(path: str | Path, *, layer: str | None = None) -> FootprintSet:
    """Read the building footprints of a GIS file.

    Parameters
    ----------
    path
        GeoPackage, GeoJSON, zipped Shapefile, OSM XML (optionally bz2/gz) or OSM PBF.
    layer
        Layer to read; chosen automatically when ``None`` (see :func:`choose_layer`).

    Returns
    -------
    FootprintSet
        Records in the source CRS (``footprint_epsg``), heights in metres.

    Raises
    ------
    CimImportError
        Unknown extension, unreadable file, missing layer, no CRS or no building polygon.
    """
    source = Path(path)
    if not source.is_file():
        raise CimImportError(f"{source.name}: file not found")
    is_osm = _format_of(source) == "osm"
    with _gdal_path(source) as gdal_path:
        chosen = choose_layer(gdal_path, source.name, layer, is_osm=is_osm)
        meta, fids, wkbs, columns = _read_layer(gdal_path, source.name, chosen)
    epsg = _epsg_of(meta.get("crs"), source.name, chosen)
    names = [str(n) for n in meta["fields"]]
    rows = [dict(zip(names, v, strict=True)) for v in zip(*columns, strict=True)] or [
        {} for _ in wkbs
    ]
    buildings, problems = _records(
        rows, fids, wkbs, epsg=epsg, layer=chosen, is_osm=is_osm, source=f"{source.name}:{chosen}"
    )
    if not buildings:
        raise CimImportError(
            f"{source.name}: layer '{chosen}' has no building polygons"
            f" ({len(problems)} features skipped)"
        )
    return FootprintSet(tuple(buildings), epsg, chosen, tuple(problems))


def _format_of(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    last = suffixes[-1] if suffixes else ""
    if last in _OSM_SUFFIXES or (last in {".bz2", ".gz"} and ".osm" in suffixes):
        return "osm"
    if last in _GENERIC_SUFFIXES:
        return "generic"
    raise CimImportError(
        f"{path.name}: unsupported file type '{last or path.name}'; use .gpkg, .geojson,"
        " a zipped shapefile (.zip), .osm, .osm.bz2 or .osm.pbf"
    )


#: Cap on a decompressed .osm.bz2/.osm.gz (bytes): a city's OSM extract is 1-2 GiB; a
#: compression bomb stops here instead of filling the disk.
MAX_DECOMPRESSED_BYTES = 8 * 2**30


def _copy_capped(src: Any, dst: Any, name: str) -> None:
    """Copy ``src`` to ``dst`` in 1 MiB chunks, refusing more than MAX_DECOMPRESSED_BYTES."""
    written = 0
    while chunk := src.read(2**20):
        written += len(chunk)
        if written > MAX_DECOMPRESSED_BYTES:
            raise CimImportError(
                f"{name}: decompresses to over {MAX_DECOMPRESSED_BYTES / 2**30:g} GiB;"
                " extract a smaller area"
            )
        dst.write(chunk)


@contextmanager
def _gdal_path(path: Path) -> Iterator[str]:
    """Yield a path GDAL can open: ``/vsizip/`` for zips, a temp copy for bz2/gz OSM."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        yield f"/vsizip/{path.resolve()}"
        return
    if suffix not in {".bz2", ".gz"}:
        yield str(path)
        return
    opener: Any = bz2.open if suffix == ".bz2" else gzip.open
    with tempfile.TemporaryDirectory(prefix="cim-osm-") as tmp:
        target = Path(tmp) / path.with_suffix("").name
        try:
            with opener(path, "rb") as src, target.open("wb") as dst:
                _copy_capped(src, dst, path.name)
        except CimImportError:
            raise
        except (OSError, EOFError, ValueError) as exc:
            raise CimImportError(f"{path.name}: cannot decompress ({exc})") from exc
        yield str(target)


def choose_layer(gdal_path: str, file_name: str, layer: str | None, *, is_osm: bool) -> str:
    """Pick the building layer of a data source.

    The requested ``layer`` if given; ``multipolygons`` for OSM; otherwise a layer named
    like buildings (``build``, ``bldg``, ``footprint``), else the only polygon layer.

    Raises
    ------
    CimImportError
        Unreadable source, requested layer missing, or no unambiguous polygon layer.
    """
    try:
        listed = pyogrio.list_layers(gdal_path)
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise CimImportError(f"{file_name}: not a readable GIS file ({_reason(exc)})") from exc
    layers = [(str(name), str(gtype)) for name, gtype in listed]
    names = [name for name, _ in layers]
    wanted = layer or (OSM_LAYER if is_osm else None)
    if wanted is not None:
        if wanted not in names:
            raise CimImportError(f"{file_name}: no layer '{wanted}'; layers are {names}")
        return wanted
    polygon = [n for n, g in layers if "polygon" in g.lower()]
    candidates = polygon or [n for n, g in layers if g.lower() in {"unknown", "geometry", "none"}]
    named = [n for n in candidates if _BUILDING_LAYER.search(n)]
    if named:
        return next((n for n in named if n.lower() in {"buildings", "building"}), named[0])
    if len(candidates) == 1:
        return candidates[0]
    listing = ", ".join(f"{n} ({g})" for n, g in layers)
    if not candidates:
        raise CimImportError(
            f"{file_name}: no polygon layer to read buildings from; layers: {listing}"
        )
    raise CimImportError(f"{file_name}: several polygon layers, pass layer=...; layers: {listing}")


def _read_layer(gdal_path: str, file_name: str, layer: str) -> tuple[dict[str, Any], Any, Any, Any]:
    try:
        return ogr_read(gdal_path, layer=layer, return_fids=True)  # type: ignore[no-any-return]
    except (DataSourceError, DataLayerError, OSError, RuntimeError) as exc:
        raise CimImportError(f"{file_name}: cannot read layer '{layer}' ({_reason(exc)})") from exc


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def _epsg_of(crs_text: str | None, file_name: str, layer: str) -> int:
    """EPSG code of a layer CRS; reject layers without one."""
    if not crs_text:
        raise CimImportError(
            f"{file_name}: layer '{layer}' has no coordinate reference system;"
            " add a .prj / CRS (e.g. EPSG:4547) and import again"
        )
    try:
        epsg = CRS.from_user_input(crs_text).to_epsg()
    except CRSError as exc:
        raise CimImportError(f"{file_name}: unreadable CRS ({_reason(exc)})") from exc
    if epsg is None:
        raise CimImportError(
            f"{file_name}: the CRS of layer '{layer}' has no EPSG code; reproject to an EPSG CRS"
        )
    return int(epsg)


def _records(
    rows: list[dict[str, Any]],
    fids: Any,
    wkbs: Any,
    *,
    epsg: int,
    layer: str,
    is_osm: bool,
    source: str,
) -> tuple[list[BuildingRecord], list[Problem]]:
    """Turn raw features into records; skip non-buildings and bad geometry with problems."""
    buildings: list[BuildingRecord] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    geographic = CRS.from_epsg(epsg).is_geographic  # lon/lat degrees: must lie on the globe
    for index, (row, wkb) in enumerate(zip(rows, wkbs, strict=True)):
        tags = _osm_tags(row) if is_osm else row
        if is_osm and tags.get("building") in (None, "", "no"):
            continue
        fid = fids[index] if fids is not None else index
        gid = _feature_id(tags, fid, layer, is_osm=is_osm)
        if gid in seen:
            problems.append(Problem("duplicate-id", f"id {gid} repeats; using the feature id", gid))
            gid = f"{layer}:{fid}"
        seen.add(gid)
        wkt, problem = _footprint(wkb, gid, geographic=geographic)
        problems.extend([problem] if problem else [])
        if wkt is None:
            continue
        attrs, attr_problems = building_attributes(tags, gid)
        problems.extend(attr_problems)
        buildings.append(
            BuildingRecord(
                global_id=gid,
                name=str(tags.get("name") or ""),
                footprint_wkt=wkt,
                footprint_epsg=epsg,
                source=source,
                **attrs,
            )
        )
    return buildings, problems


_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def parse_hstore(text: str | None) -> dict[str, str]:
    """Parse GDAL's OSM ``other_tags`` (``"k"=>"v","k2"=>"v2"``) into a dict."""
    if not text:
        return {}
    return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in _HSTORE.findall(str(text))}


def _osm_tags(row: dict[str, Any]) -> dict[str, Any]:
    """All tags of an OSM feature: explicit columns win over ``other_tags``."""
    tags: dict[str, Any] = parse_hstore(row.get("other_tags"))
    tags.update({k: v for k, v in row.items() if k != "other_tags" and v not in (None, "")})
    return tags


def _feature_id(row: dict[str, Any], fid: Any, layer: str, *, is_osm: bool) -> str:
    """``osm:way/N``/``osm:relation/N``; a global_id as is; ``layer:col=v``; ``layer:fid``."""
    if is_osm:
        if row.get("osm_way_id"):
            return f"osm:way/{row['osm_way_id']}"
        if row.get("osm_id"):
            return f"osm:relation/{row['osm_id']}"
    lowered = {str(k).lower(): (str(k), v) for k, v in row.items()}
    for column in _ID_COLUMNS:
        name, value = lowered.get(column, (column, None))
        if value is not None and str(value).strip():
            verbatim = column in {"global_id", "globalid"}  # e.g. our own exports
            return str(value) if verbatim else f"{layer}:{name}={value}"
    return f"{layer}:{fid}"


def _footprint(
    wkb: bytes | None, gid: str, *, geographic: bool = False
) -> tuple[str | None, Problem | None]:
    """Polygonal WKT at full precision, repaired with ``make_valid`` when possible.

    With ``geographic`` (lon/lat degrees) a footprint beyond ±180° / ±90° is skipped.
    """
    if wkb is None:
        return None, Problem("geometry-missing", "no geometry (e.g. an OSM ring clipped open)", gid)
    geom = shapely.from_wkb(wkb, on_invalid="ignore")
    if geom is None:
        return None, Problem("geometry-unreadable", "ring with < 3 points (clipped?); skipped", gid)
    geom = shapely.force_2d(geom)
    if geom.is_empty:
        return None, Problem("geometry-empty", "empty geometry skipped", gid)
    if geom.geom_type not in POLYGONAL:
        return None, Problem("not-polygon", f"{geom.geom_type} is not a footprint; skipped", gid)
    west, south, east, north = geom.bounds
    if geographic and not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        message = "coordinates beyond lon ±180° / lat ±90° (wrong CRS?); skipped"
        return None, Problem("geometry-off-globe", message, gid)
    problem = None
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        geom = _polygonal_part(shapely.make_valid(geom))
        if geom is None:
            return None, Problem("geometry-invalid", f"invalid polygon ({reason}); skipped", gid)
        problem = Problem("geometry-repaired", f"invalid polygon ({reason}) repaired", gid)
    return shapely.to_wkt(geom, rounding_precision=-1), problem


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The polygons of a repaired geometry, or ``None`` when nothing areal is left."""
    if geom.geom_type in POLYGONAL:
        return None if geom.is_empty or geom.area <= 0.0 else geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in POLYGONAL]
        if parts:
            merged = shapely.union_all(parts)
            return merged if merged.area > 0.0 else None
    return None


_HEIGHT_KEYS = ("height", "height_m", "building:height", "building_height", "bldg_height")
_LEVEL_KEYS = (
    "building:levels",
    "levels",
    "storeys",
    "stories",
    "floors",
    "num_floors",
    "storeys_above_ground",
    "floors_above_ground",
)
_USE_KEYS = ("building", "use", "usage", "occupancy", "building_use", "building_type", "type")
_YEAR_KEYS = ("year", "year_built", "construction_year", "building:year", "start_date")
_HAZUS_OCCUPANCY = re.compile(r"^(RES[1-6]|COM([1-9]|10)|IND[1-6]|AGR1|REL1|GOV[12]|EDU[12])$")
_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*(m|metres?|meters?|ft|feet|')?\s*$", re.I)
_FOOT_M = 0.3048


def building_attributes(tags: dict[str, Any], gid: str) -> tuple[dict[str, Any], list[Problem]]:
    """Height (m), storeys, occupancy and source tags from feature attributes.

    Keys are matched case-insensitively: height (``height``, ``building:height`` ...; a
    trailing ``ft`` converts feet to metres), levels (``building:levels``, ``storeys``,
    ``floors`` ...), use (``building``, ``use``, ``occupancy`` ...; a Hazus occupancy code
    is taken as is, anything else is kept in ``source_attributes`` for the imputation
    rules) and year (``year``, ``start_date`` ...). Unparseable values become problems.
    """
    lowered = {str(k).lower(): v for k, v in tags.items() if v is not None and str(v).strip()}
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    height = _first(lowered, _HEIGHT_KEYS)
    if height is not None:
        out["height_m"] = _length_m(height[1])
        if out["height_m"] is None:
            problems.append(Problem("attribute-invalid", f"{height[0]}={height[1]!r} ignored", gid))
    levels = _first(lowered, _LEVEL_KEYS)
    if levels is not None:
        out["storeys_above_ground"] = _storeys(levels[1])
        if out["storeys_above_ground"] is None:
            problems.append(Problem("attribute-invalid", f"{levels[0]}={levels[1]!r} ignored", gid))
    source_attributes: dict[str, str] = {}
    use = _first(lowered, _USE_KEYS)
    if use is not None:
        text = str(use[1]).strip()
        if _HAZUS_OCCUPANCY.match(text.upper()):
            out["occupancy"] = text.upper()
        else:
            source_attributes["building"] = text.lower()
    year = _first(lowered, _YEAR_KEYS)
    if year is not None:
        found = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(year[1]))
        if found:
            source_attributes["year"] = found.group(1)
    out["source_attributes"] = source_attributes
    return {k: v for k, v in out.items() if v is not None}, problems


def _first(tags: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, Any] | None:
    return next(((k, tags[k]) for k in keys if k in tags), None)


def _length_m(value: Any) -> float | None:
    """Metres from ``12``, ``12.5 m``, ``40 ft``; ``None`` if not a positive length."""
    match = _NUMBER.match(str(value))
    if match is None:
        return None
    number = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "m").lower()
    metres = number * (_FOOT_M if unit in {"ft", "feet", "'"} else 1.0)
    return metres if math.isfinite(metres) and metres > 0.0 else None


def _storeys(value: Any) -> int | None:
    """Whole storeys (fractions such as attics round half up); ``None`` if not positive."""
    match = _NUMBER.match(str(value))
    if match is None or match.group(2):
        return None
    number = float(match.group(1).replace(",", "."))
    storeys = math.floor(number + 0.5)
    return storeys if storeys >= 1 else None
