"""manage.py run_worker: requeue runs orphaned by a dead worker, then work the task queue."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from scenarios import services


class Command(BaseCommand):
    help = "Resume scenario runs whose worker died, then run the database task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stale-after", type=float, default=120.0, help="seconds")
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        resumed = services.runs_resume_orphaned(stale_after_s=options["stale_after"])
        if resumed:
            self.stdout.write(f"requeued runs {resumed}")
        extra = ["--batch"] if options["batch"] else []
        # Never the autoreloader (db_worker's default under DEBUG): it runs tasks in a child
        # process that outlives a killed parent and would finish a run twice.
        call_command("db_worker", "--no-reload", *extra)
