"""manage.py build_demo_towns: build the ten demonstration towns from their profiles."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from twin import package_data, towns
from twin.demo import EXTERNAL_IFC
from twin.engine.records import CimImportError
from twin.engine.towns.profile import profile_slugs


def _quiet(_: str) -> None:
    """Discard progress lines."""


class Command(BaseCommand):
    help = "Build the demonstration towns (docs/towns.md); a second run changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", nargs="+", metavar="SLUG", help="build only these towns")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--size-factor",
            type=float,
            default=1.0,
            help="scale the generated towns' building counts (real towns keep theirs)",
        )
        parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
        parser.add_argument("--workers", type=int, default=2, help="IFC parser processes")
        parser.add_argument(
            "--external-data",
            type=Path,
            default=None,
            help="use local copies of the wheel data (e.g. ../shared/data/external)",
        )
        parser.add_argument(
            "--no-landmarks",
            action="store_true",
            help="do not place ../shared/data/external/ifc models",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = options["only"] or profile_slugs()
        unknown = sorted(set(slugs) - set(profile_slugs()))
        if unknown:
            raise CommandError(f"unknown town profiles {unknown}; known: {profile_slugs()}")
        var = Path(settings.VAR_DIR)
        local = options["external_data"]  # a str when given through call_command
        local = Path(local) if local is not None else None

        def data(key: str) -> Path:
            return package_data.fetch(key, var / "package-data", local_copies=local)

        landmarks = None if options["no_landmarks"] else EXTERNAL_IFC
        verbose = options["verbosity"] > 1
        for slug in slugs:
            try:
                built = towns.town_build(
                    slug=slug,
                    data=data,
                    workdir=var / "towns",
                    seed=options["seed"],
                    size_factor=options["size_factor"],
                    landmarks_dir=landmarks,
                    force=options["force"],
                    workers=options["workers"],
                    log=self.stdout.write if verbose else _quiet,
                )
            except CimImportError as exc:
                raise CommandError(f"{slug}: {exc}") from exc
            counts = built.counts
            self.stdout.write(
                f"{slug}: {built.status} in {built.seconds:.1f} s — "
                f"{counts['buildings']} buildings, "
                f"networks {counts['networks']}, facilities {counts['facilities']}, "
                f"{counts['site_zones']} site zones"
            )
            for note in built.notes:
                self.stdout.write(f"  {note}")
