"""The reference scenario suite: the same three earthquakes placed around every town, run, ranked.

Each town sits in a regional fault setting (``FAULT_SETTINGS``: mechanism of the controlling
fault and the largest magnitude the region has produced or is zoned for). The suite places
three events relative to the town's origin on that mechanism (``EVENTS``):

- ``near-large``: the regional maximum magnitude, epicentre 10 km from the origin across the
  fault strike, 12 km deep (a near-field event under the town);
- ``moderate-near``: Mw 6.0, 5 km from the origin along strike, 10 km deep (frequent, close);
- ``distant-large``: Mw 7.5, 80 km from the origin across strike, 15 km deep (a large event
  felt from afar: long distances, where soft sites and long structures matter).

All use ``SUITE_GMPE`` with a finite rupture sized from the magnitude.

Towns are ranked by the equal-weight mean of their three totals (scenarios.engine.comparison).
A suite scenario carries ``options = {"suite": SUITE_ID, "event": key}``; what-if variants
also carry ``retrofit`` and are left out of rankings. See docs/scores.md.

``nltha_scenario`` is one suite event analysed by OpenSees time histories (``analysis = "nltha"``,
option ``nltha_realisations``); it is left out of rankings too (docs/structures/ten-towns-nltha.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.gis.geos import Point

from scenarios import services
from scenarios.engine.comparison import RankEntry, rank_towns
from scenarios.engine.indicator_tree import load_tree
from scenarios.engine.scoring import Scorecard, scorecard_from_dict
from scenarios.models import Scenario, ScenarioRun
from scenarios.pipeline import run_directory
from twin.models import Town

SUITE_ID = "reference-v1"
# One GMPE for every town: Zhao et al. (2006) has site-class terms down to soft soil; BSSA14
# refuses the Vs30 130 m/s of class IV sites (Kotka, Nangang, Yibin).
SUITE_GMPE = "ZHAO2006"
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class FaultSetting:
    """Controlling fault of a town's region: mechanism (degrees) and largest magnitude (Mw)."""

    fault: str
    strike_deg: float
    dip_deg: float
    rake_deg: float
    max_magnitude: float


@dataclass(frozen=True, slots=True)
class SuiteEvent:
    """An event of the suite relative to the town origin; ``magnitude`` None = regional max."""

    key: str
    label: str
    magnitude: float | None
    distance_km: float
    across_strike: bool
    depth_km: float


# Mechanisms from the regional earthquakes named (USGS / CEA focal mechanisms, rounded).
FAULT_SETTINGS: dict[str, FaultSetting] = {
    "yingxiu-hillside": FaultSetting(
        "Longmenshan, Yingxiu-Beichuan (2008 Mw 7.9)", 229, 33, 141, 7.9
    ),
    "yaan-new-district": FaultSetting("Longmenshan south (2013 Lushan Mw 6.6)", 212, 42, 95, 7.0),
    "lijiang-old-town": FaultSetting("Lijiang-Xiaojinhe (1996 Lijiang Ms 7.0)", 10, 60, -70, 7.0),
    "longyao-county-seat": FaultSetting("Xingtai rift (1966 Xingtai Ms 7.2)", 30, 80, 180, 7.2),
    "tangshan-lunan": FaultSetting("Tangshan fault (1976 Tangshan Mw 7.6)", 40, 80, 180, 7.6),
    "tianjin-nangang-chempark": FaultSetting("Cangdong fault, Bohai Bay", 25, 70, 180, 7.0),
    "xiongan-rongdong": FaultSetting("Niuxi / Xushui faults, Jizhong depression", 45, 60, -90, 6.5),
    "kotka-harbour": FaultSetting("Zhangjiakou-Bohai belt (1969 Bohai Ms 7.4)", 300, 80, 0, 7.4),
    "bubenec-villas": FaultSetting("Muping-Jimo fault, Jiaodong", 40, 75, 180, 6.5),
    "yibin-riverside": FaultSetting(
        "Changning anticline (2019 Changning Ms 6.0)", 315, 45, 90, 6.5
    ),
}
#: Any other town: a vertical strike-slip fault running north-south.
DEFAULT_SETTING = FaultSetting("generic vertical strike-slip", 0, 90, 0, 7.0)

EVENTS: tuple[SuiteEvent, ...] = (
    SuiteEvent("near-large", "near-field regional maximum", None, 10.0, True, 12.0),
    SuiteEvent("moderate-near", "moderate Mw 6.0 nearby", 6.0, 5.0, False, 10.0),
    SuiteEvent("distant-large", "distant Mw 7.5 at 80 km", 7.5, 80.0, True, 15.0),
)


def suite_scenarios(town: Town, *, realisations: int = 10, seed: int = 2024) -> list[Scenario]:
    """The suite's scenarios of ``town`` (created once, reused by name)."""
    return [
        _event_scenario(town, k, event, realisations=realisations, seed=seed)
        for k, event in enumerate(EVENTS)
    ]


def nltha_scenario(
    town: Town,
    *,
    event_key: str = "near-large",
    realisations: int = 10,
    nltha_realisations: int = 1,
    seed: int = 2024,
) -> Scenario:
    """The suite event ``event_key`` of ``town`` analysed by time histories (created once).

    The first ``nltha_realisations`` of the ``realisations`` hazard realisations get an OpenSees
    time history per building (scenarios/steps/nltha.py); the others keep the fragility result.
    """
    keys = [e.key for e in EVENTS]
    if event_key not in keys:
        raise ValueError(f"unknown suite event {event_key!r}; known: {keys}")
    if nltha_realisations < 1:
        raise ValueError(f"nltha_realisations must be at least 1, got {nltha_realisations}")
    k = keys.index(event_key)
    return _event_scenario(
        town,
        k,
        EVENTS[k],
        realisations=realisations,
        seed=seed,
        nltha_realisations=nltha_realisations,
    )


def _event_scenario(
    town: Town,
    k: int,
    event: SuiteEvent,
    *,
    realisations: int,
    seed: int,
    nltha_realisations: int | None = None,
) -> Scenario:
    """Scenario of ``event`` (the suite's ``k``-th) placed at ``town``; NLTHA when asked."""
    if town.origin is None:
        raise ValueError(f"town {town.slug} has no origin; rebuild it with build_demo_towns")
    setting = FAULT_SETTINGS.get(town.slug, DEFAULT_SETTING)
    bearing = setting.strike_deg + (90.0 if event.across_strike else 0.0)
    lon, lat = _offset(town.origin.x, town.origin.y, bearing, event.distance_km)
    magnitude = event.magnitude or setting.max_magnitude
    options: dict[str, object] = {"suite": SUITE_ID, "event": event.key}
    name = f"{SUITE_ID} {event.key}: Mw {magnitude:g} ({setting.fault}), n={realisations}"
    if nltha_realisations is not None:
        options["nltha_realisations"] = nltha_realisations
        name += f", NLTHA x{nltha_realisations}"
    values = {
        "epicentre": Point(lon, lat, srid=4326),
        "magnitude": float(magnitude),
        "depth_km": event.depth_km,
        "strike_deg": float(setting.strike_deg),
        "dip_deg": float(setting.dip_deg),
        "rake_deg": float(setting.rake_deg),
        "gmpe": SUITE_GMPE,
        "analysis": "fragility" if nltha_realisations is None else "nltha",
        "realisations": realisations,
        "seed": seed + k,
        "options": options,
    }
    scenario, _ = Scenario.objects.update_or_create(town=town, name=name, defaults=values)
    # Reloaded so the input digest sees the stored values (229 and 229.0 hash apart).
    return Scenario.objects.select_related("town").get(pk=scenario.pk)


def run_reusing(scenario: Scenario) -> ScenarioRun:
    """A succeeded run of ``scenario``'s current inputs, executed here if there is none."""
    digest = services.scenario_digest(scenario)
    run = scenario.runs.filter(status="succeeded", input_digest=digest).first()
    if run is None:
        run = services.run_execute(run_id=services.run_start(scenario=scenario, enqueue=False).pk)
    return run


def suite_run(town: Town, *, realisations: int = 10) -> list[ScenarioRun]:
    """Run (or reuse) the suite on one town; runs in ``EVENTS`` order."""
    return [run_reusing(s) for s in suite_scenarios(town, realisations=realisations)]


def scorecard(run: ScenarioRun) -> Scorecard:
    """The run's scorecard as the engine's dataclasses (from ``scorecard.json``)."""
    path = run_directory(run) / "scorecard.json"
    if run.status != ScenarioRun.Status.SUCCEEDED or not path.exists():
        raise LookupError(f"run {run.pk} has no scorecard ({run.status})")
    return scorecard_from_dict(json.loads(path.read_text()))


def latest_suite_runs(towns: Iterable[Town]) -> dict[str, list[ScenarioRun]]:
    """Per town, the newest succeeded run of each suite event (towns missing one are left out).

    Only fragility runs count: an NLTHA run of a suite event is not part of the ranking.
    """
    found: dict[str, list[ScenarioRun]] = {}
    for town in towns:
        runs = ScenarioRun.objects.filter(
            scenario__town=town,
            scenario__analysis="fragility",
            status=ScenarioRun.Status.SUCCEEDED,
        ).select_related("scenario")
        by_event: dict[str, ScenarioRun] = {}
        for run in runs.order_by("-finished_at", "-pk"):
            opts = run.scenario.options or {}
            if opts.get("suite") == SUITE_ID and "retrofit" not in opts:
                by_event.setdefault(opts.get("event", ""), run)
        if all(e.key in by_event for e in EVENTS):
            found[town.slug] = [by_event[e.key] for e in EVENTS]
    return found


def suite_ranking(runs: dict[str, list[ScenarioRun]]) -> tuple[RankEntry, ...]:
    """Rank towns by their suite runs (deterministic: ties broken by slug)."""
    cards = {slug: [scorecard(r) for r in town_runs] for slug, town_runs in runs.items()}
    return rank_towns(load_tree(), cards)


def _offset(lon: float, lat: float, bearing_deg: float, distance_km: float) -> tuple[float, float]:
    """The point ``distance_km`` from (lon, lat) along a great circle at ``bearing_deg``."""
    d, b = distance_km / EARTH_RADIUS_KM, math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(l2), math.degrees(p2)
