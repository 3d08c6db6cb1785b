"""Hazard step: ground-motion fields at every building, network node, link midpoint and facility."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scenarios.models import Scenario
from scenarios.pipeline import RunContext, StepFailed
from structures import selectors as structure_selectors
from structures.engine.hazard.bssa14 import BooreEtAl2014
from structures.engine.hazard.distances import Sites
from structures.engine.hazard.errors import HazardInputError
from structures.engine.hazard.fields import simulate_fields
from structures.engine.hazard.gmpe_base import GroundMotionModel
from structures.engine.hazard.intensity import intensity_from_pga_pgv
from structures.engine.hazard.sources import FiniteRupture, PointSource
from structures.engine.hazard.yu2013 import YuEtAl2013
from structures.engine.hazard.zhao2006 import ZhaoEtAl2006Asc
from twin import selectors as twin_selectors

GMPES: dict[str, type[GroundMotionModel]] = {
    "BSSA14": BooreEtAl2014,
    "YU2013": YuEtAl2013,
    "ZHAO2006": ZhaoEtAl2006Asc,
}
# Hazus (FEMA 2003, eq. 4-9): PGV (in/s) = (386.4 / 2π) · SA(1.0 s) / 1.65, for GMPEs without PGV.
PGV_FROM_SA1_CM_S = 386.4 / (2 * np.pi) / 1.65 * 2.54
#: Site kinds of the hazard arrays, in the order of their columns (``<kind>_id``, ``<kind>_pga_g``...).
SITE_KINDS = ("building", "node", "link", "facility")


def rupture_of(scenario: Scenario) -> PointSource | FiniteRupture:
    """The scenario's source: a point, or a Wells & Coppersmith plane around it."""
    point = PointSource(
        lon=scenario.epicentre.x,
        lat=scenario.epicentre.y,
        depth_km=scenario.depth_km,
        magnitude=scenario.magnitude,
        rake=scenario.rake_deg,
        strike=scenario.strike_deg,
        dip=scenario.dip_deg,
    )
    if not scenario.finite_rupture:
        return point
    return FiniteRupture.from_magnitude(point, strike=scenario.strike_deg, dip=scenario.dip_deg)


def hazard_step(ctx: RunContext) -> dict[str, float]:
    """Simulate PGA, PGV and SA(0.3 s), SA(1.0 s) at every site of the town."""
    buildings = structure_selectors.town_buildings(ctx.town)
    if not buildings.ids:
        raise StepFailed(f"town '{ctx.town.slug}' has no building the analyses can use")
    nodes, links = twin_selectors.network_sites(ctx.town)
    facilities = twin_selectors.facility_sites(ctx.town)
    lon = np.concatenate(
        [buildings.coordinates()[0], nodes["lon"], links["lon"], facilities["lon"]]
    )
    lat = np.concatenate(
        [buildings.coordinates()[1], nodes["lat"], links["lat"], facilities["lat"]]
    )
    vs30 = _within_model_range(ctx, twin_selectors.vs30_at(ctx.town, lon, lat))
    ctx.progress(0.2, f"{lon.size} sites")
    pga, pgv, sa03, sa10 = _fields(ctx, Sites(lon, lat, vs30))
    ends = np.cumsum(
        [len(buildings.ids), nodes["id"].size, links["id"].size, facilities["id"].size]
    )
    split = {
        kind: slice(start, end)
        for kind, start, end in zip(SITE_KINDS, (0, *ends[:-1]), ends, strict=True)
    }
    arrays = {
        f"{kind}_{name}": values[:, part]
        for kind, part in split.items()
        for name, values in (("pga_g", pga), ("pgv_cm_s", pgv), ("sa03_g", sa03), ("sa10_g", sa10))
    }
    ctx.save_arrays(
        "hazard",
        building_id=np.asarray(buildings.ids),
        node_id=nodes["id"],
        link_id=links["id"],
        facility_id=facilities["id"],
        vs30_m_s=vs30,
        lon=lon,
        lat=lat,
        **arrays,
    )
    median_pga = np.median(pga[:, split["building"]], axis=0)
    intensity = intensity_from_pga_pgv(
        np.median(pga, axis=0) * 9.80665, np.median(pgv, axis=0) / 100.0
    )
    ctx.save_arrays("intensity", intensity=intensity)
    return {
        "hazard.median_pga_g_max": float(median_pga.max()),
        "hazard.median_pga_g_mean": float(median_pga.mean()),
        "hazard.intensity_max": float(intensity.max()),
    }


def _fields(ctx: RunContext, sites: Sites) -> tuple[NDArray[np.float64], ...]:
    scenario = ctx.scenario
    gmpe = GMPES[scenario.gmpe]()
    wanted = [i for i in ("PGA", "PGV", "SA(0.3)", "SA(1.0)") if _supports(gmpe, i)]
    try:
        fields = simulate_fields(
            gmpe,
            rupture_of(scenario),
            sites,
            wanted,
            scenario.realisations,
            ctx.seed_for("hazard"),
        )
    except HazardInputError as exc:
        raise StepFailed(f"ground motion: {exc}") from exc
    values = {str(imt): fields.realisations[:, :, k] for k, imt in enumerate(fields.imts)}
    names = list(values)
    pga = values[names[0]]
    sa03 = values.get(_name(names, "0.3"), pga * 2.5)  # Hazus short-period plateau ≈ 2.5 PGA
    sa10 = values.get(_name(names, "1.0"), values.get("PGV", pga) / PGV_FROM_SA1_CM_S)
    pgv = values.get("PGV", sa10 * PGV_FROM_SA1_CM_S)
    return pga, pgv, sa03, sa10


def _within_model_range(ctx: RunContext, vs30: NDArray[np.float64]) -> NDArray[np.float64]:
    """Clip Vs30 to the range the chosen model was fitted on (e.g. BSSA14: 150-1500 m/s).

    Soft class-IV sites (130 m/s) would otherwise stop a BSSA14 run; the clip is logged.
    """
    low, high = getattr(GMPES[ctx.scenario.gmpe], "vs30_range_m_s", (0.0, np.inf))
    clipped = np.clip(vs30, low, high)
    changed = int(np.count_nonzero(clipped != vs30))
    if changed:
        ctx.progress(0.1, f"Vs30 of {changed} sites clipped to {low:g}-{high:g} m/s for the model")
    return clipped


def _supports(gmpe: GroundMotionModel, imt: str) -> bool:
    return imt.split("(")[0] in gmpe.supported_imts


def _name(names: list[str], period: str) -> str:
    """The field named SA(``period``) s; IMT names print periods with ``:g`` (SA(1), not SA(1.0))."""
    return next((n for n in names if n.startswith("SA(") and float(n[3:-1]) == float(period)), "")
