"""One list of building attributes (``twin.vocabulary.BUILDING_ATTRIBUTES``) and its users."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Polygon
from rest_framework.test import APIClient

from twin import services
from twin.engine.imputation import ATTRIBUTES as IMPUTABLE
from twin.engine.records import BuildingRecord
from twin.models import Building, Town, TownMembership
from twin.persist import BUILDING_FIELDS
from twin.vocabulary import BUILDING_ATTRIBUTES


def test_every_attribute_is_a_column_and_a_record_field() -> None:
    columns = {f.name for f in Building._meta.concrete_fields}
    record_fields = {f.name for f in dataclasses.fields(BuildingRecord)}
    assert set(BUILDING_ATTRIBUTES) <= columns
    assert set(BUILDING_ATTRIBUTES) <= record_fields
    assert len(set(BUILDING_ATTRIBUTES)) == len(BUILDING_ATTRIBUTES) == 13


def test_the_imputation_rules_set_only_listed_attributes() -> None:
    assert set(IMPUTABLE) <= set(BUILDING_ATTRIBUTES)


def test_an_upsert_overwrites_every_column_but_the_keys() -> None:
    columns = {f.name for f in Building._meta.concrete_fields}
    assert set(BUILDING_FIELDS) == columns - {"id", "town", "global_id"}
    assert len(BUILDING_FIELDS) == len(set(BUILDING_FIELDS))


@pytest.mark.django_db
def test_api_properties_and_export_columns_follow_the_list(tmp_path: Path) -> None:
    town = Town.objects.create(slug="attrs", name="Attrs", crs_epsg=4326)
    ring = [(103.0, 31.0), (103.001, 31.0), (103.001, 31.001), (103.0, 31.0)]
    Building.objects.create(
        town=town, global_id="b1", footprint=MultiPolygon(Polygon(ring), srid=4326)
    )
    user = User.objects.create_user("attrs-viewer", password="pw")
    TownMembership.objects.create(user=user, town=town, role="viewer")
    api = APIClient()
    api.force_authenticate(user)
    listed = api.get("/api/towns/attrs/buildings/").json()["features"][0]
    detail = api.get(f"/api/towns/attrs/buildings/{listed['id']}/").json()
    assert list(listed["properties"]) == [*BUILDING_ATTRIBUTES, "imputed"]
    assert list(detail["properties"])[: len(BUILDING_ATTRIBUTES) + 1] == list(listed["properties"])
    written = services.town_export(town=town, directory=tmp_path, fmt="csv", epsg=4326)
    with written[0].open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == [*BUILDING_ATTRIBUTES, "footprint_epsg", "imputed", "epsg", "wkt"]
