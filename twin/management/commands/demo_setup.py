"""manage.py demo_setup: build the embedded default town, the ten demonstration towns, and
print what they hold."""

import os
from typing import Any

from django.core.management import call_command
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
        parser.add_argument(
            "--no-towns", action="store_true", help="skip the ten demonstration towns"
        )
        parser.add_argument(
            "--town-size-factor",
            type=float,
            default=float(os.environ.get("TWIN_TOWN_SIZE_FACTOR", "1.0")),
            help="size factor of the generated towns (env TWIN_TOWN_SIZE_FACTOR; default 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for report in demo.demo_town_build():
            self.stdout.write(report.as_text(max_problems=5))
        if not options["no_external"] and demo.EXTERNAL_IFC.is_dir():
            for outcome in demo.external_ifc_import():
                text = outcome if isinstance(outcome, str) else outcome.as_text(max_problems=3)
                self.stdout.write(text)
        if not options["no_towns"]:
            call_command(
                "build_demo_towns", size_factor=options["town_size_factor"], stdout=self.stdout
            )
        password = os.environ.get("TWIN_DEMO_PASSWORD", "demo")
        user = demo.demo_user(password=password)
        self.stdout.write(
            f"\nlog in as '{user.username}' with password '{password}' "
            "(planner of every town; set TWIN_DEMO_PASSWORD to change it)"
        )
        self.stdout.write("\ntowns:")
        for summary in selectors.town_summaries():
            counts = ", ".join(f"{k} {v}" for k, v in summary.items() if isinstance(v, int))
            self.stdout.write(f"  {summary['slug']}: {counts}")
