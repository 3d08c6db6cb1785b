"""manage.py import_gas_network FILE --town SLUG [--json] [--epsg N]"""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from twin import services
from twin.management.base import ImportCommand
from twin.reports import ImportReport


class Command(ImportCommand):
    help = "Import a pandapipes JSON gas network into a town."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--epsg", type=int, help="CRS of the junction geodata if not WGS 84")

    def run_import(self, path: Path, options: dict[str, Any]) -> ImportReport:
        return services.gas_network_import(
            town_slug=options["town"], path=path, epsg=options["epsg"]
        )
