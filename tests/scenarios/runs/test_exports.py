"""GIS exports of a run's ground-motion field and building results."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.test import APIClient

from scenarios import services
from scenarios.models import Scenario
from scenarios.steps.buildings import buildings_step
from scenarios.steps.hazard import hazard_step
from twin.models import TownMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_id(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(services, "STEPS", [("hazard", hazard_step), ("buildings", buildings_step)])
    run = services.run_start(scenario=scenario, enqueue=False)
    return services.run_execute(run_id=run.pk).pk


def test_field_and_damage_export_as_geopackage_in_the_towns_crs(
    run_id: int, tmp_path: Path
) -> None:
    for layer in ("hazard", "buildings"):
        call_command("export_run", str(run_id), "--layer", layer, "--format", "gpkg",
                     "--output", str(tmp_path), stdout=StringIO())  # fmt: skip
    field = pyogrio.read_dataframe(tmp_path / f"run{run_id}-hazard.gpkg")
    assert field.crs.to_epsg() == 32648 and set(field["kind"]) == {"building"}
    assert np.all(field["p84_pga_g"] >= field["median_pga_g"])
    assert field["intensity_gbt17742"].between(1, 12).all()
    damage = pyogrio.read_dataframe(tmp_path / f"run{run_id}-buildings.gpkg")
    assert len(damage) == 2 and damage.geometry.geom_type.isin(["MultiPolygon"]).all()
    assert damage["mean_damage_state"].between(0, 5).all()


def test_geojson_export_through_the_api_is_wgs84(run_id: int, scenario: Scenario) -> None:
    user = User.objects.create_user("viewer")
    TownMembership.objects.create(user=user, town=scenario.town, role="viewer")
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/towns/tiny/runs/{run_id}/export/buildings/geojson/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert b'"FeatureCollection"' in body and b"103.6" in body
    missing = api.get(f"/api/towns/tiny/runs/{run_id + 999}/export/hazard/gpkg/")
    assert missing.status_code == 404
