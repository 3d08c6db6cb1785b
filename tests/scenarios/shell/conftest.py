"""A small generated demonstration town shared by the run-chain tests of this package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point

from scenarios.models import Scenario
from twin.models import Town
from twin.towns import town_build

SLUG = "longyao-county-seat"
SIZE_FACTOR = 0.02


def _no_data(key: str) -> Path:
    raise AssertionError(f"a generated town needs no package data ({key})")


@pytest.fixture(scope="module")
def demo_town(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """Build the town once per module (outside the per-test transactions) and drop it after."""
    with django_db_blocker.unblock():
        town_build(
            slug=SLUG,
            data=_no_data,
            workdir=tmp_path_factory.mktemp("towns"),
            size_factor=SIZE_FACTOR,
            workers=1,
        )
        town = Town.objects.get(slug=SLUG)
        yield town.pk
        Town.objects.filter(pk=town.pk).delete()


def make_scenario(town_pk: int, **fields: object) -> Scenario:
    """An M6.5 near the town centre, 3 realisations, 2 PM, 5 m/s wind from the west."""
    town = Town.objects.get(pk=town_pk)
    values: dict[str, object] = {
        "town": town,
        "name": "chain test",
        "epicentre": Point(town.origin.x + 0.02, town.origin.y, srid=4326),
        "magnitude": 6.5,
        "depth_km": 10.0,
        "realisations": 3,
        "seed": 7,
        "wind_speed_m_s": 5.0,
        "wind_from_deg": 270.0,
    }
    values.update(fields)
    return Scenario.objects.create(**values)
