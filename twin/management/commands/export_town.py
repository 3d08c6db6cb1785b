"""manage.py export_town SLUG --format gpkg|geojson|csv --output DIR [--epsg N]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from twin import services
from twin.management.base import REJECTED
from twin.models import Town


class Command(BaseCommand):
    help = "Export a town's buildings and lifeline networks as GeoPackage, GeoJSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("town", help="town slug")
        parser.add_argument("--format", choices=["gpkg", "geojson", "csv"], default="gpkg")
        parser.add_argument("--output", type=Path, required=True, help="directory to write")
        parser.add_argument("--epsg", type=int, help="output CRS (default: the town's CRS)")

    def handle(self, *args: Any, **options: Any) -> None:
        town = Town.objects.filter(slug=options["town"]).first()
        if town is None:
            raise CommandError(f"no town '{options['town']}'", returncode=REJECTED)
        paths = services.town_export(
            town=town, directory=options["output"], fmt=options["format"], epsg=options["epsg"]
        )
        for path in paths:
            self.stdout.write(str(path))
