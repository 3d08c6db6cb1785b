"""manage.py import_ifc FILE --town SLUG [--validate-only] [--json] [--lat --lon]"""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from twin import services
from twin.management.base import ImportCommand, add_placement_arguments, placement_from
from twin.reports import ImportReport


class Command(ImportCommand):
    help = "Import buildings, storeys and MEP pipe networks from an IFC file (IFC2X3/IFC4/IFC4X3)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--validate-only", action="store_true", help="parse and report, write nothing"
        )
        add_placement_arguments(parser)

    def run_import(self, path: Path, options: dict[str, Any]) -> ImportReport:
        return services.ifc_import(
            town_slug=options["town"],
            path=path,
            placement=placement_from(options),
            validate_only=options["validate_only"],
        )
