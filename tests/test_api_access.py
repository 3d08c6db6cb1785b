"""Access rules checked for every operation of the OpenAPI schema.

Each operation is called as a member of town alpha on alpha's objects (must succeed for reads),
on beta's objects (must never succeed) and anonymously (must never succeed).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from scenarios.engine.indicator_tree import load_tree
from scenarios.engine.scoring import score_run
from scenarios.models import Drill, DrillInject, Scenario, ScenarioRun
from scenarios.pipeline import run_directory
from twin.models import (
    Building,
    Facility,
    LifelineNetwork,
    NetworkLink,
    NetworkNode,
    Town,
    TownMembership,
)
from twin.tiles import town_tileset

pytestmark = pytest.mark.django_db
SCHEMA: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = [
    (path, method)
    for path, item in SCHEMA["paths"].items()
    for method in item
    if path.startswith("/api/towns")
]


def populate(slug: str) -> dict[str, Any]:
    town = Town.objects.create(slug=slug, name=slug)
    ring = [(0, 0), (0.001, 0), (0.001, 0.001), (0, 0)]
    building = Building.objects.create(
        town=town, global_id="b", footprint=MultiPolygon(Polygon(ring), srid=4326)
    )
    network = LifelineNetwork.objects.create(town=town, kind="water", name="w")
    a = NetworkNode.objects.create(
        network=network, key="a", component_type="j", location=Point(0, 0)
    )
    b = NetworkNode.objects.create(
        network=network, key="b", component_type="j", location=Point(1, 0)
    )
    link = NetworkLink.objects.create(
        network=network,
        key="l",
        start=a,
        end=b,
        component_type="pipe",
        path=LineString((0, 0), (1, 0)),
        length_m=1.0,
    )
    facility = Facility.objects.create(town=town, kind="school", name="s", location=Point(0, 0))
    ids = {"buildings": building.pk, "facilities": facility.pk, "nodes": a.pk, "links": link.pk}
    ids["networks"] = network.pk
    scenario = Scenario.objects.create(
        town=town, name="s", epicentre=Point(0, 0, srid=4326), magnitude=6.0, depth_km=10
    )
    run = ScenarioRun.objects.create(scenario=scenario, status="succeeded")
    shutil.rmtree(run_directory(run))  # ids repeat across tests: start from an empty folder
    folder = run_directory(run)
    np.savez(
        folder / "buildings.npz",
        building_id=np.array([building.pk]),
        mean_damage_state=np.array([1.5]),
        collapse_probability=np.array([0.1]),
        repair_cost_ratio=np.array([[0.2, 0.3]]),
        stars=np.array([2]),
    )
    (folder / "report.pdf").write_bytes(b"%PDF-1.4 test")
    (folder / "report.html").write_text("<html></html>")
    np.savez(  # a time-dynamic layer (CZML) and the town's 3D Tiles
        folder / "fire.npz",
        building_id=np.array([building.pk]),
        times_s=np.array([0.0, 1200.0]),
        ignition_s=np.array([[0.0]]),
        end_s=np.array([[np.inf]]),
    )
    np.savez(  # the per-link lifeline layer
        folder / "lifelines.npz",
        building_id=np.array([building.pk]),
        water_link_id=np.array([link.pk]),
        water_link_key=np.array([link.key]),
        water_link_served_day0=np.array([[True]]),
        water_pipe_key=np.array([link.key]),
        water_pipe_leaks=np.array([[1]]),
        water_pipe_breaks=np.array([[0]]),
    )
    fingerprint, _ = town_tileset(town)
    tree = load_tree()  # a scorecard for the score endpoints (every registry output = 1)
    card = score_run(tree, dict.fromkeys(tree.outputs, 1.0), run_id=str(run.pk))
    (folder / "scorecard.json").write_text(json.dumps(asdict(card)))
    drill = Drill.objects.create(run=run, name="d")
    inject = DrillInject.objects.create(
        drill=drill, kind="aftershock", time_s=3600.0, magnitude=5.5
    )
    ids.update(scenarios=scenario.pk, runs=run.pk, drills=drill.pk, injects=inject.pk)
    return {
        "drill_pk": drill.pk,
        "town_slug": slug,
        "slug": slug,
        "network_pk": network.pk,
        "ids": ids,
        "layer": "damage",
        "fmt": "pdf",
        "run_pk": run.pk,
        "other_pk": run.pk,
        "fingerprint": fingerprint,
        "index": 0,
    }


def fill(path: str, values: dict[str, Any]) -> str:
    collection = re.findall(r"/(\w+)/\{id\}/", path)
    if "/czml/" in path:
        values = {**values, "layer": "fire"}
    if "/export/" in path:
        values = {**values, "layer": "buildings", "fmt": "geojson"}
    ids = {"id": values["ids"][collection[-1]] if collection else None}
    return re.sub(r"\{(\w+)\}", lambda m: str({**values, **ids}[m.group(1)]), path)


@pytest.fixture
def setup() -> dict[str, Any]:
    own, other = populate("alpha"), populate("beta")
    user = User.objects.create_user("member", password="pw")
    TownMembership.objects.create(user=user, town=Town.objects.get(slug="alpha"), role="admin")
    member = APIClient()
    member.force_authenticate(user)
    return {"own": own, "other": other, "member": member}


def test_the_schema_covers_the_town_endpoints() -> None:
    assert len(OPERATIONS) >= 20
    assert ("/api/towns/{town_slug}/imports/", "post") in OPERATIONS


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_no_success_outside_the_users_towns(setup: dict[str, Any], path: str, method: str) -> None:
    member: APIClient = setup["member"]
    call = getattr(member, method)
    if "{" in path:
        body = {} if method == "post" else None
        foreign = call(fill(path, setup["other"]), body, format="multipart" if body == {} else None)
        assert foreign.status_code in (403, 404), foreign.content[:200]
    else:  # a listing: only the member's towns
        assert "beta" not in call(path).content.decode()
    anonymous = getattr(APIClient(), method)(fill(path, setup["own"]))
    assert anonymous.status_code in (401, 403)
    if method == "get":
        own = call(fill(path, setup["own"]))
        if "/drills/" in path and path.endswith(("/outcome/", "/routes/")):
            # this fixture's run has no emergency results: a conflict with a reason, no 5xx
            assert own.status_code == 409 and "rerun its scenario" in own.content.decode()
        else:
            assert own.status_code == 200, own.content[:300]
