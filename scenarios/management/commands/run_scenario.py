"""manage.py run_scenario --town SLUG --lat Y --lon X --magnitude M [...] : run one scenario now."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from scenarios import services
from scenarios.models import Scenario, ScenarioRun
from twin.models import Town

REJECTED = 2


class Command(BaseCommand):
    help = "Define a scenario earthquake for a town and run it to the end in this process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--town", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument("--lat", type=float, required=True, help="epicentre latitude")
        parser.add_argument("--lon", type=float, required=True, help="epicentre longitude")
        parser.add_argument("--magnitude", type=float, required=True)
        parser.add_argument("--depth-km", type=float, default=10.0)
        parser.add_argument("--strike", type=float, default=0.0)
        parser.add_argument("--dip", type=float, default=90.0)
        parser.add_argument("--rake", type=float, default=0.0)
        parser.add_argument("--gmpe", default="BSSA14", choices=["BSSA14", "YU2013", "ZHAO2006"])
        parser.add_argument("--analysis", default="fragility", choices=["fragility", "nltha"])
        parser.add_argument("--realisations", type=int, default=20)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="print the run summary as JSON")
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the run for a worker and print its id"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        town = Town.objects.filter(slug=o["town"]).first()
        if town is None:
            raise CommandError(f"no town '{o['town']}'", returncode=REJECTED)
        scenario = Scenario(
            town=town,
            name=o["name"] or f"M{o['magnitude']} at {o['lat']}, {o['lon']}",
            epicentre=Point(o["lon"], o["lat"], srid=4326),
            magnitude=o["magnitude"],
            depth_km=o["depth_km"],
            strike_deg=o["strike"],
            dip_deg=o["dip"],
            rake_deg=o["rake"],
            gmpe=o["gmpe"],
            analysis=o["analysis"],
            realisations=o["realisations"],
            seed=o["seed"],
        )
        try:
            scenario.full_clean()
        except ValidationError as exc:
            raise CommandError(f"invalid scenario: {_first(exc)}", returncode=REJECTED) from exc
        scenario.save()
        if o["enqueue"]:
            with transaction.atomic():
                queued = services.run_start(scenario=scenario)
            self.stdout.write(str(queued.pk))
            return
        run = services.run_execute(run_id=services.run_start(scenario=scenario, enqueue=False).pk)
        if run.status != ScenarioRun.Status.SUCCEEDED:
            raise CommandError(f"run {run.pk} {run.status}: {run.error}", returncode=1)
        if o["json"]:
            self.stdout.write(json.dumps({"run": run.pk, **run.summary}, indent=1))
        else:
            self.stdout.write(f"run {run.pk} succeeded in {sum(_secs(run))} s")
            for key, value in run.summary.items():
                self.stdout.write(f"  {key}: {value:g}")


def _first(exc: ValidationError) -> str:
    field, messages = next(iter(exc.message_dict.items()))
    return f"{field}: {messages[0]}"


def _secs(run: ScenarioRun) -> list[float]:
    return [float(v) for k, v in run.timings.items() if not k.startswith("_")]
