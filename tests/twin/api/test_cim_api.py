"""The CIM REST API: GeoJSON, filters, uploads, and scoping to the user's towns."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from twin.demo import NET1
from twin.engine.ifc.writer import write_demo_building_ifc
from twin.models import Building, LifelineNetwork, Town, TownMembership

pytestmark = pytest.mark.django_db


def square(lon: float, lat: float, size: float = 0.0002) -> MultiPolygon:
    ring = [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat)]
    return MultiPolygon(Polygon(ring), srid=4326)


@pytest.fixture
def towns() -> dict[str, Town]:
    alpha = Town.objects.create(slug="alpha", name="Alpha")
    beta = Town.objects.create(slug="beta", name="Beta")
    for i, kind in enumerate(["URML", "C1L", "C1L"]):
        Building.objects.create(
            town=alpha, global_id=f"a{i}", structural_system=kind, footprint=square(103 + i, 31)
        )
    Building.objects.create(town=beta, global_id="b0", footprint=square(110, 30))
    return {"alpha": alpha, "beta": beta}


def client_for(role: str | None, town: Town | None = None) -> APIClient:
    client = APIClient()
    if role:
        user = User.objects.create_user(f"u-{role}", password="pw")
        if town:
            TownMembership.objects.create(user=user, town=town, role=role)
        client.force_authenticate(user)
    return client


def test_buildings_are_geojson_filtered_by_attribute_and_bbox(towns: dict[str, Town]) -> None:
    api = client_for("viewer", towns["alpha"])
    data = api.get("/api/towns/alpha/buildings/").json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 3
    assert data["features"][0]["geometry"]["type"] == "MultiPolygon"
    c1l = api.get("/api/towns/alpha/buildings/?structural_system=C1L").json()
    assert {f["properties"]["global_id"] for f in c1l["features"]} == {"a1", "a2"}
    boxed = api.get("/api/towns/alpha/buildings/?in_bbox=102.9,30.9,103.5,31.1").json()
    assert [f["properties"]["global_id"] for f in boxed["features"]] == ["a0"]


def test_another_towns_objects_answer_404(towns: dict[str, Town]) -> None:
    api = client_for("admin", towns["alpha"])
    beta_building = Building.objects.get(global_id="b0")
    assert api.get("/api/towns/beta/").status_code == 404
    assert api.get("/api/towns/beta/buildings/").status_code == 404
    assert api.get(f"/api/towns/alpha/buildings/{beta_building.pk}/").status_code == 404
    assert [t["slug"] for t in api.get("/api/towns/").json()["results"]] == ["alpha"]


def test_anonymous_requests_are_refused(towns: dict[str, Town]) -> None:
    assert client_for(None).get("/api/towns/alpha/buildings/").status_code in (401, 403)


def upload(api: APIClient, path: Path, kind: str, **extra: str) -> dict:  # type: ignore[type-arg]
    content = SimpleUploadedFile(path.name, path.read_bytes())
    response = api.post(
        "/api/towns/alpha/imports/", {"kind": kind, "file": content, **extra}, format="multipart"
    )
    return {"status": response.status_code, **response.json()}


def test_validate_only_upload_writes_nothing_and_real_upload_imports(
    towns: dict[str, Town], tmp_path: Path
) -> None:
    path = tmp_path / "frame.ifc"
    write_demo_building_ifc(path, name="Frame", latitude_deg=31.0, longitude_deg=103.5, storeys=2)
    api = client_for("planner", towns["alpha"])
    checked = upload(api, path, "ifc", validate_only="true")
    assert checked["status"] == 200 and checked["counts"]["storeys"] == 2
    assert Building.objects.filter(town__slug="alpha").count() == 3
    done = upload(api, path, "ifc")
    assert done["status"] == 201 and Building.objects.filter(town__slug="alpha").count() == 4
    water = upload(api, NET1, "epanet", lat="31.0", lon="103.5")
    assert water["status"] == 201 and LifelineNetwork.objects.get().nodes.count() == 11


def test_rejected_upload_is_a_400_with_a_reason(towns: dict[str, Town], tmp_path: Path) -> None:
    path = tmp_path / "notes.ifc"
    path.write_text("these are meeting notes, not a model\n")
    result = upload(client_for("planner", towns["alpha"]), path, "ifc")
    assert result["status"] == 400 and "not an IFC file" in result["file"][0]
    assert "Traceback" not in str(result)


def test_viewers_cannot_upload(towns: dict[str, Town]) -> None:
    result = upload(client_for("viewer", towns["alpha"]), NET1, "epanet", lat="31", lon="103")
    assert result["status"] == 403 and not LifelineNetwork.objects.exists()
