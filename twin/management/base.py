"""Shared shape of the import commands: one-line errors with exit status 2, text or JSON."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from twin.engine.placement import LocalPlane
from twin.engine.records import CimImportError
from twin.reports import ImportReport

REJECTED = 2


class ImportCommand(BaseCommand):
    """Base for ``import_*`` commands: FILE --town SLUG [--json]; rejections exit with 2."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="file to import")
        parser.add_argument("--town", required=True, help="town slug (created if missing)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}", returncode=REJECTED)
        try:
            report = self.run_import(path, options)
        except CimImportError as exc:
            raise CommandError(f"rejected {path.name}: {exc}", returncode=REJECTED) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, sort_keys=True))
        else:
            self.stdout.write(report.as_text())

    def run_import(self, path: Path, options: dict[str, Any]) -> ImportReport:
        raise NotImplementedError


def add_placement_arguments(parser: ArgumentParser) -> None:
    """--lat/--lon/--rotation: where local coordinates sit on the earth."""
    parser.add_argument("--lat", type=float, help="latitude of the local origin (WGS 84)")
    parser.add_argument("--lon", type=float, help="longitude of the local origin (WGS 84)")
    parser.add_argument(
        "--rotation", type=float, default=0.0, help="true north to local +y, degrees clockwise"
    )


def placement_from(options: dict[str, Any], *, unit_m: float = 1.0) -> LocalPlane | None:
    """The placement given on the command line, or None; half a placement is an error."""
    lat, lon = options.get("lat"), options.get("lon")
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise CommandError("give both --lat and --lon", returncode=REJECTED)
    try:
        return LocalPlane(lat, lon, options.get("rotation") or 0.0, unit_m)
    except CimImportError as exc:
        raise CommandError(str(exc), returncode=REJECTED) from exc
