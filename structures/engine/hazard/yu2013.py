"""Yu, Li & Xiao (2013) elliptical attenuation relations behind GB 18306-2015 (China).

Along the long (a) and short (b) axes of the isoseismal ellipse centred on the epicentre:

    ln Y = A + B·Ms + C·ln(R + D·exp(E·Ms)),

R = epicentral distance along that axis (km), Y = PGA (cm/s²) or PGV (cm/s); separate
coefficients for Ms ≤ 6.5 and Ms > 6.5. A site at (u along strike, v across strike) gets the Y
whose ellipse passes through it: (u / R_a(Y))² + (v / R_b(Y))² = 1, solved for ln Y by
bisection (the left side grows with Y). The long axis follows the rupture strike.

References
----------
Yu Y., Li S. & Xiao L. (2013). Development of ground motion attenuation relations for the new
seismic hazard map of China. Technology for Earthquake Disaster Prevention 8(1), 24–33 (in
Chinese). Coefficients in natural-log form as transcribed in OpenQuake hazardlib
(``yu_2013.py``); see docs/hazard/gmpe.md for the regions and what is (not) verified.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from pathlib import Path
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from structures.engine.hazard.errors import HazardInputError
from structures.engine.hazard.gmpe_base import (
    G_M_S2,
    GmpeContext,
    GroundMotion,
    GroundMotionModel,
    full,
)

COEFFICIENT_FILE = Path(__file__).with_name("data") / "yu2013_coefficients.csv"
REGIONS = ("eastern", "active", "tibet", "stable")
#: Magnitude at which the coefficient set switches (Ms).
MS_HINGE = 6.5
#: Bisection iterations: the ln Y bracket (< 40) shrinks below 1e-10.
BISECTION_STEPS = 60
#: Far-distance (km) fixing the lower end of the ln Y bracket.
FAR_KM = 5000.0
#: Default share of the total variance assigned to the between-event term (assumption, the
#: paper gives the total sigma only; BSSA14 at M ≥ 5.5 has tau²/sigma² ≈ 0.33 for PGA).
BETWEEN_EVENT_VARIANCE_FRACTION = 0.33
CM_S2_PER_G = 100.0 * G_M_S2


@cache
def load_coefficients() -> dict[tuple[str, str], dict[str, float]]:
    """Read the table: keys ``(region, imt)``."""
    lines = [ln for ln in COEFFICIENT_FILE.read_text().splitlines() if not ln.startswith("#")]
    out: dict[tuple[str, str], dict[str, float]] = {}
    for row in csv.DictReader(lines):
        key = (row.pop("region"), row.pop("imt"))
        out[key] = {k: float(v) for k, v in row.items()}
    return out


def axis_coefficients(c: dict[str, float], ms: float, axis: str) -> tuple[float, ...]:
    """(A, B, C, D, E) for the long (``"a"``) or short (``"b"``) axis at magnitude ``ms``."""
    prefix = {("a", False): "", ("a", True): "u", ("b", False): "m", ("b", True): "i"}
    p = prefix[(axis, ms > MS_HINGE)]
    names = ("a", "b", "c", "d", "e")
    return tuple(c[p + n] if p else c[n] for n in names)


def ln_y_on_axis(
    coef: tuple[float, ...], ms: float, r_km: NDArray[np.float64]
) -> NDArray[np.float64]:
    """ln Y at distance ``r_km`` along one axis."""
    a, b, c, d, e = coef
    return a + b * ms + c * np.log(r_km + d * math.exp(e * ms))


def axis_distance(
    coef: tuple[float, ...], ms: float, ln_y: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Inverse of :func:`ln_y_on_axis`: the axis distance (km) where ln Y is reached."""
    a, b, c, d, e = coef
    return np.exp((ln_y - a - b * ms) / c) - d * math.exp(e * ms)


def solve_ellipse(
    coef_a: tuple[float, ...],
    coef_b: tuple[float, ...],
    ms: float,
    u: NDArray[np.float64],
    v: NDArray[np.float64],
) -> NDArray[np.float64]:
    """ln Y of the ellipse through each site (u along, v across the long axis, km)."""
    zero = np.zeros(1)
    top = float(min(ln_y_on_axis(coef_a, ms, zero)[0], ln_y_on_axis(coef_b, ms, zero)[0]))
    lo = np.full(u.shape, float(ln_y_on_axis(coef_b, ms, np.array([FAR_KM]))[0]))
    hi = np.full(u.shape, top)
    for _ in range(BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        ra = np.maximum(axis_distance(coef_a, ms, mid), 1e-12)
        rb = np.maximum(axis_distance(coef_b, ms, mid), 1e-12)
        outside = (u / ra) ** 2 + (v / rb) ** 2 > 1.0
        hi = np.where(outside, mid, hi)
        lo = np.where(outside, lo, mid)
    return 0.5 * (lo + hi)


class YuEtAl2013(GroundMotionModel):
    """Yu et al. (2013) PGA/PGV ellipse model for one of the four regional coefficient sets.

    Parameters
    ----------
    region : {"eastern", "active", "tibet", "stable"}
        Coefficient set (see docs/hazard/gmpe.md for how they map onto GB 18306 zones).
    between_event_variance_fraction : float
        Share of the total variance given to tau (assumption; the paper gives sigma only).
    """

    name: ClassVar[str] = "Yu2013"
    reference: ClassVar[str] = "Yu, Li & Xiao (2013), Technol. Earthq. Disaster Prev. 8(1)"
    required_site_params: ClassVar[frozenset[str]] = frozenset()
    required_rupture_params: ClassVar[frozenset[str]] = frozenset({"magnitude", "strike"})
    required_distances: ClassVar[frozenset[str]] = frozenset({"repi"})
    supported_imts: ClassVar[frozenset[str]] = frozenset({"PGA", "PGV"})
    magnitude_range: ClassVar[tuple[float, float]] = (5.0, 8.5)
    distance_range_km: ClassVar[tuple[float, float]] = (0.0, 300.0)

    def __init__(
        self,
        region: str = "eastern",
        *,
        between_event_variance_fraction: float = BETWEEN_EVENT_VARIANCE_FRACTION,
    ) -> None:
        if region not in REGIONS:
            raise HazardInputError(f"Yu2013 region {region!r} unknown; use one of {REGIONS}")
        if not 0.0 <= between_event_variance_fraction <= 1.0:
            raise HazardInputError("between_event_variance_fraction must lie in [0, 1]")
        self.region = region
        self.between_fraction = between_event_variance_fraction

    def _compute_row(self, ctx: GmpeContext, key: str | float) -> GroundMotion:
        c = load_coefficients()[(self.region, str(key))]
        ms = ctx.magnitude
        ln_y = solve_ellipse(
            axis_coefficients(c, ms, "a"),
            axis_coefficients(c, ms, "b"),
            ms,
            ctx.distances.along_km,
            ctx.distances.across_km,
        )
        if key == "PGA":
            ln_y = ln_y - math.log(CM_S2_PER_G)
        n, sigma = ln_y.shape[0], c["sigma"]
        tau = sigma * math.sqrt(self.between_fraction)
        phi = sigma * math.sqrt(1.0 - self.between_fraction)
        return GroundMotion(ln_y, full(n, sigma), full(n, tau), full(n, phi))
