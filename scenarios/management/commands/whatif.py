"""manage.py whatif --town SLUG --option retrofit-masonry-schools [--scenario ID]."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scenarios import suite, whatif
from scenarios.models import Scenario
from twin.models import Town


class Command(BaseCommand):
    help = "Run a scenario with and without a retrofit option and list the indicators that changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--town", required=True)
        parser.add_argument("--option", required=True, choices=sorted(whatif.RETROFITS))
        parser.add_argument(
            "--scenario", type=int, help="base scenario id (default: suite near-large)"
        )
        parser.add_argument("--realisations", type=int, default=10, help="for the suite scenario")

    def handle(self, *args: Any, **o: Any) -> None:
        town = Town.objects.filter(slug=o["town"]).first()
        if town is None:
            raise CommandError(f"no town '{o['town']}'")
        if o["scenario"]:
            base = Scenario.objects.filter(pk=o["scenario"], town=town).first()
            if base is None:
                raise CommandError(f"no scenario {o['scenario']} in {town.slug}")
        else:
            base = suite.suite_scenarios(town, realisations=o["realisations"])[0]
        try:
            result = whatif.whatif_run(base=base, option_id=o["option"])
        except whatif.WhatIfError as exc:
            raise CommandError(str(exc)) from exc
        d = result.diff
        self.stdout.write(
            f"{town.slug}: {result.retrofitted} buildings retrofitted; run {result.base.pk} → "
            f"{result.variant.pk}: total {d.total_base:.2f} {d.grade_base} → "
            f"{d.total_variant:.2f} {d.grade_variant} ({d.delta_total:+.2f})"
        )
        for leaf in (*d.improved(), *d.worsened()):
            self.stdout.write(
                f"  {leaf.node_id}: {leaf.value_base:.4g} → {leaf.value_variant:.4g} {leaf.unit}; "
                f"score {leaf.score_base:.1f} → {leaf.score_variant:.1f} "
                f"(total {leaf.delta_contribution:+.2f})"
            )
        if not d.improved() and not d.worsened():
            self.stdout.write("  no indicator changed")
