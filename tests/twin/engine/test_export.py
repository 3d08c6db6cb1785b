"""Exporters: round trips through GeoPackage/GeoJSON in two CRSs, CSV, networks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyogrio
import pytest
import shapely

from tests.external import EXTERNAL, needs_external
from twin.engine.export import write_buildings, write_network
from twin.engine.footprints import FootprintSet, read_footprints
from twin.engine.imputation import impute_all
from twin.engine.records import (
    BuildingRecord,
    CimImportError,
    LinkRecord,
    NetworkRecord,
    NodeRecord,
)
from twin.vocabulary import BUILDING_ATTRIBUTES

BUBENEC = EXTERNAL / "footprints" / "momepy_bubenec_Prague.gpkg"
NETWORK = NetworkRecord(
    kind="water",
    name="toy",
    epsg=3857,
    nodes=(
        NodeRecord("a", 1603000.0, 6464000.0, "reservoir", 200.0, {"base_head_m": 200.0}),
        NodeRecord("b", 1603100.0, 6464000.0, "junction", 190.0),
    ),
    links=(
        LinkRecord(
            "p",
            "a",
            "b",
            "pipe",
            ((1603000.0, 6464000.0), (1603050.0, 6464020.0), (1603100.0, 6464000.0)),
            110.0,
            0.2,
            None,
            {"roughness": 100.0},
        ),
    ),
)


@pytest.fixture(scope="module")
def bubenec() -> FootprintSet:
    if not BUBENEC.is_file():
        pytest.skip("../shared/data/external is absent (fresh clone elsewhere)")
    return read_footprints(BUBENEC)


def _first_vertex(building: BuildingRecord) -> tuple[float, float]:
    geom = shapely.from_wkt(building.footprint_wkt)
    x, y = shapely.get_coordinates(geom)[0]
    return float(x), float(y)


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)


@needs_external
def test_gpkg_round_trip_same_crs(bubenec: FootprintSet, tmp_path: Path) -> None:
    path = write_buildings(
        impute_all(bubenec.buildings),
        tmp_path / "b.gpkg",
        fmt="gpkg",
        epsg=3857,
        columns=BUILDING_ATTRIBUTES,
    )
    back = read_footprints(path)
    assert (back.epsg, back.layer, len(back.buildings)) == (3857, "buildings", 144)
    assert back.buildings[0].global_id == bubenec.buildings[0].global_id
    assert _distance(_first_vertex(back.buildings[0]), _first_vertex(bubenec.buildings[0])) < 0.01
    assert back.buildings[0].height_m == 9.0 and back.buildings[0].occupancy == "RES3"


@needs_external
@pytest.mark.parametrize("fmt", ["gpkg", "geojson"])
def test_round_trip_through_wgs84(bubenec: FootprintSet, tmp_path: Path, fmt: str) -> None:
    wgs = read_footprints(
        write_buildings(
            bubenec.buildings,
            tmp_path / f"w.{fmt}",
            fmt=fmt,
            epsg=4326,
            columns=BUILDING_ATTRIBUTES,
        )
    )
    assert wgs.epsg == 4326
    lon, lat = _first_vertex(wgs.buildings[0])
    assert (lon, lat) == (pytest.approx(14.4054, abs=1e-3), pytest.approx(50.1044, abs=1e-3))
    again = read_footprints(
        write_buildings(
            wgs.buildings, tmp_path / f"m.{fmt}", fmt=fmt, epsg=3857, columns=BUILDING_ATTRIBUTES
        )
    )
    assert again.epsg == 3857
    for original, returned in zip(bubenec.buildings, again.buildings, strict=True):
        assert _distance(_first_vertex(original), _first_vertex(returned)) < 0.01


@needs_external
def test_geojson_in_projected_crs_reads_back(bubenec: FootprintSet, tmp_path: Path) -> None:
    path = write_buildings(
        bubenec.buildings[:3],
        tmp_path / "p.geojson",
        fmt="geojson",
        epsg=3857,
        columns=BUILDING_ATTRIBUTES,
    )
    assert json.loads(path.read_text())["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::3857"
    back = read_footprints(path)
    assert back.epsg == 3857
    assert _distance(_first_vertex(back.buildings[0]), _first_vertex(bubenec.buildings[0])) < 0.01


def test_buildings_csv_and_mixed_crs(tmp_path: Path) -> None:
    square = "POLYGON ((500000 3300000, 500010 3300000, 500010 3300010, 500000 3300000))"
    local = BuildingRecord("m", "metric", square, 32650, imputed={"height_m": "rule"})
    triangle = "POLYGON ((117 30, 117.001 30, 117.001 30.001, 117 30))"
    wgs = BuildingRecord("g", "geographic", triangle, 4326)
    none = BuildingRecord("n", "no footprint", None, 4326)
    path = write_buildings(
        [local, wgs, none], tmp_path / "b.csv", fmt="csv", epsg=32650, columns=BUILDING_ATTRIBUTES
    )
    rows = list(csv.DictReader(path.open()))
    assert [r["global_id"] for r in rows] == ["m", "g", "n"]
    assert rows[0]["wkt"] == square and rows[2]["wkt"] == ""
    assert {r["epsg"] for r in rows} == {"32650"}
    assert json.loads(rows[0]["imputed"]) == {"height_m": "rule"}
    moved = shapely.from_wkt(rows[1]["wkt"])  # UTM 50N: central meridian 117 E
    assert shapely.get_coordinates(moved)[0] == pytest.approx(
        [500000.0, 3320113.0 * 0.9996], abs=1.0
    )  # meridian arc
    assert moved.area == pytest.approx(0.5 * 96.49 * 110.85 * 0.9996**2, rel=0.002)


def test_network_gpkg_two_layers(tmp_path: Path) -> None:
    path = write_network(NETWORK, tmp_path / "n.gpkg", fmt="gpkg")
    assert [list(x) for x in pyogrio.list_layers(path)] == [
        ["nodes", "Point"],
        ["links", "LineString"],
    ]
    links = pyogrio.read_dataframe(path, layer="links")
    assert links.crs.to_epsg() == 3857 and links["length_m"][0] == 110.0
    assert len(shapely.get_coordinates(links.geometry[0])) == 3
    assert json.loads(links["attributes"][0]) == {"roughness": 100.0}


def test_network_geojson_one_collection(tmp_path: Path) -> None:
    path = write_network(NETWORK, tmp_path / "n.geojson", fmt="geojson", epsg=4326)
    data = json.loads(path.read_text())
    assert "crs" not in data  # RFC 7946: EPSG:4326 lon/lat
    assert [f["properties"]["layer"] for f in data["features"]] == ["node", "node", "link"]
    assert data["features"][0]["properties"]["attributes"] == {"base_head_m": 200.0}
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert 14 < lon < 15 and 50 < lat < 51


def test_network_csv(tmp_path: Path) -> None:
    rows = list(csv.DictReader(write_network(NETWORK, tmp_path / "n.csv", fmt="csv").open()))
    assert [r["layer"] for r in rows] == ["node", "node", "link"]
    assert rows[2]["wkt"] == "LINESTRING (1603000 6464000, 1603050 6464020, 1603100 6464000)"


@needs_external
def test_real_gas_network_exports(tmp_path: Path) -> None:
    from twin.engine.gasnet import read_pandapipes_json

    gas = read_pandapipes_json(EXTERNAL / "gas_networks" / "gas_net_schutterwald_1bar.json")
    path = write_network(gas, tmp_path / "gas.gpkg", fmt="gpkg")
    info = pyogrio.read_info(path, layer="links")
    assert (info["features"], info["crs"]) == (2559, "EPSG:31467")


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(CimImportError, match="unknown export format 'shp'"):
        write_network(NETWORK, tmp_path / "n.shp", fmt="shp")  # type: ignore[arg-type]
    local = NetworkRecord("water", "local", 0, NETWORK.nodes, NETWORK.links)
    with pytest.raises(CimImportError, match="local coordinates"):
        write_network(local, tmp_path / "n.gpkg", fmt="gpkg", epsg=4326)
    path = write_network(local, tmp_path / "l.gpkg", fmt="gpkg")
    assert pyogrio.read_info(path, layer="nodes")["crs"] is None
