"""Footprint reader: real files (Prague, Kotka, West Oakland) and generated error cases."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from tests.external import EXTERNAL, needs_external
from twin.engine.footprints import building_attributes, parse_hstore, read_footprints
from twin.engine.records import CimImportError

FOOTPRINTS = EXTERNAL / "footprints"
SQUARE = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)])


def _write(frame: gpd.GeoDataFrame, path: Path, layer: str | None = None) -> Path:
    pyogrio.write_dataframe(frame, path, layer=layer)
    return path


@needs_external
def test_bubenec_gpkg_keeps_crs_and_coordinates() -> None:
    result = read_footprints(FOOTPRINTS / "momepy_bubenec_Prague.gpkg")
    assert (len(result.buildings), result.epsg, result.layer) == (144, 3857, "buildings")
    assert result.problems == ()
    first = result.buildings[0]
    assert first.global_id == "buildings:uID=1" and first.footprint_epsg == 3857
    raw = gpd.read_file(FOOTPRINTS / "momepy_bubenec_Prague.gpkg", layer="buildings")
    assert shapely.equals_exact(shapely.from_wkt(first.footprint_wkt), raw.geometry[0], 0.0)
    assert len({b.global_id for b in result.buildings}) == 144


@needs_external
def test_kotka_pbf_buildings_and_clipped_rings() -> None:
    result = read_footprints(FOOTPRINTS / "pyrosm_test_Karhula-Kotka_FI.osm.pbf")
    skipped = [p for p in result.problems if p.code != "geometry-repaired"]
    assert result.epsg == 4326 and result.layer == "multipolygons"
    assert len(result.buildings) + len(skipped) == 2219  # every building feature accounted for
    assert len(result.buildings) == 2193
    assert all(b.global_id.startswith("osm:") for b in result.buildings)
    assert sum(b.storeys_above_ground is not None for b in result.buildings) == 10
    tags = [b.source_attributes.get("building") for b in result.buildings]
    assert tags.count("residential") > 1000
    assert all(shapely.from_wkt(b.footprint_wkt).is_valid for b in result.buildings)


@needs_external
def test_west_oakland_osm_bz2() -> None:
    result = read_footprints(FOOTPRINTS / "osmnx_West-Oakland.osm.bz2")
    assert (len(result.buildings), result.epsg) == (23, 4326)
    levels = sorted(b.storeys_above_ground for b in result.buildings if b.storeys_above_ground)
    assert levels == [4, 5]
    assert "osm:way/52538635" in {b.global_id for b in result.buildings}


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "city.dwg"
    path.write_bytes(b"x")
    with pytest.raises(CimImportError, match=r"unsupported file type '\.dwg'"):
        read_footprints(path)


@pytest.mark.parametrize("name", ["corrupt.gpkg", "empty.geojson", "empty.gpkg"])
def test_unreadable_files(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(os.urandom(4096) if name.startswith("corrupt") else b"")
    with pytest.raises(CimImportError, match=name):
        read_footprints(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CimImportError, match="not found"):
        read_footprints(tmp_path / "nothing.gpkg")


def test_point_only_geojson_is_rejected(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"id": [1]}, geometry=[shapely.Point(1, 2)], crs=4326)
    path = _write(frame, tmp_path / "points.geojson")
    with pytest.raises(CimImportError, match="no polygon layer"):
        read_footprints(path)


def test_geojson_without_crs_member_is_wgs84(tmp_path: Path) -> None:
    path = tmp_path / "plain.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"height":"12 m"},"geometry":{"type":"Polygon","coordinates":'
        "[[[116.1,39.9],[116.1001,39.9],[116.1001,39.9001],[116.1,39.9]]]}}]}"
    )
    result = read_footprints(path)
    assert result.epsg == 4326  # RFC 7946 default CRS
    assert result.buildings[0].height_m == 12.0


def test_zipped_shapefile(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"floors": [4], "use": ["school"]}, geometry=[SQUARE], crs=4547)
    _write(frame, tmp_path / "b.shp")
    archive = tmp_path / "b.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for part in tmp_path.glob("b.*"):
            if part.suffix != ".zip":
                handle.write(part, part.name)
    result = read_footprints(archive)
    assert result.epsg == 4547 and result.layer == "b"
    building = result.buildings[0]
    assert building.storeys_above_ground == 4
    assert building.source_attributes["building"] == "school"
    assert building.global_id == "b:0"


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_shapefile_without_prj_is_rejected(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[SQUARE])
    _write(frame, tmp_path / "noprj.shp")
    archive = tmp_path / "noprj.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for part in tmp_path.glob("noprj.*"):
            if part.suffix != ".zip":
                handle.write(part, part.name)
    with pytest.raises(CimImportError, match="no coordinate reference system"):
        read_footprints(archive)


def test_layer_choice(tmp_path: Path) -> None:
    path = tmp_path / "multi.gpkg"
    polys = gpd.GeoDataFrame({"a": [1]}, geometry=[SQUARE], crs=3857)
    _write(polys, path, layer="parcels")
    _write(polys, path, layer="zones")
    with pytest.raises(CimImportError, match=r"several polygon layers.*parcels.*zones"):
        read_footprints(path)
    _write(polys, path, layer="Buildings_2020")
    assert read_footprints(path).layer == "Buildings_2020"
    assert read_footprints(path, layer="zones").layer == "zones"
    with pytest.raises(CimImportError, match="no layer 'roads'"):
        read_footprints(path, layer="roads")


def test_bad_features_become_problems(tmp_path: Path) -> None:
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    line = shapely.LineString([(0, 0), (5, 5)])
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "levels": ["3", "abc", None]},
        geometry=[SQUARE, bowtie, line],
        crs=4326,
    )
    result = read_footprints(_write(frame, tmp_path / "mixed.geojson"))
    assert [b.global_id for b in result.buildings] == ["mixed:id=a", "mixed:id=b"]
    codes = {(p.code, p.element) for p in result.problems}
    assert ("geometry-repaired", "mixed:id=b") in codes
    assert ("attribute-invalid", "mixed:id=b") in codes
    assert ("not-polygon", "mixed:id=c") in codes
    assert shapely.from_wkt(result.buildings[1].footprint_wkt).is_valid


def test_attribute_parsing() -> None:
    attrs, problems = building_attributes(
        {"Height": "40 ft", "building:levels": "2.5", "occupancy": "com4", "start_date": "c. 1987"},
        "x",
    )
    assert attrs["height_m"] == pytest.approx(12.192)
    assert attrs["storeys_above_ground"] == 3
    assert attrs["occupancy"] == "COM4"
    assert attrs["source_attributes"] == {"year": "1987"}
    assert problems == []
    _, problems = building_attributes({"height": "-3"}, "y")
    assert problems[0].code == "attribute-invalid"


def test_hstore() -> None:
    text = '"building:levels"=>"5","name:en"=>"The \\"Big\\" One","parking"=>"multi-storey"'
    assert parse_hstore(text) == {
        "building:levels": "5",
        "name:en": 'The "Big" One',
        "parking": "multi-storey",
    }
    assert parse_hstore(None) == {}
