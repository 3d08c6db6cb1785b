"""manage.py score_towns [--size-factor F] [--realisations N] [--write docs/scores.md]."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scenarios import suite
from scenarios.models import ScenarioRun
from twin.management.generated_tables import replace_between_markers
from twin.models import Town

OBJECTS = ("people", "buildings", "lifelines", "emergency")
START, END = "<!-- scores-table:start -->", "<!-- scores-table:end -->"


class Command(BaseCommand):
    help = "Run the reference scenario suite on the towns, rank them, print or write the table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--towns", nargs="+", metavar="SLUG", help="default: every town")
        parser.add_argument("--size-factor", type=float, help="(re)build the demo towns first")
        parser.add_argument("--external-data", help="passed to build_demo_towns")
        parser.add_argument("--realisations", type=int, default=10)
        parser.add_argument("--write", metavar="PATH", help="replace the table in this file")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["size_factor"] is not None:
            extra = {"external_data": o["external_data"]} if o["external_data"] else {}
            call_command("build_demo_towns", size_factor=o["size_factor"], **extra)
        towns = Town.objects.order_by("slug")
        if o["towns"]:
            towns = towns.filter(slug__in=o["towns"])
        if not towns:
            raise CommandError("no towns to score: run build_demo_towns first")
        started, runs = time.perf_counter(), {}
        for town in towns:
            t0 = time.perf_counter()
            runs[town.slug] = suite.suite_run(town, realisations=o["realisations"])
            failed = [r for r in runs[town.slug] if r.status != ScenarioRun.Status.SUCCEEDED]
            if failed:
                raise CommandError(f"{town.slug}: run {failed[0].pk} failed: {failed[0].error}")
            self.stdout.write(f"{town.slug}: suite done in {time.perf_counter() - t0:.1f} s")
        seconds = time.perf_counter() - started
        table = render_table(runs, suite.suite_ranking(runs))
        note = (
            f"\n_Suite `{suite.SUITE_ID}`, {o['realisations']} realisations per scenario, "
            f"size factor {o['size_factor'] if o['size_factor'] is not None else 'as built'}; "
            f"{sum(len(r) for r in runs.values())} runs in {seconds:.0f} s "
            "(finished runs of the same inputs are reused)._\n"
        )
        if o["write"]:
            replace_between_markers(Path(o["write"]), START, END, table + note)
            self.stdout.write(f"wrote {o['write']}")
        else:
            self.stdout.write(table + note)


def render_table(runs: dict[str, list[ScenarioRun]], ranking: tuple[Any, ...]) -> str:
    """Markdown: the ranking, then each town's scenarios with total, grade and object scores."""
    lines = [
        "| rank | town | suite score | grade |",
        "|---:|---|---:|---|",
        *(f"| {e.rank} | {e.town} | {e.score:.1f} | {e.grade} |" for e in ranking),
        "",
        "| town | scenario | total | grade | " + " | ".join(OBJECTS) + " |",
        "|---|---|---:|---|" + "---:|" * len(OBJECTS),
    ]
    for entry in ranking:
        for run in runs[entry.town]:
            card = suite.scorecard(run)
            objects = " | ".join(f"{card.node(k).score:.1f} {card.node(k).grade}" for k in OBJECTS)
            event = (run.scenario.options or {}).get("event", "")
            lines.append(
                f"| {entry.town} | {event} (Mw {run.scenario.magnitude:g}) | "
                f"{card.total:.1f} | {card.grade} | {objects} |"
            )
    return "\n".join(lines) + "\n"
