"""Map coordinates of imported records to WGS 84 (EPSG:4326, lon/lat order).

A source is either a CRS with an EPSG code or a *local plane*: metric (or scaled) x/y
coordinates around a reference point, modelled as a transverse Mercator projection
centred on that point (scale 1 at the origin; < 1 ppm error within 6 km). The
rotation turns local +y (the model's "north") clockwise onto true north.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from twin.engine.records import CimImportError

WGS84 = 4326


@dataclass(frozen=True, slots=True)
class LocalPlane:
    """Local coordinates placed on the earth.

    Parameters
    ----------
    latitude_deg, longitude_deg
        WGS 84 position of the local origin (0, 0).
    rotation_deg
        Angle from true north to the local +y axis, clockwise positive, degrees.
    unit_m
        Length of one local coordinate unit in metres (e.g. 0.3048 for feet).
    """

    latitude_deg: float
    longitude_deg: float
    rotation_deg: float = 0.0
    unit_m: float = 1.0

    def __post_init__(self) -> None:
        if not (-90.0 <= self.latitude_deg <= 90.0 and -180.0 <= self.longitude_deg <= 180.0):
            raise CimImportError(
                f"placement {self.latitude_deg}, {self.longitude_deg} is not a latitude/longitude"
            )
        if not self.unit_m > 0.0:
            raise CimImportError(f"coordinate unit must be positive, got {self.unit_m} m")


Coords = NDArray[np.float64]
PointFn = Callable[[Coords, Coords], tuple[Coords, Coords]]


@lru_cache(maxsize=64)
def _epsg_transformer(epsg: int) -> Transformer:
    try:
        crs = CRS.from_epsg(epsg)
    except CRSError as exc:
        raise CimImportError(f"unknown coordinate reference system EPSG:{epsg}") from exc
    return Transformer.from_crs(crs, CRS.from_epsg(WGS84), always_xy=True)


@lru_cache(maxsize=64)
def _plane_transformer(lat: float, lon: float) -> Transformer:
    tmerc = CRS.from_proj4(f"+proj=tmerc +lat_0={lat} +lon_0={lon} +k=1 +x_0=0 +y_0=0 +ellps=WGS84")
    return Transformer.from_crs(tmerc, CRS.from_epsg(WGS84), always_xy=True)


def point_mapper(*, epsg: int | None = None, plane: LocalPlane | None = None) -> PointFn:
    """Return ``f(x, y) -> (lon, lat)`` on coordinate arrays in ``epsg`` or on ``plane``."""
    if epsg == WGS84:
        return lambda x, y: (x, y)
    if epsg:
        transformer = _epsg_transformer(epsg)
        return lambda x, y: transformer.transform(x, y)  # type: ignore[no-any-return]
    if plane is None:
        raise CimImportError("coordinates have no CRS: give an EPSG code or a latitude/longitude")
    transformer = _plane_transformer(plane.latitude_deg, plane.longitude_deg)
    cos_r = math.cos(math.radians(plane.rotation_deg))
    sin_r = math.sin(math.radians(plane.rotation_deg))

    def mapper(x: Coords, y: Coords) -> tuple[Coords, Coords]:
        xm, ym = x * plane.unit_m, y * plane.unit_m
        east = xm * cos_r + ym * sin_r
        north = -xm * sin_r + ym * cos_r
        return transformer.transform(east, north)  # type: ignore[no-any-return]

    return mapper


def wkt_to_wgs84(wkt: str, mapper: PointFn) -> str:
    """Transform a WKT geometry's vertices with ``mapper`` and return WKT (lon/lat)."""
    geom = shapely.from_wkt(wkt)
    return shapely.to_wkt(
        shapely.transform(geom, lambda xy: _map_array(xy, mapper)),
        rounding_precision=-1,
    )


def points_to_wgs84(points: Sequence[tuple[float, float]], mapper: PointFn) -> Coords:
    """Map ``[(x, y), ...]`` to an ``(n, 2)`` array of (lon, lat)."""
    return _map_array(np.asarray(points, dtype=np.float64).reshape(-1, 2), mapper)


def _map_array(xy: Coords, mapper: PointFn) -> Coords:
    lon, lat = mapper(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat]).astype(np.float64)
