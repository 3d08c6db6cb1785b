"""manage.py demo_setup: build the embedded default town and print what it holds."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from twin import demo, selectors


class Command(BaseCommand):
    help = (
        "Build the demo town (generated IFC building, EPANET Net1) and import external IFC files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-external", action="store_true", help="skip ../shared/data/external/ifc"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for report in demo.demo_town_build():
            self.stdout.write(report.as_text(max_problems=5))
        if not options["no_external"] and demo.EXTERNAL_IFC.is_dir():
            for outcome in demo.external_ifc_import():
                text = outcome if isinstance(outcome, str) else outcome.as_text(max_problems=3)
                self.stdout.write(text)
        self.stdout.write("\ntowns:")
        for summary in selectors.town_summaries():
            counts = ", ".join(f"{k} {v}" for k, v in summary.items() if isinstance(v, int))
            self.stdout.write(f"  {summary['slug']}: {counts}")
