"""CZML layers of a run: fire spread, chemical threat and service over time, scoped by town."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import czml3
import numpy as np
import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.test import Client

from scenarios import czml
from scenarios.models import Scenario, ScenarioRun
from scenarios.pipeline import run_directory
from twin.models import Building, Town, TownMembership

pytestmark = pytest.mark.django_db
INF = np.inf


@pytest.fixture
def run(client: Client, settings: Any, tmp_path: Path) -> ScenarioRun:
    settings.MEDIA_ROOT = tmp_path
    user = User.objects.create_user("viewer", password="pw")
    alpha = Town.objects.create(slug="alpha", name="Alpha")
    Town.objects.create(slug="beta", name="Beta")
    TownMembership.objects.create(user=user, town=alpha, role="viewer")
    ids = []
    for i in range(4):
        x = 116.0 + i * 0.001
        ring = [(x, 39.0), (x + 0.0002, 39.0), (x + 0.0002, 39.0002), (x, 39.0002), (x, 39.0)]
        b = Building.objects.create(
            town=alpha, global_id=f"b{i}", footprint=MultiPolygon(Polygon(ring)), height_m=9.0
        )
        ids.append(b.pk)
    scenario = Scenario.objects.create(
        town=alpha,
        name="M6.5",
        epicentre=Point(116.0, 39.0),
        magnitude=6.5,
        depth_km=10,
        time_of_day="2AM",
    )
    run = ScenarioRun.objects.create(scenario=scenario, status="succeeded")
    folder = run_directory(run)
    times = np.arange(0, 6 * 3600 + 1, 1200.0)
    np.savez(
        folder / "fire.npz",
        building_id=np.array(ids),
        times_s=times,
        ignition_s=np.array([[0.0, 2400.0, INF, INF], [INF, INF, INF, INF]]),
        end_s=np.array([[3600.0, INF, INF, INF], [INF, INF, INF, INF]]),
    )
    np.savez(
        folder / "chemical.npz",
        building_id=np.array(ids),
        level=np.array([[0, 1, 2, 3]] * 2, dtype=np.int8),
        arrival_s=np.array([[INF, 900.0, 600.0, 300.0]] * 2),
    )
    np.savez(
        folder / "lifelines.npz",
        building_id=np.array(ids),
        water_served_day0=np.array([[True, False, False, True]] * 2),
        water_served_day3=np.array([[True, True, False, True]] * 2),
    )
    np.savez(
        folder / "recovery.npz",
        names=np.array(["water", "town"]),
        grid_days=np.linspace(0, 20, 41),
        q_mean=np.vstack([np.linspace(0.5, 1, 41)] * 2),
        time_to_100_days=np.array([[10.0, 12.0], [12.0, 14.0]]),
    )
    client.force_login(user)
    return run


def url(run: ScenarioRun, tail: str = "") -> str:
    return f"/api/towns/{run.scenario.town.slug}/runs/{run.pk}/czml/{tail}"


def validate(packets: list[dict[str, Any]]) -> None:
    """Every packet is valid CZML by czml3's models (preamble first)."""
    czml3.Document(packets=[czml3.Packet(**p) for p in packets])


def test_the_index_lists_the_layers_the_run_has(client: Client, run: ScenarioRun) -> None:
    assert client.get(url(run)).json() == {"layers": ["fire", "chemical", "water"]}


def test_fire_spread_burns_then_burns_out(client: Client, run: ScenarioRun) -> None:
    response = client.get(url(run, "fire/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    packets = json.loads(b"".join(response.streaming_content))
    validate(packets)
    doc = packets[0]
    assert doc["id"] == "document" and doc["clock"]["interval"].endswith("T00:00:00Z")
    # 2 AM in Beijing is 18:00 UTC the day before
    assert doc["clock"]["currentTime"].endswith("T18:00:00Z")
    fires = {p["properties"]["building_id"]: p for p in packets[1:]}
    first, second = sorted(fires)
    colours = fires[first]["polygon"]["material"]["solidColor"]["color"]
    assert [c["rgba"] for c in colours] == [czml.RED, czml.GREY]  # burnt out after 1 h
    assert fires[second]["availability"].split("/")[0].endswith("18:40:00Z")  # ignites at 40 min
    assert fires[first]["polygon"]["height"] == 9.0  # a flame slab on the roof
    cached = run_directory(run) / "czml-fire-0.json"
    assert cached.exists()


def test_chemical_threat_and_zones(client: Client, run: ScenarioRun) -> None:
    packets = json.loads(b"".join(client.get(url(run, "chemical/")).streaming_content))
    validate(packets)
    zones = [p for p in packets if p["id"].startswith("zone-")]
    assert [z["id"] for z in zones] == ["zone-aegl1", "zone-aegl2", "zone-aegl3"]
    points = [p for p in packets if p["id"].startswith("chem-")]
    assert sorted(p["properties"]["aegl"] for p in points) == [1, 2, 3]


def test_service_loss_and_recovery_over_days(client: Client, run: ScenarioRun) -> None:
    packets = json.loads(b"".join(client.get(url(run, "water/")).streaming_content))
    validate(packets)
    out = [p for p in packets if "point" in p]
    assert len(out) == 2  # two buildings without water on day 0
    restored = sorted(p["properties"]["restored_s"] for p in out)
    assert restored == [3 * 86400.0, 11 * 86400.0]  # day 3, then the mean full restoration
    share = next(p for p in packets if p["id"] == "water-share")
    assert share["properties"]["service_share"]["number"][:2] == [0.0, 0.5]


def test_bad_requests_are_4xx_and_other_towns_404(client: Client, run: ScenarioRun) -> None:
    assert client.get(url(run, "smoke/")).status_code == 400
    assert client.get(url(run, "fire/") + "?realisation=9").status_code == 400
    assert client.get(url(run, "fire/") + "?realisation=x").status_code == 400
    assert client.get(url(run, "power/")).status_code == 404  # the run has no power results
    other = f"/api/towns/beta/runs/{run.pk}/czml/fire/"
    assert client.get(other).status_code == 404
    assert client.get(f"/api/towns/alpha/runs/{run.pk + 99}/czml/").status_code == 404
    client.logout()
    assert client.get(url(run, "fire/")).status_code in (401, 403)


def test_epoch_is_the_scenario_time_of_day_in_china() -> None:
    created = dt.datetime(2024, 5, 12, 6, 28, tzinfo=dt.UTC)  # 14:28 CST
    assert czml.epoch_for(created, "2PM") == dt.datetime(2024, 5, 12, 6, 0, tzinfo=dt.UTC)
