"""manage.py demo_scenario: run the reference scenario on a demonstration town, write its report."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scenarios import services
from scenarios.models import Scenario, ScenarioRun
from scenarios.pipeline import run_directory
from twin.models import Town

# The 2008 Wenchuan earthquake as a scenario for the hillside town at Yingxiu: Mw 7.9, a thrust
# with dextral slip on the Yingxiu-Beichuan fault (strike 229°, dip 33°, rake 141°), 14 km deep.
REFERENCE = {
    "name": "Reference: Mw 7.9 Yingxiu-Beichuan fault (Wenchuan 2008 analogue)",
    "epicentre": Point(103.364, 31.002, srid=4326),
    "magnitude": 7.9,
    "depth_km": 14.0,
    "strike_deg": 229.0,
    "dip_deg": 33.0,
    "rake_deg": 141.0,
    "gmpe": "BSSA14",
    "realisations": 20,
    "seed": 2008,
}
PREFERRED_TOWNS = ("yingxiu-hillside", "demo")


class Command(BaseCommand):
    help = "Run the reference scenario end to end (reuses a finished run of the same inputs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--town", help="town slug (default: yingxiu-hillside, else demo)")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = [options["town"]] if options["town"] else PREFERRED_TOWNS
        town = next((t for s in slugs if (t := Town.objects.filter(slug=s).first())), None)
        if town is None:
            raise CommandError(f"none of the towns {list(slugs)} exists: run demo_setup first")
        scenario, _ = Scenario.objects.get_or_create(
            town=town, name=REFERENCE["name"], defaults=REFERENCE
        )
        digest = services.scenario_digest(scenario)
        run = scenario.runs.filter(status="succeeded", input_digest=digest).first()
        if run is None:
            self.stdout.write(f"running the reference scenario on {town.name} ...")
            run = services.run_execute(
                run_id=services.run_start(scenario=scenario, enqueue=False).pk
            )
        if run.status != ScenarioRun.Status.SUCCEEDED:
            raise CommandError(f"reference run {run.pk} {run.status}: {run.error}")
        folder = run_directory(run)
        self.stdout.write(
            f"reference run {run.pk} on {town.slug}: score "
            f"{run.summary.get('indicators.total', float('nan')):.1f}"
        )
        for name in ("report.pdf", "report.zh.pdf", "report.html"):
            self.stdout.write(f"  {folder / name}")
