"""manage.py nltha_towns [--towns SLUG ...] [--nltha-realisations N] [--write PATH].

One suite event per town (``near-large`` by default) analysed by OpenSees time histories of every
building (``scenarios.suite.nltha_scenario``), summarised from the run's stored arrays:
buildings analysed or failed (reasons counted), OpenSees analyses per second, peak drift, damage
states of the time-history realisations, GB/T 38591 stars. docs/structures/ten-towns-nltha.md.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scenarios import suite
from scenarios.models import ScenarioRun
from scenarios.pipeline import run_directory
from structures.engine.hazard.selection import SCALE_LIMITS
from twin.management.generated_tables import replace_between_markers
from twin.models import Building, Town

START, END = "<!-- nltha-towns-table:start -->", "<!-- nltha-towns-table:end -->"
DAMAGE_STATES = ("none", "slight", "moderate", "extensive", "complete", "collapse")
COLLAPSE = 5
STARS = (3, 2, 1, 0)
# GB/T 38591's three indicators; casualties take the lower of the injury and death stars.
SUB_GRADES = ("repair cost", "repair time", "casualties")


@dataclass(frozen=True, slots=True)
class TownNltha:
    """One town's NLTHA run as counted from its stored arrays.

    Drift is the largest storey peak drift ratio (-) of each analysed building under each of its
    time-history motions; damage states count those (building, motion) pairs.
    """

    town: str
    run_id: int
    buildings: int  # rows of the town
    analysed: int
    failed: int
    reasons: dict[str, int]
    realisations: int  # time histories per building
    analyses_opensees: int
    analyses_batch: int
    analysis_s: float
    run_s: float
    drift_median: float
    drift_p90: float
    scaled_at_min: int  # analysed motions whose scale factor hit SCALE_LIMITS[0] (overshoot)
    scaled_at_max: int  # ... hit SCALE_LIMITS[1] (undershoot)
    damage_states: tuple[int, ...]  # pairs in DAMAGE_STATES order
    collapsed_buildings: int
    stars: dict[int, int]
    sub_grades: dict[str, dict[int, int]]

    @property
    def analyses_per_s(self) -> float:
        """OpenSees analyses completed per second of the fan-out's wall time."""
        return self.analyses_opensees / self.analysis_s if self.analysis_s > 0 else float("nan")


class Command(BaseCommand):
    help = "Run one suite event per town with OpenSees time histories; print or write the table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--towns", nargs="+", metavar="SLUG", help="default: every town")
        parser.add_argument("--event", default="near-large", choices=[e.key for e in suite.EVENTS])
        parser.add_argument("--realisations", type=int, default=10, help="hazard realisations")
        parser.add_argument(
            "--nltha-realisations",
            type=int,
            default=1,
            help="time histories per building (the first N hazard realisations)",
        )
        parser.add_argument("--size-factor", type=float, help="(re)build the demo towns first")
        parser.add_argument("--external-data", help="passed to build_demo_towns")
        parser.add_argument("--write", metavar="PATH", help="replace the table in this file")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["nltha_realisations"] < 1 or o["realisations"] < 1:
            raise CommandError("--realisations and --nltha-realisations must be at least 1")
        if o["size_factor"] is not None:
            extra = {"external_data": o["external_data"]} if o["external_data"] else {}
            only = {"only": o["towns"]} if o["towns"] else {}
            call_command("build_demo_towns", size_factor=o["size_factor"], **only, **extra)
        towns = Town.objects.order_by("slug")
        if o["towns"]:
            missing = sorted(set(o["towns"]) - set(towns.values_list("slug", flat=True)))
            if missing:
                raise CommandError(f"no towns {missing}: run build_demo_towns first")
            towns = towns.filter(slug__in=o["towns"])
        if not towns:
            raise CommandError("no towns to analyse: run build_demo_towns first")
        load_before, started = os.getloadavg(), time.perf_counter()
        rows = []
        for town in towns:
            t0 = time.perf_counter()
            try:
                scenario = suite.nltha_scenario(
                    town,
                    event_key=o["event"],
                    realisations=o["realisations"],
                    nltha_realisations=o["nltha_realisations"],
                )
            except ValueError as exc:  # e.g. a town without an origin
                raise CommandError(f"{town.slug}: {exc}") from exc
            run = suite.run_reusing(scenario)
            if run.status != ScenarioRun.Status.SUCCEEDED:
                raise CommandError(f"{town.slug}: run {run.pk} {run.status}: {run.error}")
            rows.append(town_summary(run))
            self.stdout.write(
                f"{town.slug}: run {run.pk} in {time.perf_counter() - t0:.1f} s "
                f"({rows[-1].analysed}/{rows[-1].buildings} buildings analysed)"
            )
        note = _note(o, rows, time.perf_counter() - started, load_before, os.getloadavg())
        text = render_tables(rows) + note
        if o["write"]:
            replace_between_markers(Path(o["write"]), START, END, text)
            self.stdout.write(f"wrote {o['write']}")
        else:
            self.stdout.write(text)


def town_summary(run: ScenarioRun) -> TownNltha:
    """Count a succeeded NLTHA run's stored arrays (``buildings``, ``nltha``, ``ratings``).

    Raises
    ------
    LookupError
        The run is not a succeeded NLTHA run or its folder lacks the NLTHA files.
    """
    folder = run_directory(run)
    if run.status != ScenarioRun.Status.SUCCEEDED or not (folder / "nltha.npz").is_file():
        raise LookupError(f"run {run.pk} is not a finished NLTHA run ({run.status})")
    buildings, nltha, ratings = (_arrays(folder, k) for k in ("buildings", "nltha", "ratings"))
    stats = json.loads((folder / "nltha-stats.json").read_text())
    failures = json.loads((folder / "nltha-failures.json").read_text())
    skipped = json.loads((folder / "buildings-skipped.json").read_text())
    n = int(stats["realisations"])
    ok = nltha["analysed"]
    drift = np.nanmax(nltha["peak_drift_ratio"][ok, :n], axis=2)  # (analysed, n)
    states = buildings["damage_state"][ok, :n]
    factor = nltha["scale_factor"][ok, :n]
    casualties = np.minimum(ratings["injury_rate"], ratings["death_rate"])
    grades = (ratings["repair_cost_ratio"], ratings["repair_time_d"], casualties)
    reasons = Counter(failure_kind(r) for r in failures.values())
    reasons.update(f"no model input: {failure_kind(r)}" for r in skipped.values())
    return TownNltha(
        town=run.scenario.town.slug,
        run_id=run.pk,
        buildings=Building.objects.filter(town=run.scenario.town).count(),
        analysed=int(ok.sum()),
        failed=len(failures) + len(skipped),
        reasons=dict(reasons.most_common()),
        realisations=n,
        analyses_opensees=int(stats["analyses_opensees"]),
        analyses_batch=int(stats["analyses_batch"]),
        analysis_s=float(stats["seconds"]),
        run_s=float(sum(float(v) for k, v in run.timings.items() if not k.startswith("_"))),
        drift_median=float(np.median(drift)) if drift.size else float("nan"),
        drift_p90=float(np.percentile(drift, 90)) if drift.size else float("nan"),
        scaled_at_min=int(np.isclose(factor, SCALE_LIMITS[0]).sum()),
        scaled_at_max=int(np.isclose(factor, SCALE_LIMITS[1]).sum()),
        damage_states=tuple(int((states == d).sum()) for d in range(len(DAMAGE_STATES))),
        collapsed_buildings=int((states == COLLAPSE).any(axis=1).sum()),
        stars=_counts(ratings["stars"]),
        sub_grades={name: _counts(g) for name, g in zip(SUB_GRADES, grades, strict=True)},
    )


def failure_kind(reason: str) -> str:
    """A failure reason without what names one building or motion (so reasons can be counted)."""
    kind = re.sub(r"^motion \d+ \([^)]*\): ", "time history: ", reason)
    kind = re.sub(r"building '[^']*': ", "", kind)
    kind = re.sub(r" \(last converged time [^)]*\)", "", kind)
    kind = re.sub(r"\[[^\]]*\]", "[...]", kind)
    return kind[:120]


def render_tables(rows: list[TownNltha]) -> str:
    """Markdown: analyses and failures; drift and damage states; star ratings."""
    lines = [
        "| town | buildings | analysed | failed | failure reasons | time histories / building "
        "| OpenSees analyses | fan-out wall time (s) | analyses/s | whole run (s) |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        reasons = "; ".join(f"{k} ({v})" for k, v in r.reasons.items()) or "–"
        batch = f" + {r.analyses_batch} batch" if r.analyses_batch else ""
        lines.append(
            f"| {r.town} | {r.buildings} | {r.analysed} | {r.failed} | {reasons} | "
            f"{r.realisations} | {r.analyses_opensees}{batch} | {r.analysis_s:.0f} | "
            f"{r.analyses_per_s:.1f} | {r.run_s:.0f} |"
        )
    lines += [
        "",
        "| town | median peak drift (%) | p90 peak drift (%) | "
        f"scaled at {SCALE_LIMITS[0]:g} / {SCALE_LIMITS[1]:g} | "
        + " | ".join(DAMAGE_STATES)
        + " | collapsed buildings |",
        "|---|---:|---:|---:|" + "---:|" * len(DAMAGE_STATES) + "---:|",
    ]
    for r in rows:
        states = " | ".join(str(c) for c in r.damage_states)
        lines.append(
            f"| {r.town} | {100 * r.drift_median:.3f} | {100 * r.drift_p90:.3f} | "
            f"{r.scaled_at_min} / {r.scaled_at_max} | {states} | "
            f"{r.collapsed_buildings} |"
        )
    stars = " | ".join(f"{s}★" if s else "0★" for s in STARS)
    lines += [
        "",
        f"| town | overall {stars} | "
        + " | ".join(f"{g} 3/2/1/0★" for g in SUB_GRADES)
        + " | share ≥ 2★ |",
        "|---|" + "---:|" * len(STARS) + "---:|" * len(SUB_GRADES) + "---:|",
    ]
    for r in rows:
        overall = " | ".join(str(r.stars[s]) for s in STARS)
        subs = " | ".join("/".join(str(r.sub_grades[g][s]) for s in STARS) for g in SUB_GRADES)
        rated = sum(r.stars.values())
        share = (r.stars[3] + r.stars[2]) / rated if rated else float("nan")
        lines.append(f"| {r.town} | {overall} | {subs} | {share:.0%} |")
    return "\n".join(lines) + "\n"


def _arrays(folder: Path, name: str) -> dict[str, Any]:
    with np.load(folder / f"{name}.npz", allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def _counts(stars: Any) -> dict[int, int]:
    return {s: int((np.asarray(stars) == s).sum()) for s in STARS}


def _note(
    o: dict[str, Any],
    rows: list[TownNltha],
    seconds: float,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> str:
    size = o["size_factor"] if o["size_factor"] is not None else "as built"
    analyses = sum(r.analyses_opensees for r in rows)
    fan_out = sum(r.analysis_s for r in rows)
    return (
        f"\n_Suite `{suite.SUITE_ID}` event `{o['event']}`, {o['realisations']} hazard "
        f"realisations, {o['nltha_realisations']} time history per building, size factor {size}; "
        f"{sum(r.buildings for r in rows)} buildings, {analyses} OpenSees analyses in "
        f"{fan_out:.0f} s of fan-out ({analyses / fan_out if fan_out else float('nan'):.1f}/s), "
        f"{sum(r.run_s for r in rows):.0f} s of run steps; this command {seconds:.0f} s "
        "(finished runs of the same inputs are reused); "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
        f"{load_before[0]:.2f} before and {load_after[0]:.2f} after._\n"
    )
