"""A tiny demonstration town with masonry schools, its suite runs and a retrofit what-if.

The demo towns at small size factors have no masonry schools (their schools are RC), so the
fixture turns the three lowest buildings into unreinforced-masonry schools (test setup, before
any run). Runs skip the report step (not needed for scores) to keep the module fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scenarios import services, suite, whatif
from scenarios.steps import STEPS
from twin.models import Building, Town
from twin.towns import town_build

SLUG = "yingxiu-hillside"
SIZE_FACTOR = 0.01
REALISATIONS = 4
MASONRY_SCHOOLS = 3


@dataclass(frozen=True)
class Scored:
    town_pk: int
    school_pks: tuple[int, ...]
    suite_run_pks: tuple[int, ...]
    base_pk: int
    variant_pk: int
    retrofitted: int
    changed: tuple[str, ...]


def _no_data(key: str) -> Path:
    raise AssertionError(f"a generated town needs no package data ({key})")


@pytest.fixture(scope="module")
def scored(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Scored]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as mp:
        mp.setattr(services, "STEPS", [s for s in STEPS if s[0] != "report"])
        town_build(
            slug=SLUG,
            data=_no_data,
            workdir=tmp_path_factory.mktemp("towns"),
            size_factor=SIZE_FACTOR,
            workers=1,
        )
        town = Town.objects.get(slug=SLUG)
        low = Building.objects.filter(town=town).order_by("storeys_above_ground", "id")
        schools = tuple(low.values_list("pk", flat=True)[:MASONRY_SCHOOLS])
        Building.objects.filter(pk__in=schools).update(
            occupancy="EDU1", structural_system="URML", design_era="pre-1974"
        )
        runs = suite.suite_run(town, realisations=REALISATIONS)
        result = whatif.whatif_run(base=runs[0].scenario, option_id="retrofit-masonry-schools")
        changed = tuple(d.node_id for d in (*result.diff.improved(), *result.diff.worsened()))
        yield Scored(
            town.pk,
            schools,
            tuple(r.pk for r in runs),
            result.base.pk,
            result.variant.pk,
            result.retrofitted,
            changed,
        )
        Town.objects.filter(pk=town.pk).delete()
