"""Earthquake sources: point sources, planar finite ruptures and magnitude–area scaling.

Angles follow the Aki & Richards convention: strike in degrees clockwise from north with the
fault dipping to the right of the strike direction, dip in degrees from horizontal, rake in
degrees (0 left-lateral strike-slip, 90 reverse, −90 normal). Depths in km, positive down.

References
----------
Wells, D. L. & Coppersmith, K. J. (1994). New empirical relationships among magnitude, rupture
length, rupture width, rupture area, and surface displacement. BSSA 84(4), 974–1002.
https://doi.org/10.1785/BSSA0840040974 (Table 2A, regressions of log10 RA and log10 RW on M).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from structures.engine.hazard.errors import HazardInputError

#: Wells & Coppersmith (1994) Table 2A: (a, b) in log10(X) = a + b·M.
#: RA = rupture area (km²), RW = down-dip rupture width (km).
WC94_AREA = {"SS": (-3.42, 0.90), "R": (-3.99, 0.98), "N": (-2.87, 0.82), "ALL": (-3.49, 0.91)}
WC94_WIDTH = {"SS": (-0.76, 0.27), "R": (-1.61, 0.41), "N": (-1.14, 0.35), "ALL": (-1.01, 0.32)}
#: Magnitude range of the Wells & Coppersmith (1994) RA regressions (all slip types).
WC94_MAGNITUDE_RANGE = (4.8, 7.9)
#: Default base of the seismogenic layer (km) that caps down-dip width.
SEISMOGENIC_BOTTOM_KM = 20.0


def mechanism_from_rake(rake_deg: float | None) -> str:
    """Return ``"SS"``, ``"R"``, ``"N"`` or ``"U"`` (unspecified) from the rake (degrees).

    Strike-slip within 30° of horizontal, reverse for 30 < rake < 150, normal for
    −150 < rake < −30 (Boore et al. 2014, section "Source"; same bins as Wells & Coppersmith).
    """
    if rake_deg is None:
        return "U"
    rake = (rake_deg + 180.0) % 360.0 - 180.0
    if 30.0 < rake < 150.0:
        return "R"
    if -150.0 < rake < -30.0:
        return "N"
    return "SS"


def _check_common(lon: float, lat: float, depth_km: float, magnitude: float) -> None:
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise HazardInputError(f"epicentre ({lon}, {lat}) is not a WGS84 lon/lat in degrees")
    if not 0.0 <= depth_km <= 700.0:
        raise HazardInputError(f"hypocentral depth {depth_km} km must lie in [0, 700] km")
    if not 0.0 < magnitude < 10.0:
        raise HazardInputError(f"magnitude {magnitude} must lie in (0, 10)")


@dataclass(frozen=True, slots=True)
class PointSource:
    """A point source at the hypocentre.

    Parameters
    ----------
    lon, lat : float
        Epicentre, WGS84 degrees.
    depth_km : float
        Hypocentral depth, km.
    magnitude : float
        Moment magnitude Mw (Yu et al. 2013 reads it as Ms, see docs/hazard/gmpe.md).
    rake : float or None
        Rake in degrees; ``None`` means an unspecified mechanism.
    strike : float or None
        Strike in degrees, used only as the long-axis azimuth of ellipse models.
    dip : float
        Dip in degrees (reported to GMPEs that need it).
    """

    lon: float
    lat: float
    depth_km: float
    magnitude: float
    rake: float | None = None
    strike: float | None = None
    dip: float = 90.0

    def __post_init__(self) -> None:
        _check_common(self.lon, self.lat, self.depth_km, self.magnitude)

    @property
    def mechanism(self) -> str:
        """Style of faulting code, see :func:`mechanism_from_rake`."""
        return mechanism_from_rake(self.rake)


@dataclass(frozen=True, slots=True)
class FiniteRupture:
    """A rectangular planar rupture located by its hypocentre.

    Parameters
    ----------
    lon, lat, depth_km, magnitude :
        Hypocentre (WGS84 degrees, km) and moment magnitude.
    strike, dip, rake : float
        Degrees (Aki & Richards).
    length_km, width_km : float
        Along-strike length and down-dip width of the plane, km.
    hypo_along_strike, hypo_down_dip : float
        Position of the hypocentre on the plane as fractions (0–1) of length from the start of
        the strike direction and of width from the top edge.
    """

    lon: float
    lat: float
    depth_km: float
    magnitude: float
    strike: float
    dip: float
    rake: float
    length_km: float
    width_km: float
    hypo_along_strike: float = 0.5
    hypo_down_dip: float = 0.5

    def __post_init__(self) -> None:
        _check_common(self.lon, self.lat, self.depth_km, self.magnitude)
        if not 0.0 < self.dip <= 90.0:
            raise HazardInputError(f"dip {self.dip}° must lie in (0, 90]")
        if not (self.length_km > 0.0 and self.width_km > 0.0):
            raise HazardInputError("rupture length and width must be positive km")
        for frac in (self.hypo_along_strike, self.hypo_down_dip):
            if not 0.0 <= frac <= 1.0:
                raise HazardInputError(f"hypocentre position fraction {frac} must lie in [0, 1]")
        if self.ztor_km < -1e-9:
            raise HazardInputError(
                f"rupture top at {self.ztor_km:.2f} km is above ground: deepen the hypocentre, "
                "raise hypo_down_dip or shorten the width"
            )

    @property
    def ztor_km(self) -> float:
        """Depth to the top of the rupture, km."""
        sin_dip = math.sin(math.radians(self.dip))
        return self.depth_km - self.hypo_down_dip * self.width_km * sin_dip

    @property
    def zbot_km(self) -> float:
        """Depth to the bottom of the rupture, km."""
        return self.ztor_km + self.width_km * math.sin(math.radians(self.dip))

    @property
    def mechanism(self) -> str:
        """Style of faulting code, see :func:`mechanism_from_rake`."""
        return mechanism_from_rake(self.rake)

    @classmethod
    def from_magnitude(
        cls,
        source: PointSource,
        *,
        strike: float,
        dip: float,
        seismogenic_bottom_km: float = SEISMOGENIC_BOTTOM_KM,
    ) -> FiniteRupture:
        """Size a rupture around a point source with Wells & Coppersmith (1994).

        Area and width come from Table 2A for the source's mechanism (all-slip-type
        regressions when unspecified). The width is capped so the plane fits between the
        surface and ``seismogenic_bottom_km``; the length is then area / width so the area is
        kept. The hypocentre is placed mid-length and as close to mid-width as the layer allows.

        Raises
        ------
        HazardInputError
            If the hypocentre lies below the seismogenic layer or dip is invalid.
        """
        if source.depth_km > seismogenic_bottom_km:
            raise HazardInputError(
                f"hypocentre depth {source.depth_km} km is below the seismogenic bottom "
                f"{seismogenic_bottom_km} km: raise seismogenic_bottom_km"
            )
        area, width = wells_coppersmith_1994(source.magnitude, source.mechanism)
        sin_dip = math.sin(math.radians(dip))
        width = min(width, seismogenic_bottom_km / sin_dip)
        length = area / width
        down = _hypo_fraction(source.depth_km, width * sin_dip, seismogenic_bottom_km)
        return cls(
            source.lon,
            source.lat,
            source.depth_km,
            source.magnitude,
            strike,
            dip,
            0.0 if source.rake is None else source.rake,
            length,
            width,
            0.5,
            down,
        )


def _hypo_fraction(depth_km: float, vertical_extent_km: float, bottom_km: float) -> float:
    """Down-dip fraction closest to 0.5 keeping the plane between 0 and ``bottom_km``."""
    if vertical_extent_km <= 0.0:
        return 0.5
    lowest = max(0.0, 1.0 - (bottom_km - depth_km) / vertical_extent_km)
    highest = min(1.0, depth_km / vertical_extent_km)
    return min(max(0.5, lowest), highest)


def wells_coppersmith_1994(magnitude: float, mechanism: str = "U") -> tuple[float, float]:
    """Median rupture area (km²) and down-dip width (km) from Wells & Coppersmith (1994).

    Parameters
    ----------
    magnitude : float
        Moment magnitude; must lie in 4.8–7.9 (range of the Table 2A regressions).
    mechanism : {"SS", "R", "N", "U"}
        Style of faulting; ``"U"`` uses the all-slip-type regression.

    Raises
    ------
    HazardInputError
        If the magnitude lies outside the range of the regressions.
    """
    low, high = WC94_MAGNITUDE_RANGE
    if not low <= magnitude <= high:
        raise HazardInputError(
            f"Wells & Coppersmith (1994) scaling covers M {low}–{high}; got M {magnitude}: "
            "give length_km and width_km explicitly"
        )
    key = "ALL" if mechanism == "U" else mechanism
    a_area, b_area = WC94_AREA[key]
    a_width, b_width = WC94_WIDTH[key]
    return 10.0 ** (a_area + b_area * magnitude), 10.0 ** (a_width + b_width * magnitude)
