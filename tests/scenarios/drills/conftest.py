"""A town of three IFC buildings with roads, two shelters and a hospital, and a succeeded
run of a distant moderate earthquake (little damage: the drills' injects make the events)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point

from scenarios import services
from scenarios.models import Scenario, ScenarioRun
from tests.scenarios.drills.town import add_drill_network
from twin import services as twin_services
from twin.engine.ifc.writer import write_demo_building_ifc
from twin.models import Town, TownMembership

SLUG = "drillville"


@pytest.fixture(scope="module")
def run_pk(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """The pk of a succeeded run on the drill town (built once per module, dropped after)."""
    folder: Path = tmp_path_factory.mktemp("drill-town")
    with django_db_blocker.unblock():
        for i, storeys in enumerate([3, 5, 2]):
            path = folder / f"b{i}.ifc"
            write_demo_building_ifc(
                path,
                name=f"Frame {i}",
                latitude_deg=30.9960 + 0.0004 * i,
                longitude_deg=103.619,
                storeys=storeys,
                seed=i,
            )
            twin_services.ifc_import(town_slug=SLUG, path=path)
        add_drill_network(SLUG)
        town = Town.objects.get(slug=SLUG)
        scenario = Scenario.objects.create(
            town=town,
            name="M5.5 far",
            epicentre=Point(103.9, 31.2, srid=4326),
            magnitude=5.5,
            depth_km=15.0,
            realisations=2,
            seed=3,
        )
        run = services.run_start(scenario=scenario, enqueue=False)
        services.run_execute(run_id=run.pk)
        run.refresh_from_db()
        assert run.status == ScenarioRun.Status.SUCCEEDED, run.error
        yield run.pk
        Town.objects.filter(pk=town.pk).delete()
        User.objects.filter(username__startswith="drill-").delete()


def member(town: Town, role: str) -> User:
    user, _ = User.objects.get_or_create(username=f"drill-{role}-{town.slug}")
    TownMembership.objects.get_or_create(user=user, town=town, defaults={"role": role})
    return user
