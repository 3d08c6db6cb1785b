"""Source-to-site distances in a local transverse Mercator plane centred on the epicentre.

Definitions follow the NGA-West2 conventions (Ancheta et al. 2014, Earthquake Spectra 30(3),
https://doi.org/10.1193/070913EQS197M):

- ``rrup``: closest distance to the rupture plane (km);
- ``rjb``: closest horizontal distance to the surface projection of the rupture (km);
- ``rx``: horizontal distance from the top edge's surface trace, extended to infinity,
  measured perpendicular to strike, positive on the hanging wall (km);
- ``ry0``: horizontal distance off either end of the rupture measured parallel to strike (km);
- ``repi``, ``rhypo``: epicentral and hypocentral distances (km).

A point source is a rupture of zero size: ``rrup = rhypo``, ``rjb = repi``, ``ry0 = 0`` and
``rx`` is the across-strike coordinate (0 without a strike, when every site is also put on
the long axis of ellipse models).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from structures.engine.hazard.errors import HazardInputError
from structures.engine.hazard.sources import FiniteRupture, PointSource

Rupture = PointSource | FiniteRupture
M_PER_KM = 1000.0


@dataclass(frozen=True, slots=True)
class Sites:
    """Sites where ground motion is computed.

    Parameters
    ----------
    lon, lat : NDArray[np.float64]
        WGS84 degrees, shape (n,).
    vs30_m_s : NDArray[np.float64]
        Time-averaged shear-wave velocity of the top 30 m, m/s.
    z1_km : NDArray[np.float64] or None
        Depth to Vs = 1 km/s, km (NaN where unknown); only basin terms use it.
    """

    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    vs30_m_s: NDArray[np.float64]
    z1_km: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        n = np.shape(self.lon)
        arrays = [self.lat, self.vs30_m_s] + ([] if self.z1_km is None else [self.z1_km])
        if len(n) != 1 or any(np.shape(a) != n for a in arrays):
            raise HazardInputError(
                "sites: lon, lat, vs30 (and z1) must be 1-D arrays of one length"
            )
        if n[0] == 0:
            raise HazardInputError("sites: at least one site is needed")
        if not np.all(np.isfinite(self.vs30_m_s)) or np.any(np.asarray(self.vs30_m_s) <= 0):
            raise HazardInputError("sites: every vs30 must be a positive number of m/s")

    def __len__(self) -> int:
        return int(np.shape(self.lon)[0])


@dataclass(frozen=True, slots=True)
class Distances:
    """Distances (km) from one rupture to n sites, plus the sites' local coordinates.

    ``along_km`` and ``across_km`` are the site coordinates from the epicentre along strike and
    toward the dip direction (used by ellipse models); ``x_km``/``y_km`` are east/north.
    """

    rrup: NDArray[np.float64]
    rjb: NDArray[np.float64]
    rx: NDArray[np.float64]
    ry0: NDArray[np.float64]
    repi: NDArray[np.float64]
    rhypo: NDArray[np.float64]
    along_km: NDArray[np.float64]
    across_km: NDArray[np.float64]
    x_km: NDArray[np.float64]
    y_km: NDArray[np.float64]


def local_transformer(lon0: float, lat0: float) -> Transformer:
    """WGS84 → transverse Mercator (m) centred on (lon0, lat0), scale 1 at the centre."""
    tmerc = CRS.from_proj4(
        f"+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
    )
    return Transformer.from_crs(CRS.from_epsg(4326), tmerc, always_xy=True)


def project_sites(
    lon0: float, lat0: float, lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """East and north coordinates (km) of sites in the plane centred on (lon0, lat0)."""
    x_m, y_m = local_transformer(lon0, lat0).transform(np.asarray(lon), np.asarray(lat))
    return np.asarray(x_m) / M_PER_KM, np.asarray(y_m) / M_PER_KM


def _unit_vectors(strike: float, dip: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Along-strike and down-dip unit vectors in (east, north, down) coordinates."""
    phi, delta = math.radians(strike), math.radians(dip)
    s = np.array([math.sin(phi), math.cos(phi), 0.0])
    d = np.array(
        [math.cos(phi) * math.cos(delta), -math.sin(phi) * math.cos(delta), math.sin(delta)]
    )
    return s, d


def _clamped_distance(
    u: NDArray[np.float64], v: NDArray[np.float64], len_u: float, len_v: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Offsets of points (u, v) from the rectangle [0, len_u] × [0, len_v]."""
    du = u - np.clip(u, 0.0, len_u)
    dv = v - np.clip(v, 0.0, len_v)
    return du, dv


def compute_distances(rupture: Rupture, sites: Sites) -> Distances:
    """Compute Rrup, Rjb, Rx, Ry0, Repi and Rhypo (km) from a rupture to every site.

    Exact for a planar rectangle of any dip: in-plane coordinates of each site are clamped to
    the rectangle (the closest point on a convex rectangle), likewise for its surface projection.
    Sites are projected once into a transverse Mercator plane centred on the epicentre (scale
    error < 1e-4 within 100 km, < 1 e-3 within 300 km).
    """
    x, y = project_sites(rupture.lon, rupture.lat, sites.lon, sites.lat)
    repi = np.hypot(x, y)
    rhypo = np.hypot(repi, rupture.depth_km)
    if isinstance(rupture, PointSource):
        return _point_distances(rupture, x, y, repi, rhypo)
    s, d = _unit_vectors(rupture.strike, rupture.dip)
    origin = (
        np.array([0.0, 0.0, rupture.depth_km])
        - rupture.hypo_along_strike * rupture.length_km * s
        - rupture.hypo_down_dip * rupture.width_km * d
    )
    rel = np.stack([x - origin[0], y - origin[1], -np.full_like(x, origin[2])], axis=-1)
    du, dv = _clamped_distance(rel @ s, rel @ d, rupture.length_km, rupture.width_km)
    normal = np.cross(s, d)
    rrup = np.sqrt(du**2 + dv**2 + (rel @ normal) ** 2)
    s_h = s[:2]
    phi = math.radians(rupture.strike)
    d_h = np.array([math.cos(phi), -math.sin(phi)])
    along_top, across_top = rel[:, :2] @ s_h, rel[:, :2] @ d_h
    width_h = rupture.width_km * math.cos(math.radians(rupture.dip))
    du_h, dv_h = _clamped_distance(along_top, across_top, rupture.length_km, max(width_h, 0.0))
    rjb = np.hypot(du_h, dv_h)
    ry0 = np.maximum(0.0, np.maximum(-along_top, along_top - rupture.length_km))
    along, across = np.stack([x, y], axis=-1) @ s_h, np.stack([x, y], axis=-1) @ d_h
    return Distances(rrup, rjb, across_top, ry0, repi, rhypo, along, across, x, y)


def _point_distances(
    src: PointSource,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    repi: NDArray[np.float64],
    rhypo: NDArray[np.float64],
) -> Distances:
    if src.strike is None:  # no azimuth: every site on the long axis (the larger motions)
        along, across = repi.copy(), np.zeros_like(x)
    else:
        phi = math.radians(src.strike)
        along = x * math.sin(phi) + y * math.cos(phi)
        across = x * math.cos(phi) - y * math.sin(phi)
    return Distances(rhypo, repi, across, np.zeros_like(x), repi, rhypo, along, across, x, y)
