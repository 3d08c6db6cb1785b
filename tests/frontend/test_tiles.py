"""3D Tiles of a town: GLB layout, geometry, per-building metadata, scoping and caching."""

from __future__ import annotations

import itertools
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.test import Client

from twin.engine import tiles as engine
from twin.models import Building, Town, TownMembership

SQUARE = [(116.0, 39.0), (116.0002, 39.0), (116.0002, 39.0002), (116.0, 39.0002), (116.0, 39.0)]
L_SHAPE = [(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2), (0, 0)]


def read_glb(data: bytes) -> tuple[dict[str, Any], bytes]:
    magic, version, total = struct.unpack_from("<4sII", data)
    assert (magic, version, total) == (b"glTF", 2, len(data))
    json_len, kind = struct.unpack_from("<I4s", data, 12)
    assert kind == b"JSON" and json_len % 4 == 0
    gltf = json.loads(data[20 : 20 + json_len])
    bin_len, kind = struct.unpack_from("<I4s", data, 20 + json_len)
    assert kind == b"BIN\0"
    return gltf, data[28 + json_len : 28 + json_len + bin_len]


def accessor(gltf: dict[str, Any], binary: bytes, index: int) -> np.ndarray:
    acc = gltf["accessors"][index]
    view = gltf["bufferViews"][acc["bufferView"]]
    width = {"SCALAR": 1, "VEC3": 3}[acc["type"]]
    raw = binary[view["byteOffset"] : view["byteOffset"] + view["byteLength"]]
    return np.frombuffer(raw, np.float32).reshape(acc["count"], width)


def property_values(gltf: dict[str, Any], binary: bytes, name: str) -> list[Any]:
    meta = gltf["extensions"]["EXT_structural_metadata"]
    table = meta["propertyTables"][0]
    prop = meta["schema"]["classes"]["building"]["properties"][name]
    views = gltf["bufferViews"]

    def chunk(i: int) -> bytes:
        return binary[views[i]["byteOffset"] : views[i]["byteOffset"] + views[i]["byteLength"]]

    if prop["type"] == "STRING":
        text = chunk(table["properties"][name]["values"])
        offsets = np.frombuffer(chunk(table["properties"][name]["stringOffsets"]), np.uint32)
        return [text[a:b].decode() for a, b in itertools.pairwise(offsets)]
    dtype = {"FLOAT32": np.float32, "FLOAT64": np.float64, "UINT32": np.uint32}
    return np.frombuffer(
        chunk(table["properties"][name]["values"]), dtype[prop["componentType"]]
    ).tolist()


def glb_of(
    polygons: list[Any], heights: list[float], **columns: list[Any]
) -> tuple[dict, bytes, np.ndarray]:
    cols = [engine.Column(k, "STRING", v) for k, v in columns.items()]
    data, centre = engine.tile_glb(
        engine.Buildings(np.array(polygons, dtype=object), np.array(heights, float), cols)
    )
    gltf, binary = read_glb(data)
    return gltf, binary, centre


def test_a_box_has_two_roof_and_eight_wall_triangles_with_outward_normals() -> None:
    gltf, binary, centre = glb_of([shapely.Polygon(SQUARE)], [10.0], name=["box"])
    prim = gltf["meshes"][0]["primitives"][0]
    pos = accessor(gltf, binary, prim["attributes"]["POSITION"])
    nor = accessor(gltf, binary, prim["attributes"]["NORMAL"])
    assert len(pos) == 3 * (2 + 8)
    ecef = np.stack([pos[:, 0], -pos[:, 2], pos[:, 1]], axis=1) + centre  # undo y-up
    up = engine.up_vector(np.array(116.0001), np.array(39.0001))
    heights = (ecef - engine.ecef(np.array(116.0001), np.array(39.0001), np.array(0.0))) @ up
    assert heights.min() == pytest.approx(0.0, abs=0.05)
    assert heights.max() == pytest.approx(10.0, abs=0.05)
    normals = np.stack([nor[:, 0], -nor[:, 2], nor[:, 1]], axis=1)
    assert np.allclose(normals[:6] @ up, 1.0, atol=1e-4)  # roofs face up
    walls = normals[6:]
    assert np.allclose(walls @ up, 0.0, atol=1e-3)  # walls are vertical
    centre_xy = engine.ecef(np.array(116.0001), np.array(39.0001), np.array(5.0))
    mid = ecef[6:].reshape(-1, 3, 3).mean(axis=1)
    outward = np.einsum("ij,ij->i", np.repeat(mid, 1, axis=0) - centre_xy, walls[::3])
    assert (outward > 0).all()  # each wall's normal points away from the building


def test_concave_and_holed_footprints_keep_their_area() -> None:
    scale = 1e-4
    l_shape = shapely.affinity.scale(shapely.Polygon(L_SHAPE), scale, scale, origin=(0, 0))
    l_shape = shapely.affinity.translate(l_shape, 116.0, 39.0)
    holed = shapely.Polygon(
        SQUARE,
        [
            [
                (116.00005, 39.00005),
                (116.00015, 39.00005),
                (116.00015, 39.00015),
                (116.00005, 39.00015),
            ]
        ],
    )
    xy, index = engine._roof_triangles(shapely.orient_polygons(np.array([l_shape, holed])))
    area = [0.0, 0.0]
    for tri, i in zip(xy, index, strict=True):
        (ax, ay), (bx, by), (cx, cy) = tri
        signed = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
        assert signed > 0  # counter-clockwise from above
        area[i] += signed / 2
    assert area[0] == pytest.approx(l_shape.area, rel=1e-9)
    assert area[1] == pytest.approx(holed.area, rel=1e-9)


def test_feature_ids_point_at_property_rows() -> None:
    a = shapely.Polygon(SQUARE)
    b = shapely.affinity.translate(a, 0.001, 0)
    multi = shapely.MultiPolygon(
        [shapely.affinity.translate(a, 0.002, 0), shapely.affinity.translate(a, 0.003, 0)]
    )
    gltf, binary, _ = glb_of(
        [a, b, multi], [3.0, 12.0, 6.0], structural_system=["C1L", "URML", "中文"]
    )
    prim = gltf["meshes"][0]["primitives"][0]
    ids = accessor(gltf, binary, prim["attributes"]["_FEATURE_ID_0"]).ravel()
    assert set(ids.tolist()) == {0.0, 1.0, 2.0}
    assert prim["extensions"]["EXT_mesh_features"]["featureIds"][0]["featureCount"] == 3
    assert property_values(gltf, binary, "structural_system") == ["C1L", "URML", "中文"]
    assert all(v["byteOffset"] % 8 == 0 for v in gltf["bufferViews"])


def test_grid_cells_cover_every_building_once() -> None:
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(116, 116.05, 5000), rng.uniform(39, 39.05, 5000)
    cells = engine.grid_cells(lon, lat, 700)
    assert sorted(np.concatenate(cells).tolist()) == list(range(5000))
    assert 5 <= len(cells) <= 16 and max(len(c) for c in cells) < 2000


@pytest.fixture
def towns(client: Client, settings: Any, tmp_path: Path) -> Town:
    settings.MEDIA_ROOT = tmp_path
    user = User.objects.create_user("viewer", password="pw")
    alpha = Town.objects.create(slug="alpha", name="Alpha")
    Town.objects.create(slug="beta", name="Beta")
    TownMembership.objects.create(user=user, town=alpha, role="viewer")
    for i in range(5):
        ring = [(x + i * 0.001, y) for x, y in SQUARE]
        Building.objects.create(
            town=alpha,
            global_id=f"b{i}",
            footprint=MultiPolygon(Polygon(ring)),
            height_m=3.0 * (i + 1) if i else None,
            structural_system="C1L" if i % 2 else "URML",
            floor_area_m2=100.0,
        )
    client.force_login(user)
    return alpha


@pytest.mark.django_db
def test_tileset_endpoint_serves_a_town_and_its_tiles(client: Client, towns: Town) -> None:
    response = client.get("/api/towns/alpha/tiles/tileset.json")
    assert response.status_code == 200
    tileset = response.json()
    assert tileset["asset"]["version"] == "1.1"
    assert tileset["extras"]["buildings"] == 5
    assert tileset["extras"]["values"]["structural_system"] == ["C1L", "URML"]
    uri = tileset["root"]["children"][0]["content"]["uri"]
    tile = client.get(f"/api/towns/alpha/tiles/{uri}")
    assert tile.status_code == 200 and tile["Content-Type"] == "model/gltf-binary"
    gltf, binary = read_glb(b"".join(tile.streaming_content))
    ids = property_values(gltf, binary, "building_id")
    assert sorted(ids) == sorted(Building.objects.values_list("id", flat=True))
    heights = property_values(gltf, binary, "height_m")
    assert heights[0] == engine.NO_DATA  # unknown height: noData, drawn 3 m high
    etag = response["ETag"]
    assert (
        client.get("/api/towns/alpha/tiles/tileset.json", HTTP_IF_NONE_MATCH=etag).status_code
        == 304
    )


@pytest.mark.django_db
def test_tiles_are_scoped_and_regenerated_when_the_town_changes(
    client: Client, towns: Town
) -> None:
    first = client.get("/api/towns/alpha/tiles/tileset.json")["ETag"]
    uri = client.get("/api/towns/alpha/tiles/tileset.json").json()["root"]["children"][0][
        "content"
    ]["uri"]
    assert client.get("/api/towns/beta/tiles/tileset.json").status_code == 404
    assert client.get(f"/api/towns/beta/tiles/{uri}").status_code == 404
    assert client.get("/api/towns/alpha/tiles/0123456789abcdef/0.glb").status_code == 404
    Building.objects.filter(global_id="b1").update(height_m=30.0)
    assert client.get("/api/towns/alpha/tiles/tileset.json")["ETag"] != first
    client.logout()
    assert client.get("/api/towns/alpha/tiles/tileset.json").status_code in (401, 403)
    assert client.get(f"/api/towns/alpha/tiles/{uri}").status_code in (401, 403)


@pytest.mark.django_db
def test_a_town_without_footprints_answers_400_not_500(client: Client, towns: Town) -> None:
    Building.objects.update(footprint=None)
    response = client.get("/api/towns/alpha/tiles/tileset.json")
    assert response.status_code == 400 and "footprints" in response.json()["town"][0]
