"""The building list's bulk GeoJSON path writes what the serializer path wrote.

``GET /api/towns/<slug>/buildings/`` builds its features in bulk (``twin.api.features``);
the reference here is the serializer path it replaced (DRF's ``ListModelMixin.list`` with
``BuildingSerializer`` and ``JSONRenderer``), run on the same request. Only the printed digits
of coordinates may differ (held to 1e-9°; in fact both read back to the stored doubles).
DB-agnostic: the footprints come as WKB (``AsWKB``) from SpatiaLite and PostGIS alike.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.exceptions import ImproperlyConfigured
from rest_framework import mixins, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from twin.api import features
from twin.api.serializers import BuildingSerializer
from twin.api.views import BuildingViewSet
from twin.models import Building, Town, TownMembership

pytestmark = pytest.mark.django_db

TOLERANCE_DEG = 1e-9


class SerializerPathViewSet(BuildingViewSet):
    """The list endpoint as it was: one ``BuildingSerializer`` call per building."""

    renderer_classes = [JSONRenderer]
    list = mixins.ListModelMixin.list


def ring(lon: float, lat: float, dx: float, dy: float) -> list[tuple[float, float]]:
    return [(lon, lat), (lon + dx, lat), (lon + dx, lat + dy), (lon, lat + dy), (lon, lat)]


@pytest.fixture
def town() -> Town:
    """Seven buildings: odd coordinates, holes, two parts, no footprint, empty attributes."""
    town = Town.objects.create(slug="varied", name="Varied")
    third = 1 / 3 * 1e-3  # coordinates with all 17 significant digits
    shapes: list[MultiPolygon | None] = [
        MultiPolygon(Polygon(ring(116.0 + third, 39.0 + third / 7, 2e-4, 1.7e-4)), srid=4326),
        MultiPolygon(
            Polygon(ring(116.01, 39.01, 5e-4, 5e-4), ring(116.0101, 39.0101, 1e-4, 1e-4)[::-1]),
            Polygon(ring(116.0107, 39.0107, math.pi * 1e-5, math.e * 1e-5)),
            srid=4326,
        ),
        None,
        MultiPolygon(Polygon(ring(103.0, 31.0, 2e-4, 2e-4)), srid=4326),  # whole degrees
        MultiPolygon(Polygon(ring(-73.98571234567891, -40.123456789012345, 3e-4, 1e-4)), srid=4326),
        MultiPolygon(Polygon(ring(116.02 + third, 39.02, 1e-4, 1e-4)), srid=4326),
        MultiPolygon(Polygon(ring(116.03, 39.03 - third, 1e-4, 1e-4)), srid=4326),
    ]
    attributes: list[dict[str, Any]] = [
        {
            "name": 'Wohnhaus Ä — 大楼 \u2028 "quoted" \\ back',
            "height_m": 9.0,
            "storeys_above_ground": 3,
            "structural_system": "C1L",
            "design_era": "GB50011-2010",
            "fortification_intensity": 7.5,
            "occupancy": "RES3",
            "floor_area_m2": 0.1 + 0.2,
            "day_population": 12.345678901234567,
            "night_population": 0.0,
            "replacement_cost": 1.2345678901234e9,
            "source": "ifc:IfcBuilding",
            "imputed": {"height_m": "storeys-mul", "occupancy": "region-default"},
        },
        {"structural_system": "C1L", "storeys_above_ground": 12, "height_m": 36.6},
        {},  # every attribute unset: None or ""
        {"structural_system": "URML", "storeys_above_ground": 1, "occupancy": "RES1"},
        {"name": "south-west", "storeys_above_ground": 5, "fortification_intensity": 8.0},
        {"structural_system": "C1L", "occupancy": "RES3", "replacement_cost": 1e-7},
        {"design_era": "pre-1974", "source": "footprints:osm"},
    ]
    for i, (shape, extra) in enumerate(zip(shapes, attributes, strict=True)):
        Building.objects.create(town=town, global_id=f"g{i}", footprint=shape, **extra)
    return town


@pytest.fixture
def viewer(town: Town) -> User:
    user = User.objects.create_user("viewer", password="pw")
    TownMembership.objects.create(user=user, town=town, role="viewer")
    return user


def serializer_path(user: User, url: str) -> Response:
    request = APIRequestFactory().get(url)
    force_authenticate(request, user)
    response = SerializerPathViewSet.as_view({"get": "list"})(request, town_slug="varied")
    response.render()
    return response


def bulk_path(user: User, url: str, **headers: str) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(url, headers=headers)


def assert_same(new: Any, old: Any, where: str = "$", in_geometry: bool = False) -> None:
    """Equal JSON, key order included; coordinates within ``TOLERANCE_DEG``."""
    if isinstance(old, dict):
        assert isinstance(new, dict) and list(new) == list(old), where
        for key in old:
            assert_same(new[key], old[key], f"{where}.{key}", in_geometry or key == "geometry")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), where
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            assert_same(a, b, f"{where}[{i}]", in_geometry)
    elif in_geometry and isinstance(old, float):
        assert isinstance(new, int | float) and abs(new - old) <= TOLERANCE_DEG, where
    else:
        assert type(new) is type(old) and new == old, where


QUERIES = [
    "",
    "?page_size=3",
    "?page_size=3&page=2",
    "?page_size=3&page=3",
    "?structural_system=C1L",
    "?storeys_min=3&storeys_max=10",
    "?occupancy=RES3&page_size=1&page=2",
    "?in_bbox=115.99,38.99,116.0115,39.0115",
    "?in_bbox=-74,-41,-73,-40&source=",
]


@pytest.mark.parametrize("query", QUERIES)
def test_bulk_list_equals_the_serializer_output(town: Town, viewer: User, query: str) -> None:
    url = f"/api/towns/varied/buildings/{query}"
    old = serializer_path(viewer, url)
    new = bulk_path(viewer, url)
    assert (new.status_code, old.status_code) == (200, 200)
    assert new["Content-Type"] == old["Content-Type"] == "application/json"
    assert_same(new.json(), json.loads(old.content))


def test_the_comparison_sees_a_moved_vertex_and_a_changed_attribute(
    town: Town, viewer: User
) -> None:
    old = json.loads(serializer_path(viewer, "/api/towns/varied/buildings/").content)
    moved = json.loads(json.dumps(old))
    moved["features"][0]["geometry"]["coordinates"][0][0][1][0] += 2 * TOLERANCE_DEG
    with pytest.raises(AssertionError, match=r"coordinates\[0\]\[0\]\[1\]\[0\]"):
        assert_same(moved, old)
    retyped = json.loads(json.dumps(old))
    retyped["features"][0]["properties"]["height_m"] = 9  # int where the serializer wrote 9.0
    with pytest.raises(AssertionError, match="height_m"):
        assert_same(retyped, old)


def test_the_filters_pick_the_expected_buildings(town: Town, viewer: User) -> None:
    def ids(query: str) -> list[str]:
        data = bulk_path(viewer, f"/api/towns/varied/buildings/{query}").json()
        return [f["properties"]["global_id"] for f in data["features"]]

    assert ids("") == [f"g{i}" for i in range(7)]
    assert ids("?structural_system=C1L") == ["g0", "g1", "g5"]
    assert ids("?storeys_min=3&storeys_max=10") == ["g0", "g4"]
    # g2 has no footprint: SpatiaLite's MbrOverlaps(NULL, box) is -1 (true), PostGIS's NULL.
    boxed = ids("?in_bbox=115.99,38.99,116.0115,39.0115")
    assert [i for i in boxed if i != "g2"] == ["g0", "g1"]
    page = bulk_path(viewer, "/api/towns/varied/buildings/?page_size=3&page=2").json()
    assert (page["count"], len(page["features"])) == (7, 3)
    assert page["next"].endswith("?page=3&page_size=3")
    assert page["previous"].endswith("?page_size=3")


def test_bytes_equal_the_serializer_output_but_for_the_coordinate_text(
    town: Town, viewer: User
) -> None:
    """Byte for byte (separators, escapes, U+2028, key order) once each geometry is swapped."""
    url = "/api/towns/varied/buildings/"
    old = serializer_path(viewer, url).data
    query = features.FeatureQuery(BuildingSerializer)
    page = query.features(query.rows(Building.objects.filter(town=town)))
    texts = {pk: text for pk, text, _ in page.rows}
    marked = json.loads(json.dumps(old))
    for feature in marked["features"]:
        feature["geometry"] = f"@geometry-{feature['id']}@"
    expected = JSONRenderer().render(marked)
    for pk, text in texts.items():
        expected = expected.replace(f'"@geometry-{pk}@"'.encode(), (text or "null").encode())
    content = bulk_path(viewer, url).content
    assert b"\\u2028" in content and "大楼".encode() in content
    assert content == expected


def test_indented_and_browsable_output_hold_the_same_features(town: Town, viewer: User) -> None:
    url = "/api/towns/varied/buildings/?page_size=4"
    old = json.loads(serializer_path(viewer, url).content)
    indented = bulk_path(viewer, url, Accept="application/json; indent=2")
    assert indented.content.startswith(b'{\n  "type": "FeatureCollection"')
    assert_same(json.loads(indented.content), old)
    page = bulk_path(viewer, f"{url}&format=api")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert b"&quot;global_id&quot;: &quot;g3&quot;" in page.content


def test_a_property_without_a_model_column_is_refused() -> None:
    class Computed(BuildingSerializer):
        town_name = serializers.CharField(source="town.name")

        class Meta(BuildingSerializer.Meta):
            fields = ["id", "global_id", "town_name"]

    with pytest.raises(ImproperlyConfigured, match=r"field 'town_name' has source 'town\.name'"):
        features.FeatureQuery(Computed)


def test_features_of_an_empty_page_are_an_empty_collection(town: Town, viewer: User) -> None:
    data = bulk_path(viewer, "/api/towns/varied/buildings/?structural_system=W1").json()
    assert data == {
        "type": "FeatureCollection",
        "count": 0,
        "next": None,
        "previous": None,
        "features": [],
    }


def test_a_property_that_looks_like_the_placeholder_is_written_unspliced() -> None:
    square = '{"type":"Polygon","coordinates":[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]]}'
    page = features.Features(
        [
            (1, square, {"geometry": features.GEOMETRY_PLACEHOLDER, "name": "\u2028"}),
            (2, None, {"geometry": None, "name": "b"}),
        ]
    )
    data = {"type": "FeatureCollection", "features": page}
    content = features.FeaturesRenderer().render(data)
    assert json.loads(content)["features"] == page.as_dicts()
    assert content == JSONRenderer().render({**data, "features": page.as_dicts()})
    assert b"\\u2028" in content and b"\\u0000" in content
