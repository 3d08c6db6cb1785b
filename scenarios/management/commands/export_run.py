"""manage.py export_run RUN --layer hazard|buildings --format gpkg|geojson|csv --output DIR"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scenarios.exports import run_layer_write
from scenarios.models import ScenarioRun

REJECTED = 2


class Command(BaseCommand):
    help = "Export a run's result layer (ground-motion field or building results) as a GIS file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", type=int)
        parser.add_argument("--layer", choices=["hazard", "buildings"], default="buildings")
        parser.add_argument("--format", choices=["gpkg", "geojson", "csv"], default="gpkg")
        parser.add_argument("--output", type=Path, required=True, help="directory")
        parser.add_argument("--epsg", type=int, help="output CRS (default: the town's)")

    def handle(self, *args: Any, **o: Any) -> None:
        run = ScenarioRun.objects.filter(pk=o["run"]).select_related("scenario__town").first()
        if run is None:
            raise CommandError(f"no run {o['run']}", returncode=REJECTED)
        o["output"].mkdir(parents=True, exist_ok=True)
        path = o["output"] / f"run{run.pk}-{o['layer']}.{o['format']}"
        try:
            run_layer_write(run, o["layer"], path, fmt=o["format"], epsg=o["epsg"])
        except FileNotFoundError as exc:
            raise CommandError(str(exc), returncode=REJECTED) from exc
        self.stdout.write(str(path))
