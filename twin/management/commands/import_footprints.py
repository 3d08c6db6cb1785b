"""manage.py import_footprints FILE --town SLUG [--layer NAME] [--json]"""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from twin import services
from twin.management.base import ImportCommand
from twin.reports import ImportReport


class Command(ImportCommand):
    help = (
        "Import building footprints (GeoPackage, GeoJSON, zipped Shapefile, OSM .osm/.pbf) "
        "with rule-based imputation of missing attributes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--layer", help="layer holding the buildings (default: detected)")

    def run_import(self, path: Path, options: dict[str, Any]) -> ImportReport:
        return services.footprints_import(
            town_slug=options["town"], path=path, layer=options["layer"]
        )
