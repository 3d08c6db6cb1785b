"""A small town with two generated IFC buildings and a scenario next to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.gis.geos import Point

from scenarios.models import Scenario
from twin import services as twin_services
from twin.engine.ifc.writer import write_demo_building_ifc


@pytest.fixture
def scenario(db: None, tmp_path: Path) -> Scenario:
    for i, storeys in enumerate([2, 5]):
        path = tmp_path / f"b{i}.ifc"
        write_demo_building_ifc(
            path,
            name=f"B{i}",
            latitude_deg=31.0 + 0.0005 * i,
            longitude_deg=103.6,
            storeys=storeys,
            seed=i,
        )
        twin_services.ifc_import(town_slug="tiny", path=path)
    town = twin_services.town_get_or_create(slug="tiny")
    return Scenario.objects.create(
        town=town,
        name="M6.5 west",
        epicentre=Point(103.5, 31.0, srid=4326),
        magnitude=6.5,
        depth_km=10.0,
        realisations=8,
        seed=7,
    )
