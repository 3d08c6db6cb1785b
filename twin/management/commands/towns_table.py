"""manage.py towns_table: the table of the demonstration towns (docs/towns.md) from the DB."""

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Sum

from twin.engine.towns.profile import load_profile, profile_slugs
from twin.models import Building, Facility, ImportRecord, LifelineNetwork, Town

START, END = "<!-- towns-table:start -->", "<!-- towns-table:end -->"


def _mix(counter: Counter[str], total: int, top: int = 4) -> str:
    return ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in counter.most_common(top))


def _networks(town: Town) -> str:
    parts = []
    for network in LifelineNetwork.objects.filter(town=town).order_by("kind", "name"):
        km = (network.links.aggregate(s=Sum("length_m"))["s"] or 0.0) / 1000.0
        bridges = network.links.filter(component_type="bridge").count()
        extra = f", {bridges} bridge links" if bridges else ""
        parts.append(f"{network.kind} {km:.1f} km ({network.source}{extra})")
    return "; ".join(parts)


def _facilities(town: Town) -> str:
    rows = (
        Facility.objects.filter(town=town)
        .values("kind")
        .annotate(n=Count("id"), cap=Sum("capacity"))
    )
    unit = {"hospital": "beds", "school": "pupils", "shelter": "people", "fire_station": "engines"}
    return "; ".join(
        f"{r['n']} {r['kind']}"
        + (f" ({r['cap']:,.0f} {unit[r['kind']]})" if r["kind"] in unit else "")
        for r in sorted(rows, key=lambda r: r["kind"])
    )


def town_row(town: Town) -> str:
    """One markdown table row describing a built town."""
    buildings = Building.objects.filter(town=town)
    n = buildings.count()
    totals = buildings.aggregate(
        a=Sum("floor_area_m2"),
        night=Sum("night_population"),
        day=Sum("day_population"),
        cost=Sum("replacement_cost"),
    )
    systems = Counter(buildings.values_list("structural_system", flat=True))
    eras = Counter(buildings.values_list("design_era", flat=True))
    isolated = buildings.filter(isolated=True).count()
    zones = ", ".join(sorted({z.site_class for z in town.site_zones.all()}))
    build = ImportRecord.objects.filter(town=town, kind="town-build").first()
    size = build.summary.get("size_factor", "?") if build else "?"
    profile = load_profile(town.slug)
    sources = (
        ", ".join(f"{k}: {v}" for k, v in profile.sources.items())
        or "generated (IFC4 via the importer)"
    )
    if profile.landmarks:
        sources += "; landmarks: " + ", ".join(profile.landmarks)
    cells = [
        f"**{town.slug}**<br>{profile.place}<br>{town.origin.y:.3f} N, {town.origin.x:.3f} E"
        if town.origin
        else town.slug,
        f"{profile.profile}; intensity {town.fortification_intensity:g}; site classes {zones}",
        f"{n:,} (size factor {size})",
        f"{_mix(systems, n)}; isolated {isolated}",
        _mix(eras, n, 3),
        f"night {totals['night'] or 0:,.0f} / day {totals['day'] or 0:,.0f}; "
        f"{(totals['a'] or 0) / 1e6:.2f} M m²; {(totals['cost'] or 0) / 1e9:.1f} bn CNY",
        _networks(town),
        _facilities(town),
        sources,
    ]
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


HEADER = (
    "| town | profile | buildings | structural systems (Hazus) | design eras | people, floor area, "
    "replacement cost | networks | facilities | data sources |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


class Command(BaseCommand):
    help = "Print (or write into docs/towns.md) the table of the built demonstration towns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--write", type=Path, help="replace the table between the markers in this file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        towns = [t for t in Town.objects.filter(slug__in=profile_slugs()).order_by("slug")]
        if not towns:
            raise CommandError("no demonstration town is built; run manage.py build_demo_towns")
        table = "\n".join([HEADER, *(town_row(t) for t in towns)])
        target = options["write"]
        if target is None:
            self.stdout.write(table)
            return
        text = target.read_text(encoding="utf-8")
        if START not in text or END not in text:
            raise CommandError(f"{target} has no {START} ... {END} markers")
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        target.write_text(f"{head}{START}\n{table}\n{END}{tail}", encoding="utf-8")
        self.stdout.write(f"wrote the table of {len(towns)} towns into {target}")
