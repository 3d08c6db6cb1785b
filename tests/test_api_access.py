"""Access rules checked for every operation of the OpenAPI schema.

Each operation is called as a member of town alpha on alpha's objects (must succeed for reads),
on beta's objects (must never succeed) and anonymously (must never succeed).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from scenarios.models import Scenario, ScenarioRun
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
    folder = run_directory(run)
    np.savez(
        folder / "buildings.npz",
        building_id=np.array([building.pk]),
        mean_damage_state=np.array([1.5]),
    )
    (folder / "report.pdf").write_bytes(b"%PDF-1.4 test")
    (folder / "report.html").write_text("<html></html>")
    ids.update(scenarios=scenario.pk, runs=run.pk)
    return {
        "town_slug": slug,
        "slug": slug,
        "network_pk": network.pk,
        "ids": ids,
        "layer": "damage",
        "fmt": "pdf",
    }


def fill(path: str, values: dict[str, Any]) -> str:
    collection = re.findall(r"/(\w+)/\{id\}/", path)
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
        assert call(fill(path, setup["own"])).status_code == 200
