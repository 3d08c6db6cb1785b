"""manage.py import_epanet FILE --town SLUG [--json] [--epsg N | --lat --lon [--unit-m]]"""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from twin import services
from twin.management.base import ImportCommand, add_placement_arguments, placement_from
from twin.reports import ImportReport


class Command(ImportCommand):
    help = "Import an EPANET .inp water network (through WNTR) into a town."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--epsg", type=int, help="CRS of the [COORDINATES] section")
        add_placement_arguments(parser)
        parser.add_argument(
            "--unit-m", type=float, default=1.0, help="metres per coordinate unit (local plane)"
        )

    def run_import(self, path: Path, options: dict[str, Any]) -> ImportReport:
        return services.epanet_import(
            town_slug=options["town"],
            path=path,
            epsg=options["epsg"],
            placement=placement_from(options, unit_m=options["unit_m"]),
        )
