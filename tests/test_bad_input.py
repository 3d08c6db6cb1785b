"""Bad input at every operation of the OpenAPI schema: a message to act on, never a 5xx (issue 8).

Operations are enumerated from the schema (as ``tests/test_api_access.py`` does) and called as a
planner of town alpha on alpha's objects. Each field of a request body and each query parameter
gets a family of bad values derived from its schema (wrong type, NaN and infinities, huge and
out-of-range numbers, unknown choices, overlong strings, nulls, missing required fields) plus the
domain's own (magnitude 12, an epicentre off the globe, a bounding box with min > max, page 0).
Whole bodies are sent malformed, as the wrong content type or as a list; uploads get a non-IFC
file as IFC, a truncated GeoPackage and a zip bomb. Every answer must be a 4xx JSON body whose
message names the offending field, with no traceback, exception class or server path, and the
database must be unchanged.
"""

from __future__ import annotations

import bz2
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from rest_framework.test import APIClient
from shapely.geometry import Polygon as ShapelyPolygon

from tests.test_api_access import SCHEMA, fill, populate
from twin.engine import footprints
from twin.models import Building, Town, TownMembership

pytestmark = pytest.mark.django_db
HUGE = 10**30
WATCHED_APPS = {"twin", "scenarios", "django_tasks_db", "auth"}
TOWN_PATHS = {p: item for p, item in SCHEMA["paths"].items() if p.startswith("/api/towns")}
BODY_OPERATIONS = sorted(
    (path, method)
    for path, item in TOWN_PATHS.items()
    for method, op in item.items()
    if "requestBody" in op
)
QUERY_CASES = sorted(
    (path, method, parameter["name"])
    for path, item in TOWN_PATHS.items()
    for method, op in item.items()
    for parameter in op.get("parameters", [])
    if parameter["in"] == "query"
)
ID_PATHS = sorted(
    (path, method) for path, item in TOWN_PATHS.items() for method in item if "{id}" in path
)

# What must never reach a user: a traceback, an exception class, a path on the server.
LEAKS = [
    re.compile(r"Traceback"),
    re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception)\b"),
    re.compile(r"(?<![\w.-])/(tmp|work|home|usr|var|opt|root|srv|proc|etc)/"),
    re.compile(r"site-packages|\w/\w+\.py\b"),
    re.compile(r"'NoneType' object|has no attribute|not subscriptable|unsupported operand"),
    re.compile(r"No [A-Z]\w+ matches the given query"),  # a model class instead of words
]


# ---------------------------------------------------------------------------------------------
# The town, the planner and what "nothing written" means


@pytest.fixture
def town() -> dict[str, Any]:
    values = populate("alpha")
    user = User.objects.create_user("planner", password="pw")
    TownMembership.objects.create(user=user, town=Town.objects.get(slug="alpha"), role="planner")
    client = APIClient()
    client.force_authenticate(user)
    return {**values, "client": client}


def database_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of the project's tables (and the task queue and users), for before/after."""
    models = (m for m in apps.get_models() if m._meta.app_label in WATCHED_APPS)
    return {
        m._meta.label: [{k: str(v) for k, v in row.items()} for row in m._default_manager.values()]
        for m in models
    }


def problems_of(response: HttpResponse, field: str | None) -> list[str]:
    """Why ``response`` is not a helpful rejection of a bad ``field`` (empty: it is)."""
    found: list[str] = []
    if not 400 <= response.status_code < 500:
        found.append(f"status {response.status_code}")
    if not response.get("Content-Type", "").startswith("application/json"):
        found.append(f"content type {response.get('Content-Type')!r}, not JSON")
        return found
    text = response.content.decode()
    body = json.loads(text)
    if field is not None and not (
        isinstance(body, dict) and (field in body or field in str(body.get("detail", "")))
    ):  # a key of its own, or named in the one message
        found.append(f"the message does not name {field!r}")
    found += [f"leaks {leak.pattern!r}" for leak in LEAKS if leak.search(text)]
    return found


def rejected(
    client: APIClient, method: str, path: str, field: str | None, **kwargs: Any
) -> list[str]:
    """Send one bad request; its problems, including any row it wrote or changed."""
    before = database_state()
    response = getattr(client, method)(path, **kwargs)
    found = problems_of(response, field)
    if database_state() != before:
        found.append("the database changed")
    if found:
        found.append(f"answer {response.content[:300]!r}")
    return found


# ---------------------------------------------------------------------------------------------
# Bodies: a valid base per field, and bad values derived from each field's schema


def component(path: str, method: str) -> dict[str, Any]:
    content = TOWN_PATHS[path][method]["requestBody"]["content"]
    ref = next(iter(content.values()))["schema"]["$ref"]
    return resolve({"$ref": ref})


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return dict(SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    if "allOf" in schema:
        return {**resolve(schema["allOf"][0]), **{k: v for k, v in schema.items() if k != "allOf"}}
    return schema


INJECT_KIND_OF_TARGET = {
    "magnitude": "aftershock",
    "building": "ignition",
    "road": "road_closure",
    "hospital": "hospital_power_loss",
}


def valid_body(name: str, field: str, values: dict[str, Any]) -> dict[str, Any]:
    """A body of schema component ``name`` that is valid apart from what the test sets."""
    if name == "ScenarioRequest":
        point = {"type": "Point", "coordinates": [0.0005, 0.0005]}
        return {"name": "M6 west fault", "epicentre": point, "magnitude": 6.0, "depth_km": 10}
    if name == "DrillRequest":
        return {"run": values["run_pk"], "name": "bad input drill"}
    if name in ("InjectRequest", "PatchedInjectRequest"):
        kind = INJECT_KIND_OF_TARGET.get(field, "aftershock")
        body: dict[str, Any] = {"kind": kind, "time_s": 7200.0}
        target = next(t for t, k in INJECT_KIND_OF_TARGET.items() if k == kind)
        body[target] = 5.0 if target == "magnitude" else values["ids"]["buildings"]
        return body
    if name == "AdvanceRequest":
        return {"until_s": 1800.0}
    raise AssertionError(f"no valid body for {name}: add one to valid_body()")


def bad_values(schema: dict[str, Any], required: bool) -> Iterator[tuple[str, Any]]:
    """(label, value) pairs a field of ``schema`` must reject."""
    schema = resolve(schema)
    kind = schema.get("type")
    if not schema.get("nullable") and required:
        yield "null", None
    if "enum" in schema:
        yield "unknown choice", "not-a-choice"
        yield "list", [schema["enum"][0]]
    elif kind in ("integer", "number"):
        yield from [("text", "abc"), ("NaN", "NaN"), ("Infinity", "Infinity")]
        yield from [("-Infinity", "-Infinity"), ("1e999", "1e999"), ("object", {"value": 1})]
        yield "huge", HUGE
        yield "huge negative", -HUGE
        if kind == "integer":
            yield "fraction", 1.5
        if "minimum" in schema:
            yield "below minimum", schema["minimum"] - 1
        if "maximum" in schema and schema["maximum"] < 2**31:
            yield "above maximum", schema["maximum"] + 1
    elif kind == "string":
        yield "object", {"text": "x"}
        yield "NUL character", "bad\x00name"
        if "maxLength" in schema:
            yield "overlong", "x" * (schema["maxLength"] + 1)
        if schema.get("minLength"):
            yield "empty", ""
    elif kind == "boolean":
        yield "not a boolean", "maybe"
    elif kind == "object":  # the epicentre, a GeoJSON point
        yield "text", "31N 103E"
        yield "longitude off the globe", {"type": "Point", "coordinates": [200.0, 31.0]}
        yield "latitude off the globe", {"type": "Point", "coordinates": [103.0, 100.0]}
        yield "a polygon", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
        yield "coordinates as text", {"type": "Point", "coordinates": ["a", "b"]}
        yield "no coordinates", {"type": "Point", "coordinates": []}
        yield "infinite coordinate", {"type": "Point", "coordinates": ["Infinity", 0]}
        yield "huge coordinate", {"type": "Point", "coordinates": [1e308, 0.0]}


# Constraints of the domain that the schema's types do not carry: (component, field, label, value).
DOMAIN_VALUES = [
    ("ScenarioRequest", "magnitude", "magnitude 12", 12.0),
    ("ScenarioRequest", "realisations", "negative realisations", -5),
    ("ScenarioRequest", "realisations", "no realisations", 0),
    ("ScenarioRequest", "depth_km", "negative depth", -3.0),
    ("ScenarioRequest", "wind_speed_m_s", "negative wind", -1.0),
    ("InjectRequest", "magnitude", "aftershock magnitude 12", 12.0),
    ("InjectRequest", "time_s", "before the earthquake", -60.0),
    ("InjectRequest", "time_s", "beyond the drill horizon", 1e9),
    ("InjectRequest", "building", "another town's or no building", 10**9),
    ("InjectRequest", "road", "not a road", 10**9),
    ("InjectRequest", "hospital", "not a hospital", 10**9),
    ("AdvanceRequest", "until_s", "before the clock", -60.0),
    ("DrillRequest", "run", "no such run", 10**9),
    ("DrillRequest", "start_s", "before the earthquake", -1.0),
    ("DrillRequest", "rescue_teams", "no rescue teams", 0),
]

BODY_FIELD_CASES = [
    (path, method, field)
    for path, method in BODY_OPERATIONS
    if "imports" not in path
    for field in component(path, method)["properties"]
    if not component(path, method)["properties"][field].get("readOnly")
]


def test_the_schema_has_the_bodies_and_queries() -> None:
    assert len(BODY_OPERATIONS) >= 7 and len(QUERY_CASES) >= 20
    assert ("/api/towns/{town_slug}/imports/", "post") in BODY_OPERATIONS
    assert ("/api/towns/{town_slug}/buildings/", "get", "in_bbox") in QUERY_CASES


@pytest.mark.parametrize(("path", "method", "field"), BODY_FIELD_CASES)
def test_a_bad_body_field_is_named_and_nothing_is_written(
    town: dict[str, Any], path: str, method: str, field: str
) -> None:
    schema = component(path, method)
    name = schema_name(path, method)
    cases = list(bad_values(schema["properties"][field], field in schema.get("required", [])))
    cases += [
        (label, value)
        for comp, f, label, value in DOMAIN_VALUES
        if f == field and comp in (name, name.replace("Patched", ""))
    ]
    url = fill(path, town)
    failures = {}
    for label, value in cases:
        body = {**valid_body(name, field, town), field: value}
        found = rejected(town["client"], method, url, field, data=body, format="json")
        if found:
            failures[label] = found
    assert not failures, failures


@pytest.mark.parametrize(("path", "method"), BODY_OPERATIONS)
def test_a_malformed_body_is_rejected_with_a_message(
    town: dict[str, Any], path: str, method: str
) -> None:
    url, client = fill(path, town), town["client"]
    schema = component(path, method)
    failures = {}
    shapes: dict[str, dict[str, Any]] = {
        "malformed JSON": {"data": '{"name": ', "content_type": "application/json"},
        "NaN literal": {"data": '{"magnitude": NaN}', "content_type": "application/json"},
        "wrong content type": {"data": "magnitude=6", "content_type": "text/plain"},
        "a list": {"data": "[1, 2]", "content_type": "application/json"},
        "a huge body": {
            "data": json.dumps({"name": "x" * 2_000_000}),
            "content_type": "application/json",
        },
        "a body over the size limit": {
            "data": json.dumps({"name": "x" * 3_000_000}),
            "content_type": "application/json",
        },
        "too many fields": {"data": {f"field{i}": "1" for i in range(1200)}},
    }
    for label, kwargs in shapes.items():
        found = rejected(client, method, url, None, **kwargs)
        if found:
            failures[label] = found
    # each required field missing names that field (uploads: bad_files() below)
    for field in schema.get("required", []) if "imports" not in path else []:
        body = valid_body(schema_name(path, method), field, town)
        body.pop(field, None)
        found = rejected(client, method, url, field, data=body, format="json")
        if found:
            failures[f"missing {field}"] = found
    assert not failures, failures


def schema_name(path: str, method: str) -> str:
    content = TOWN_PATHS[path][method]["requestBody"]["content"]
    return str(next(iter(content.values()))["schema"]["$ref"].rsplit("/", 1)[-1])


# ---------------------------------------------------------------------------------------------
# Query parameters


def query_bad_values(name: str, schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs query parameter ``name`` of ``schema`` must reject."""
    if name in ("page", "page_size"):
        return [("zero", "0"), ("negative", "-1"), ("text", "abc"), ("10^9", str(10**9))]
    if name == "in_bbox":
        return [
            ("text", "abc"),
            ("three numbers", "0,0,1"),
            ("min > max", "0.001,0.001,0,0"),
            ("NaN", "NaN,0,1,1"),
            ("infinite", "-Infinity,0,Infinity,1"),
            ("latitude off the globe", "0,-100,1,100"),
            ("longitude off the globe", "-200,0,200,1"),
        ]
    if "enum" in schema:
        return [("unknown choice", "not-a-choice")]
    if schema.get("type") in ("integer", "number"):
        cases = [("text", "abc"), ("NaN", "NaN"), ("Infinity", "Infinity"), ("1e999", "1e999")]
        if name not in VALID_EXTREMES:
            cases += [("huge", str(HUGE)), ("huge negative", str(-HUGE))]
        if "minimum" in schema:
            cases.append(("below minimum", str(schema["minimum"] - 1)))
        return cases
    return [("NUL character", "bad\x00value")]


# Filter bounds where any number is a fair question (a huge one has an empty answer).
VALID_EXTREMES = {"storeys_min", "storeys_max", "offset"}


@pytest.mark.parametrize(("path", "method", "name"), QUERY_CASES)
def test_a_bad_query_parameter_is_named(
    town: dict[str, Any], path: str, method: str, name: str
) -> None:
    parameter = next(
        p
        for p in TOWN_PATHS[path][method]["parameters"]
        if p["in"] == "query" and p["name"] == name
    )
    url = fill(path, town)
    failures = {}
    for label, value in query_bad_values(name, resolve(parameter["schema"])):
        found = rejected(town["client"], method, url, name, data={name: value})
        if found:
            failures[label] = found
    assert not failures, failures


def test_a_huge_but_valid_bound_answers_an_empty_result(town: dict[str, Any]) -> None:
    client: APIClient = town["client"]
    Building.objects.update(storeys_above_ground=3)
    buildings = fill("/api/towns/{town_slug}/buildings/", town)
    assert client.get(buildings, {"storeys_min": str(HUGE)}).json()["features"] == []
    assert client.get(buildings, {"storeys_max": str(-HUGE)}).json()["features"] == []
    assert len(client.get(buildings, {"storeys_min": str(-HUGE)}).json()["features"]) == 1
    log = client.get(fill("/api/towns/{town_slug}/runs/{id}/log/", town), {"offset": str(HUGE)})
    assert log.status_code == 200 and log.json()["text"] == ""


@pytest.mark.parametrize(("path", "method"), ID_PATHS)
def test_a_huge_id_in_the_path_is_not_found(town: dict[str, Any], path: str, method: str) -> None:
    url = fill(path, {**town, "ids": dict.fromkeys(town["ids"], HUGE)})
    body: dict[str, Any] | None = {} if method in ("post", "put", "patch") else None
    before = database_state()
    response = getattr(town["client"], method)(url, data=body, format="json")
    assert response.status_code == 404 and not problems_of(response, None), response.content
    assert "not found" in response.json()["detail"] and database_state() == before


# ---------------------------------------------------------------------------------------------
# Uploads (multipart)

UPLOAD = "/api/towns/{town_slug}/imports/"


def footprints_geojson() -> bytes:
    ring = [[0.0, 0.0], [0.0001, 0.0], [0.0001, 0.0001], [0.0, 0.0001], [0.0, 0.0]]
    feature = {
        "type": "Feature",
        "properties": {"height": 6.0},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def geopackage(folder: Path) -> bytes:
    frame = gpd.GeoDataFrame(
        {"height": [6.0, 9.0]},
        geometry=[ShapelyPolygon([(0, 0), (0.0001, 0), (0.0001, 0.0001)])] * 2,
        crs="EPSG:4326",
    )
    path = folder / "buildings.gpkg"
    frame.to_file(path, driver="GPKG")
    return path.read_bytes()


def zip_bomb(megabytes: int = 200) -> bytes:
    """A small zip holding ``megabytes`` MB of zeros as a 'shapefile'."""
    out = io.BytesIO()
    chunk = bytes(2**20)
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("buildings.shp", "w") as member,
    ):
        for _ in range(megabytes):
            member.write(chunk)
    return out.getvalue()


def upload(kind: str, name: str, content: bytes, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "file": SimpleUploadedFile(name, content), **fields}


def test_a_valid_upload_validates_without_writing(town: dict[str, Any]) -> None:
    url = fill(UPLOAD, town)
    before = database_state()
    response = town["client"].post(
        url, upload("footprints", "b.geojson", footprints_geojson(), validate_only="true")
    )
    assert response.status_code == 200, response.content[:300]
    assert response.json()["counts"]["buildings"] == 1
    assert database_state() == before


UPLOAD_FIELDS = [
    (field, label, value)
    for field, schema in component(UPLOAD, "post")["properties"].items()
    if field != "file"
    for label, value in bad_values(schema, field in component(UPLOAD, "post")["required"])
    if value is not None and not isinstance(value, dict | list)  # a form carries text
]


@pytest.mark.parametrize(("field", "label", "value"), UPLOAD_FIELDS)
def test_a_bad_upload_field_is_named(
    town: dict[str, Any], field: str, label: str, value: Any
) -> None:
    body = upload("footprints", "b.geojson", footprints_geojson(), validate_only="true")
    body[field] = value
    found = rejected(town["client"], "post", fill(UPLOAD, town), field, data=body)
    assert not found, found


def bad_files(folder: Path) -> dict[str, dict[str, Any]]:
    """Uploads a town must refuse with a message about the file (label -> multipart body)."""
    gpkg = geopackage(folder)
    return {
        "no fields at all": {},
        "no file": {"kind": "ifc", "validate_only": "true"},
        "text instead of a file": {"kind": "ifc", "file": "model.ifc", "validate_only": "true"},
        "an empty file": upload("ifc", "model.ifc", b""),
        "a non-IFC file as IFC": upload("ifc", "model.ifc", b"hello, I am not a model\n"),
        "a non-IFC file as IFC, validate_only": upload(
            "ifc", "model.ifc", b"ISO-10303-21;\nHEADER;\nnonsense", validate_only="true"
        ),
        "a truncated GeoPackage": upload("footprints", "b.gpkg", gpkg[: len(gpkg) // 3]),
        "a truncated GeoPackage, validate_only": upload(
            "footprints", "b.gpkg", gpkg[:2048], validate_only="true"
        ),
        "a zip bomb": upload("footprints", "b.zip", zip_bomb(), validate_only="true"),
        "a GeoJSON off the globe": upload(
            "footprints",
            "b.geojson",
            footprints_geojson().replace(b"0.0001", b"500.0"),
            validate_only="true",
        ),
        "an executable as footprints": upload("footprints", "b.exe", b"MZ\x90\x00" * 64),
        "a non-EPANET file as EPANET": upload("epanet", "net.inp", b"[JUNCTIONS]\n a b c d\n"),
        "a non-network file as gas": upload("gas", "gas.geojson", b'{"type": "Feature"}'),
        "an overlong file name": upload("footprints", "b" * 300 + ".geojson", footprints_geojson()),
        "an unknown EPSG code": upload(
            "epanet", "net.inp", b"[JUNCTIONS]\n 1 0 0\n[END]\n", epsg="999999"
        ),
    }


def test_a_compressed_osm_bomb_stops_at_the_cap(
    town: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(footprints, "MAX_DECOMPRESSED_BYTES", 8 * 2**20)
    bomb = bz2.compress(bytes(32 * 2**20))  # 32 MiB of zeros in about 100 bytes
    body = upload("footprints", "town.osm.bz2", bomb, validate_only="true")
    found = rejected(town["client"], "post", fill(UPLOAD, town), "file", data=body)
    assert not found, found
    response = town["client"].post(fill(UPLOAD, town), data=upload("footprints", "t.osm.bz2", bomb))
    assert "decompresses to over 0.0078125 GiB" in response.json()["file"][0]


def test_bad_files_are_refused_with_a_message(town: dict[str, Any], tmp_path: Path) -> None:
    url = fill(UPLOAD, town)
    failures = {}
    for label, body in bad_files(tmp_path).items():
        field = "epsg" if "EPSG" in label else "file"
        found = rejected(town["client"], "post", url, field, data=body)
        if found:
            failures[label] = found
    assert not failures, failures
