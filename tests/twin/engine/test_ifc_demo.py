"""The demo-building writer against read_ifc: counts, units, mass, place, pipes."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from pyproj import Geod
from shapely import wkt

from twin.engine.ifc import read_ifc, write_demo_building_ifc
from twin.engine.ifc.georef import GeoFrame, tangent_plane_frame
from twin.engine.ifc.units import degrees_to_dms, dms_to_degrees
from twin.engine.records import Georeference, IfcSummary

LAT, LON = 37.983810, 23.727539  # Athens


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IfcSummary]:
    path = tmp_path_factory.mktemp("demo") / "demo.ifc"
    write_demo_building_ifc(
        path, name="Demo block", latitude_deg=LAT, longitude_deg=LON, with_pipes=True
    )
    return path, read_ifc(path)


def test_demo_counts_are_exactly_what_was_written(demo) -> None:
    _, summary = demo
    (building,) = summary.buildings
    assert summary.schema == "IFC4" and summary.length_unit_m == pytest.approx(0.001)
    assert len(building.storeys) == 3 and building.storeys_above_ground == 3
    for storey in building.storeys:  # 4 x 3 grid points; 3*3 + 2*4 beams; one slab
        assert storey.element_counts["IfcColumn"] == 12
        assert storey.element_counts["IfcBeam"] == 17
        assert storey.element_counts["IfcSlab"] == 1
    assert building.element_counts["IfcColumn"] == 36 and building.element_counts["IfcBeam"] == 51
    assert building.materials == ("Concrete C30/37",)


def test_demo_mass_by_hand(demo) -> None:
    """Per storey: columns 12 x 0.4 x 0.4 x 3.0 = 5.76 m3; beams 17 x 0.3 x 0.5 x 5.6 = 14.28 m3;
    slab 18 x 12 x 0.2 = 43.2 m3 -> 63.24 m3 x 2400 kg/m3 = 151 776 kg; plus
    1000 Pa x 216 m2 / 9.80665 m/s2 = 22 025.87 kg -> 173 801.87 kg."""
    _, summary = demo
    expected = 63.24 * 2400.0 + 1000.0 * 216.0 / 9.80665
    for storey in summary.buildings[0].storeys:
        assert storey.mass_kg == pytest.approx(expected, rel=1e-9)
        assert storey.mass_kg == pytest.approx(173_801.87, abs=0.01)
        assert storey.floor_area_m2 == pytest.approx(216.0)
        assert storey.height_m == pytest.approx(3.2)
        assert "quantity" in storey.basis


def test_demo_is_c1l_and_sits_on_its_grid(demo) -> None:
    _, summary = demo
    building = summary.buildings[0]
    assert (
        building.structural_system == "C1L"
        and "inferred from elements" in building.imputed["structural_system"]
    )
    assert building.height_m == pytest.approx(9.6)
    geod = Geod(ellps="WGS84")

    def local_to_lonlat(x: float, y: float) -> tuple[float, float]:
        lon, lat, _ = geod.fwd(LON, LAT, math.degrees(math.atan2(x, y)), math.hypot(x, y))
        return lon, lat

    half = 0.2  # column half width beyond the grid lines
    sw = local_to_lonlat(-half, -half)
    ne = local_to_lonlat(18.0 + half, 12.0 + half)
    minx, miny, maxx, maxy = wkt.loads(building.footprint_wkt).bounds
    assert (minx, miny) == pytest.approx(sw, abs=1e-6)
    assert (maxx, maxy) == pytest.approx(ne, abs=1e-6)
    assert summary.georeference.latitude_deg == pytest.approx(LAT, abs=1e-9)


def test_demo_pipe_network(demo) -> None:
    _, summary = demo
    (network,) = summary.networks
    assert network.kind == "water" and network.epsg == 4326
    assert len(network.nodes) == 4 and len(network.links) == 3  # pump, 2 tees, valve; 3 pipes
    graph = nx.MultiGraph()
    graph.add_edges_from((link.start, link.end) for link in network.links)
    assert nx.is_connected(graph) and graph.number_of_nodes() == 4
    assert all(
        link.length_m == pytest.approx(6.0) and link.diameter_m == pytest.approx(0.1)
        for link in network.links
    )
    assert not summary.problems


def test_millimetre_and_metre_files_agree(tmp_path: Path) -> None:
    results = []
    for unit in ("MILLIMETRE", "METRE"):
        path = tmp_path / f"{unit}.ifc"
        write_demo_building_ifc(
            path,
            name="u",
            latitude_deg=LAT,
            longitude_deg=LON,
            storeys=4,
            storey_height_m=3.5,
            length_unit=unit,
        )
        results.append(read_ifc(path))
    mm, m = (r.buildings[0] for r in results)
    assert [s.elevation_m for s in mm.storeys] == pytest.approx([0.0, 3.5, 7.0, 10.5])
    assert [s.elevation_m for s in m.storeys] == pytest.approx([s.elevation_m for s in mm.storeys])
    assert [s.mass_kg for s in m.storeys] == pytest.approx([s.mass_kg for s in mm.storeys])
    assert wkt.loads(m.footprint_wkt).equals_exact(wkt.loads(mm.footprint_wkt), 1e-9)
    assert mm.structural_system == "C1M"  # 4 storeys


def test_writer_is_deterministic(tmp_path: Path) -> None:
    paths = [tmp_path / f"{i}.ifc" for i in range(3)]
    for path, seed in zip(paths, (7, 7, 8), strict=True):
        write_demo_building_ifc(
            path, name="d", latitude_deg=LAT, longitude_deg=LON, seed=seed, with_pipes=True
        )
    assert paths[0].read_bytes() == paths[1].read_bytes() != paths[2].read_bytes()


def test_user_placement_is_used_when_the_file_has_none(tmp_path: Path) -> None:
    path = tmp_path / "noref.ifc"
    write_demo_building_ifc(path, name="n", latitude_deg=0.0, longitude_deg=0.0, storeys=1)
    bare = read_ifc(path)
    assert bare.georeference.method == "none" and bare.georeference.epsg == 0
    assert {"site-zero-reference", "no-georeference"} <= {p.code for p in bare.problems}
    placed = read_ifc(
        path, placement=Georeference("user", 4326, latitude_deg=LAT, longitude_deg=LON)
    )
    assert placed.georeference.method == "user" and placed.buildings[0].footprint_epsg == 4326
    minx, miny, _, _ = wkt.loads(placed.buildings[0].footprint_wkt).bounds
    assert minx == pytest.approx(LON, abs=1e-4) and miny == pytest.approx(LAT, abs=1e-4)


def test_dms_round_trip_and_sign() -> None:
    for angle in (LAT, -LON, 0.5, -0.000001, 179.999999):
        assert dms_to_degrees(degrees_to_dms(angle)) == pytest.approx(angle, abs=1e-9)
    assert dms_to_degrees((49, 6, 1, 566000)) == pytest.approx(49 + 6 / 60 + 1.566 / 3600)
    assert dms_to_degrees((-87, -38, -21, -839999)) < 0 and dms_to_degrees(None) is None


def test_true_north_rotates_local_axes() -> None:
    frame: GeoFrame = tangent_plane_frame(
        Georeference("user", 4326, latitude_deg=LAT, longitude_deg=LON, true_north_deg=90.0)
    )
    # north is local -x when TrueNorth = (-1, 0): a point at local (-100, 0) is 100 m north
    lon, lat = frame.to_crs(np.array([[-100.0, 0.0]]))[0]
    assert lon == pytest.approx(LON, abs=1e-9) and lat > LAT
    _, _, dist = Geod(ellps="WGS84").inv(LON, LAT, lon, lat)
    assert dist == pytest.approx(100.0, abs=0.01)
