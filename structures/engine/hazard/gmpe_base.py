"""The interface every ground-motion model (GMPE) implements, and shared helpers.

A model declares what it needs (site, rupture and distance parameters), which IMTs and ranges
it supports, and returns natural-log medians (PGA/SA in g, PGV in cm/s) with total (sigma),
between-event (tau) and within-event (phi) standard deviations in natural-log units.
Spectral periods between tabulated ones are interpolated linearly in ln(T) on ln(Y) and on the
standard deviations, the usual practice for NGA-West2 tables (e.g. Boore et al. 2014, p. 1063).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from structures.engine.hazard.distances import Distances, Rupture, Sites, compute_distances
from structures.engine.hazard.errors import HazardInputError
from structures.engine.hazard.imts import IMT
from structures.engine.hazard.sources import FiniteRupture

#: Relative tolerance for matching a requested period to a tabulated one.
PERIOD_MATCH_RTOL = 1e-6
#: Standard gravity, m/s² (used to convert cm/s² to g).
G_M_S2 = 9.80665


@dataclass(frozen=True, slots=True)
class GmpeContext:
    """Everything a GMPE may read about one rupture and n sites (units in field names)."""

    magnitude: float
    rake: float | None
    dip: float
    ztor_km: float
    hypo_depth_km: float
    width_km: float
    distances: Distances
    sites: Sites


@dataclass(frozen=True, slots=True)
class GroundMotion:
    """Median and standard deviations (natural log) for one IMT at n sites."""

    ln_median: NDArray[np.float64]
    sigma: NDArray[np.float64]
    tau: NDArray[np.float64]
    phi: NDArray[np.float64]


def build_context(rupture: Rupture, sites: Sites) -> GmpeContext:
    """Compute distances and collect the rupture parameters GMPEs read."""
    if isinstance(rupture, FiniteRupture):
        ztor, width, dip = rupture.ztor_km, rupture.width_km, rupture.dip
    else:
        ztor, width, dip = rupture.depth_km, 0.0, rupture.dip
    return GmpeContext(
        rupture.magnitude,
        rupture.rake,
        dip,
        ztor,
        rupture.depth_km,
        width,
        compute_distances(rupture, sites),
        sites,
    )


class GroundMotionModel(ABC):
    """Abstract ground-motion model (GMPE).

    Subclasses set the class attributes and implement :meth:`_compute_row`, which evaluates
    the model at one tabulated IMT key. :meth:`compute` checks ranges and interpolates.
    """

    name: ClassVar[str]
    reference: ClassVar[str]
    required_site_params: ClassVar[frozenset[str]]
    required_rupture_params: ClassVar[frozenset[str]]
    required_distances: ClassVar[frozenset[str]]
    supported_imts: ClassVar[frozenset[str]]
    magnitude_range: ClassVar[tuple[float, float]]
    distance_range_km: ClassVar[tuple[float, float]]
    period_range_s: ClassVar[tuple[float, float]] = (math.nan, math.nan)
    #: Tabulated SA periods (s), ascending.
    periods_s: ClassVar[tuple[float, ...]] = ()

    def compute(self, ctx: GmpeContext, imt: IMT) -> GroundMotion:
        """Median (ln) and sigmas for ``imt`` at every site of ``ctx``.

        Raises
        ------
        HazardInputError
            If the IMT, magnitude, distances or site parameters fall outside the model's range.
        """
        self.check(ctx, imt)
        if imt.name != "SA":
            return self._compute_row(ctx, imt.name)
        return self._interpolated(ctx, imt.period_s)

    def _interpolated(self, ctx: GmpeContext, period: float) -> GroundMotion:
        periods = np.asarray(self.periods_s)
        hit = np.flatnonzero(np.isclose(periods, period, rtol=PERIOD_MATCH_RTOL, atol=0.0))
        if hit.size:
            return self._compute_row(ctx, self.periods_s[int(hit[0])])
        upper = int(np.searchsorted(periods, period))
        t_lo, t_hi = self.periods_s[upper - 1], self.periods_s[upper]
        w = math.log(period / t_lo) / math.log(t_hi / t_lo)
        lo, hi = self._compute_row(ctx, t_lo), self._compute_row(ctx, t_hi)
        return GroundMotion(
            *(
                (1 - w) * a + w * b
                for a, b in zip(
                    (lo.ln_median, lo.sigma, lo.tau, lo.phi),
                    (hi.ln_median, hi.sigma, hi.tau, hi.phi),
                    strict=True,
                )
            )
        )

    def check(self, ctx: GmpeContext, imt: IMT) -> None:
        """Raise :class:`HazardInputError` naming the range a request falls outside."""
        if imt.name not in self.supported_imts:
            raise HazardInputError(
                f"{self.name} does not predict {imt}; it supports {sorted(self.supported_imts)}"
            )
        low, high = self.period_range_s
        if imt.name == "SA" and not low <= imt.period_s <= high:
            raise HazardInputError(
                f"{self.name} covers SA periods {low}–{high} s; {imt} is outside"
            )
        m_low, m_high = self.magnitude_range
        if not m_low <= ctx.magnitude <= m_high:
            raise HazardInputError(
                f"{self.name} covers magnitudes {m_low}–{m_high}; got {ctx.magnitude}"
            )
        d_low, d_high = self.distance_range_km
        for key in self.required_distances:
            dist = getattr(ctx.distances, key)
            if np.any(dist < d_low) or np.any(dist > d_high):
                raise HazardInputError(
                    f"{self.name} covers {key} {d_low}–{d_high} km; sites reach "
                    f"{float(np.max(dist)):.1f} km: drop far sites or choose another model"
                )
        self._check_sites(ctx)

    def _check_sites(self, ctx: GmpeContext) -> None:  # noqa: B027 - optional hook
        """Model-specific site checks (default: none)."""

    @abstractmethod
    def _compute_row(self, ctx: GmpeContext, key: str | float) -> GroundMotion:
        """Evaluate at a tabulated key: ``"PGA"``, ``"PGV"`` or a tabulated period (s)."""


def full(n: int, value: float) -> NDArray[np.float64]:
    """An (n,) float64 array filled with ``value``."""
    return np.full(n, float(value), dtype=np.float64)
