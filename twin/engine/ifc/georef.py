"""Georeferencing: from local IFC model coordinates to a CRS on the earth.

Resolution order (first one found wins):

1. ``IfcMapConversion`` (IFC4 and later) whose ``TargetCRS`` is an
   ``IfcProjectedCRS`` named ``EPSG:nnnn``. A local point (x, y) in project
   units maps to ``E + s (a x - b y)``, ``N + s (b x + a y)``, with
   ``(a, b)`` the normalised ``XAxisAbscissa``/``XAxisOrdinate`` and ``s`` the
   ``Scale``. When ``Scale`` is omitted it is taken as the pure unit
   conversion project-unit -> map-unit (so a millimetre model on a metre CRS
   still lands right). Output is in that EPSG, in its map unit.
2. ``IfcSite.RefLatitude``/``RefLongitude`` (compound degrees, minutes,
   seconds, millionths). The model is treated as a local tangent plane: the
   local axes are rotated by the context's ``TrueNorth`` into east/north
   metres, which are the coordinates of a transverse-Mercator projection
   centred on the reference point (scale 1, WGS84 ellipsoid). Output is
   EPSG:4326 in (longitude, latitude) order. A reference of exactly 0/0 is
   an exporter default, so it is treated as absent (Problem ``site-zero-reference``).
3. The caller's ``placement`` (``Georeference(method="user", ...)``): same
   tangent-plane model with the given latitude, longitude and true north.
   A placement with ``method="override"`` is used *before* 1 and 2: the file's own
   georeference is ignored (landmark models moved into a demonstration town).
4. Nothing: ``method="none"``, ``epsg=0``, coordinates stay in local metres
   (Problem ``no-georeference``).

Sign convention: ``true_north_deg`` is the counter-clockwise angle, in
degrees, from the local +Y axis to north (IFC ``TrueNorth`` = (-sin a, cos a)).
Elevations: ``elevation_m`` is added to local z (metres) to give heights.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import ifcopenshell
import ifcopenshell.util.unit
import numpy as np
from pyproj import CRS, Transformer

from twin.engine.ifc.units import dms_to_degrees
from twin.engine.records import Georeference, Problem


@dataclass
class GeoFrame:
    """A georeference plus the function that applies it.

    Attributes
    ----------
    georeference : Georeference
        The record reported to the caller.
    offset : numpy.ndarray
        Map-unit translation (E, N) for IfcMapConversion, else zeros.
    matrix : numpy.ndarray
        2x2 linear map from local metres to map units / east-north metres.
    transformer : pyproj.Transformer or None
        Tangent plane -> EPSG:4326 when the output is geographic.
    problems : list of Problem
        Problems met while resolving the georeference.
    """

    georeference: Georeference
    offset: np.ndarray = field(default_factory=lambda: np.zeros(2))
    matrix: np.ndarray = field(default_factory=lambda: np.eye(2))
    transformer: Transformer | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def epsg(self) -> int:
        """EPSG code of the output coordinates (0 = local metres)."""
        return self.georeference.epsg

    def to_crs(self, xy_m: np.ndarray) -> np.ndarray:
        """Transform local points to the output CRS.

        Parameters
        ----------
        xy_m : numpy.ndarray
            ``(n, 2)`` or ``(n, 3)`` local model coordinates in metres.

        Returns
        -------
        numpy.ndarray
            ``(n, 2)`` coordinates in ``epsg`` (lon/lat degrees for 4326).
        """
        pts = np.asarray(xy_m, dtype=float).reshape(-1, np.asarray(xy_m).shape[-1])[:, :2]
        plane = pts @ self.matrix.T + self.offset
        if self.transformer is None:
            return plane
        lon, lat = self.transformer.transform(plane[:, 0], plane[:, 1])
        return np.column_stack([np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)])


def rotation_matrix(true_north_deg: float) -> np.ndarray:
    """Return the 2x2 matrix taking local (x, y) to (east, north) for true north (deg CCW)."""
    a = math.radians(true_north_deg)
    return np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])


def tangent_plane_frame(georef: Georeference, problems: list[Problem] | None = None) -> GeoFrame:
    """Build a local transverse-Mercator frame centred on ``georef`` latitude/longitude.

    Parameters
    ----------
    georef : Georeference
        Must carry ``latitude_deg`` and ``longitude_deg`` (degrees) and ``true_north_deg``.
    problems : list of Problem, optional
        Problems to carry along.

    Returns
    -------
    GeoFrame
        Output in EPSG:4326 (lon, lat).
    """
    if georef.latitude_deg is None or georef.longitude_deg is None:
        raise ValueError("tangent plane needs latitude and longitude")
    tmerc = CRS.from_proj4(
        f"+proj=tmerc +lat_0={georef.latitude_deg!r} +lon_0={georef.longitude_deg!r} "
        "+k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
    )
    transformer = Transformer.from_crs(tmerc, CRS.from_epsg(4326), always_xy=True)
    record = Georeference(
        method=georef.method,
        epsg=4326,
        latitude_deg=georef.latitude_deg,
        longitude_deg=georef.longitude_deg,
        elevation_m=georef.elevation_m,
        true_north_deg=georef.true_north_deg,
    )
    return GeoFrame(
        record,
        matrix=rotation_matrix(georef.true_north_deg),
        transformer=transformer,
        problems=list(problems or []),
    )


def true_north_deg(model: ifcopenshell.file) -> float:
    """Return the true-north angle (deg CCW from local +Y) of the first 3D model context, else 0."""
    for ctx in model.by_type("IfcGeometricRepresentationContext"):
        if ctx.is_a("IfcGeometricRepresentationSubContext") or ctx.TrueNorth is None:
            continue
        ratios = list(ctx.TrueNorth.DirectionRatios)[:2]
        if len(ratios) == 2 and (ratios[0] or ratios[1]):
            return math.degrees(math.atan2(-ratios[0], ratios[1]))
    return 0.0


def parse_epsg(name: str | None) -> int | None:
    """Return the EPSG code in a CRS name such as ``"EPSG:28356"`` or ``"EPSG 7856"``, else None."""
    match = re.search(r"EPSG\D{0,3}(\d{4,6})", name or "", flags=re.IGNORECASE)
    if match:
        return int(match.group(1))
    if name and name.strip().isdigit():
        return int(name.strip())
    return None


def _map_conversion_frame(model: ifcopenshell.file, length_m: float) -> GeoFrame | None:
    """Return the frame of the first usable IfcMapConversion, or None (IFC2X3 has none)."""
    if model.schema == "IFC2X3":
        return None
    for conv in model.by_type("IfcMapConversion"):
        target = conv.TargetCRS
        epsg = parse_epsg(getattr(target, "Name", None))
        if epsg is None:
            continue
        map_unit_m = 1.0
        if getattr(target, "MapUnit", None) is not None:
            map_unit_m = _named_unit_m(target.MapUnit)
        scale = conv.Scale if conv.Scale is not None else length_m / map_unit_m
        a, b = conv.XAxisAbscissa or 1.0, conv.XAxisOrdinate or 0.0
        norm = math.hypot(a, b) or 1.0
        a, b = a / norm, b / norm
        factor = scale / length_m  # local metres -> project units -> map units
        matrix = factor * np.array([[a, -b], [b, a]])
        record = Georeference(
            method="IfcMapConversion",
            epsg=epsg,
            elevation_m=float(conv.OrthogonalHeight or 0.0) * map_unit_m,
            true_north_deg=-math.degrees(math.atan2(b, a)),
        )
        return GeoFrame(
            record, offset=np.array([conv.Eastings, conv.Northings], dtype=float), matrix=matrix
        )
    return None


def _named_unit_m(unit: ifcopenshell.entity_instance) -> float:
    """Return metres per unit for an IfcNamedUnit (SI with prefix, or conversion based)."""
    if unit.is_a("IfcSIUnit"):
        return float(ifcopenshell.util.unit.get_prefix_multiplier(unit.Prefix))
    if unit.is_a("IfcConversionBasedUnit"):
        factor = unit.ConversionFactor
        return float(factor.ValueComponent.wrappedValue) * _named_unit_m(factor.UnitComponent)
    return 1.0


def _site_frame(model: ifcopenshell.file, length_m: float) -> tuple[GeoFrame | None, list[Problem]]:
    """Return a tangent-plane frame from the first IfcSite with a usable reference point."""
    problems: list[Problem] = []
    for site in model.by_type("IfcSite"):
        lat, lon = dms_to_degrees(site.RefLatitude), dms_to_degrees(site.RefLongitude)
        if lat is None or lon is None:
            continue
        if lat == 0.0 and lon == 0.0:
            problems.append(
                Problem(
                    "site-zero-reference",
                    "IfcSite RefLatitude/RefLongitude is 0/0 "
                    "(exporter default); ignored as a georeference",
                    site.GlobalId,
                )
            )
            continue
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            problems.append(
                Problem(
                    "site-reference-out-of-range",
                    f"IfcSite reference {lat:.6f}/{lon:.6f} is outside the globe; ignored",
                    site.GlobalId,
                )
            )
            continue
        georef = Georeference(
            method="IfcSite",
            epsg=4326,
            latitude_deg=lat,
            longitude_deg=lon,
            elevation_m=float(site.RefElevation or 0.0) * length_m,
            true_north_deg=true_north_deg(model),
        )
        return tangent_plane_frame(georef, problems), []
    return None, problems


def resolve_georeference(
    model: ifcopenshell.file, length_m: float, placement: Georeference | None = None
) -> GeoFrame:
    """Pick the georeference of a model (map conversion, site, caller placement, none).

    Parameters
    ----------
    model : ifcopenshell.file
        The opened model.
    length_m : float
        Metres per project length unit.
    placement : Georeference, optional
        Caller's fallback placement (``method="user"``), latitude/longitude in degrees.

    Returns
    -------
    GeoFrame
        The frame, with its problems.
    """
    if (
        placement is not None
        and placement.method == "override"
        and placement.latitude_deg is not None
    ):
        return tangent_plane_frame(replace(placement, epsg=4326))
    frame = _map_conversion_frame(model, length_m)
    if frame is not None:
        return frame
    frame, problems = _site_frame(model, length_m)
    if frame is not None:
        return frame
    if placement is not None and placement.latitude_deg is not None:
        user = replace(placement, method="user", epsg=4326)
        return tangent_plane_frame(user, problems)
    problems.append(
        Problem(
            "no-georeference",
            "the file has no IfcMapConversion and no IfcSite "
            "latitude/longitude and no placement was given; geometry is in local metres",
        )
    )
    return GeoFrame(Georeference(method="none", epsg=0), problems=problems)
