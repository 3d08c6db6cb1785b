"""The town generator engine: profiles, determinism, networks, water service, IFC round trip."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely

from tests.external import EXTERNAL, needs_external
from twin.engine.ifc.extrusion import ExtrusionReader
from twin.engine.ifc.geometry import _iterate, _summarise
from twin.engine.ifc.reader import read_ifc
from twin.engine.ifc.step_text import global_id
from twin.engine.ifc.town_writer import write_town_ifc
from twin.engine.records import CimImportError
from twin.engine.towns.buildings import hazus_code
from twin.engine.towns.generate import generate_town
from twin.engine.towns.ifcspec import ifc_spec
from twin.engine.towns.profile import load_profile, parse_profile, profile_slugs
from twin.engine.towns.realtown import prepare_real_town, transplant_network
from twin.engine.towns.water import check_service, wntr_model
from twin.vocabulary import DESIGN_ERAS, HAZUS_BUILDING_TYPES, HAZUS_OCCUPANCIES, SITE_CLASSES

GENERATED = [s for s in profile_slugs() if load_profile(s).kind == "generated"]
SMALL = 0.02


@pytest.fixture(scope="module")
def small_towns():  # type: ignore[no-untyped-def]
    return {
        slug: generate_town(load_profile(slug), seed=0, size_factor=SMALL) for slug in GENERATED
    }


def test_ten_distinct_profiles_at_least_two_real() -> None:
    profiles = [load_profile(s) for s in profile_slugs()]
    assert len(profiles) == 10
    assert len({p.profile for p in profiles}) == 10
    assert sum(p.kind == "real" for p in profiles) >= 2
    for p in profiles:
        assert 18.0 < p.latitude_deg < 54.0 and 73.0 < p.longitude_deg < 135.0  # in China
        assert p.fortification_intensity in (6.0, 7.0, 7.5, 8.0, 8.5, 9.0)
    sizes = [p.buildings for p in profiles]
    assert min(sizes) < 500 and max(sizes) >= 20000


def test_malformed_profile_is_rejected_with_the_key() -> None:
    with pytest.raises(CimImportError, match="missing"):
        parse_profile({"slug": "x"})
    with pytest.raises(CimImportError, match="unknown eras"):
        parse_profile(
            {
                "slug": "x",
                "name": "x",
                "profile": "x",
                "kind": "generated",
                "location": {"latitude_deg": 30, "longitude_deg": 110},
                "fortification_intensity": 7,
                "buildings": 10,
                "districts": [{"occupancy": {"RES3": 1}, "eras": {"1900s": 1}}],
            }
        )


def test_hazus_height_classes() -> None:
    assert [hazus_code("C2", n) for n in (3, 4, 7, 8)] == ["C2L", "C2M", "C2M", "C2H"]
    assert [hazus_code("URM", n) for n in (2, 3)] == ["URML", "URMM"]
    assert hazus_code("RM1", 4) == "RM1M" and hazus_code("W1", 2) == "W1"


def test_generation_is_deterministic_and_seeded() -> None:
    profile = load_profile("lijiang-old-town")
    a = generate_town(profile, seed=3, size_factor=SMALL)
    b = generate_town(profile, seed=3, size_factor=SMALL)
    c = generate_town(profile, seed=4, size_factor=SMALL)
    assert a == b
    assert a.buildings != c.buildings


@pytest.mark.parametrize("slug", GENERATED)
def test_buildings_have_every_attribute(small_towns, slug: str) -> None:
    town = small_towns[slug]
    assert len(town.buildings) >= 15
    for b in town.buildings:
        assert b.structural_system in HAZUS_BUILDING_TYPES
        assert b.occupancy in HAZUS_OCCUPANCIES and b.design_era in DESIGN_ERAS
        assert b.storeys >= 1 and b.floor_area_m2 > 0 and b.replacement_cost > 0
        assert b.night_population > 0 and b.day_population > 0
        assert b.footprint().is_valid
    footprints = [b.footprint() for b in town.buildings]
    tree = shapely.STRtree(footprints)
    overlaps = [
        (i, j)
        for i, j in zip(*tree.query(footprints, predicate="overlaps"), strict=True)
        if i < j and footprints[i].intersection(footprints[j]).area > 1.0
    ]
    assert overlaps == []


@pytest.mark.parametrize("slug", GENERATED)
def test_networks_connected_and_water_serves_every_demand(small_towns, slug: str) -> None:
    town = small_towns[slug]
    assert {n.kind for n in town.networks} == {"water", "gas", "power", "road"}
    for network in town.networks:
        graph = nx.Graph([(link.start, link.end) for link in network.links])
        graph.add_nodes_from(n.key for n in network.nodes)
        assert nx.number_connected_components(graph) == 1, network.kind
    water = next(n for n in town.networks if n.kind == "water")
    check = check_service(wntr_model(water))
    assert check.demand_nodes > 0 and check.all_served, check


@pytest.mark.parametrize("slug", GENERATED)
def test_site_zones_do_not_overlap_and_cover_the_buildings(small_towns, slug: str) -> None:
    town = small_towns[slug]
    zones = [shapely.from_wkt(z.area_wkt) for z in town.site_zones]
    assert all(z.site_class in SITE_CLASSES for z in town.site_zones)
    for i, a in enumerate(zones):
        for b in zones[i + 1 :]:
            assert a.intersection(b).area < 1.0
    union = shapely.union_all(zones)
    assert all(union.contains(shapely.Point(b.x_m, b.y_m)) for b in town.buildings)


def test_bridges_where_a_river_crosses() -> None:
    town = generate_town(load_profile("yibin-riverside"), seed=0, size_factor=0.1)
    road = next(n for n in town.networks if n.kind == "road")
    assert Counter(link.component_type for link in road.links)["bridge"] >= 2
    water = next(n for n in town.networks if n.kind == "water")
    mains = [link for link in water.links if link.key.startswith("TM")]
    assert len(mains) == 2 and min(link.length_m for link in mains) > 4000.0


def test_industrial_park_has_chemical_sites_and_a_gas_hub() -> None:
    town = generate_town(load_profile("tianjin-nangang-chempark"), seed=0, size_factor=0.2)
    sites = [f for f in town.facilities if f.kind == "hazchem_site"]
    assert len(sites) >= 3 and all(f.substance and f.inventory_kg for f in sites)
    gas = next(n for n in town.networks if n.kind == "gas")
    assert {"city_gate", "storage", "regulator"} <= {n.component_type for n in gas.nodes}


def test_new_district_isolates_schools_and_hospitals() -> None:
    town = generate_town(load_profile("yaan-new-district"), seed=0, size_factor=0.1)
    critical = [b for b in town.buildings if b.occupancy in ("COM6", "EDU1")]
    assert critical and all(b.isolated for b in critical)
    assert not any(b.isolated for b in town.buildings if b.occupancy.startswith("RES"))


def test_town_ifc_round_trip_through_the_reader(tmp_path: Path, small_towns) -> None:
    town = small_towns["tangshan-lunan"]
    chosen = town.buildings[:12]
    path = tmp_path / "part.ifc"
    profile = town.profile
    write_town_ifc(
        path,
        [ifc_spec(b, 0.0) for b in chosen],
        name="t",
        latitude_deg=profile.latitude_deg,
        longitude_deg=profile.longitude_deg,
    )
    summary = read_ifc(path)
    assert summary.schema == "IFC4" and summary.georeference.method == "IfcSite"
    read = {b.global_id: b for b in summary.buildings}
    for b in chosen:
        r = read[global_id(b.key)]
        assert r.structural_system == b.structural_system and r.occupancy == b.occupancy
        assert r.design_era == b.design_era and r.isolated == b.isolated
        assert r.night_population == pytest.approx(b.night_population)
        assert r.replacement_cost == pytest.approx(b.replacement_cost)
        assert r.storeys_above_ground == b.storeys
        assert r.floor_area_m2 == pytest.approx(b.floor_area_m2, rel=1e-9)
        assert r.height_m == pytest.approx(b.storeys * b.storey_height_m, abs=1e-6)
        assert all(s.mass_kg and s.mass_kg > 0 for s in r.storeys)
    assert not [p for p in summary.problems if p.code != "density-default"]


def test_exact_extrusions_equal_the_geometry_kernel(tmp_path: Path, small_towns) -> None:
    import ifcopenshell

    town = small_towns["yibin-riverside"]
    path = tmp_path / "k.ifc"
    write_town_ifc(
        path,
        [ifc_spec(b, 0.0) for b in town.buildings[:6]],
        name="k",
        latitude_deg=28.0,
        longitude_deg=104.0,
    )
    model = ifcopenshell.open(str(path))
    elements = list(model.by_type("IfcBuildingElement"))
    fast = ExtrusionReader(1.0)
    for step_id, verts, geometry in _iterate(model, elements):
        kernel = _summarise(verts, geometry)
        corners, volume = fast.corners(model.by_id(step_id))
        assert kernel is not None
        assert volume == pytest.approx(kernel.volume_m3, rel=1e-6)
        assert corners[:, 2].max() == pytest.approx(kernel.z_max, abs=1e-6)
        hull = shapely.MultiPoint(corners[:, :2]).convex_hull
        assert (
            hull.symmetric_difference(shapely.Polygon(kernel.hull_xy)).area
            < 1e-6 * hull.area + 1e-4
        )


@needs_external
def test_transplant_keeps_shapes_and_distances() -> None:
    profile = load_profile("bubenec-villas")
    gpkg = EXTERNAL / "footprints" / "momepy_bubenec_Prague.gpkg"
    real = prepare_real_town(profile, gpkg, (gpkg, "streets"))
    from twin.engine.footprints import read_footprints
    from twin.engine.imputation import footprint_area_m2

    source = {b.global_id: b for b in read_footprints(gpkg).buildings}
    for b in real.buildings[:20]:
        expected = footprint_area_m2(source[b.global_id].footprint_wkt, 3857)
        assert shapely.from_wkt(b.footprint_wkt).area == pytest.approx(expected, rel=1e-3)
    assert all(b.fortification_intensity == 7.0 for b in real.buildings)
    assert {n.kind for n in real.networks} == {"water", "gas", "power", "road"}


@needs_external
def test_transplanted_networks_are_centred_and_metric() -> None:
    from twin.engine.epanet import read_epanet
    from twin.engine.gasnet import read_pandapipes_json

    water = transplant_network(
        read_epanet(EXTERNAL / "water_networks" / "MICROPOLIS_v1.inp"), unit_m=0.3048
    )
    gas = transplant_network(
        read_pandapipes_json(EXTERNAL / "gas_networks" / "gas_net_schutterwald_1bar.json")
    )
    for net in (water, gas):
        xy = np.array([(n.x, n.y) for n in net.nodes])
        assert net.epsg == 0 and np.abs(xy.mean(axis=0)).max() < 1.0
        pos = {n.key: (n.x, n.y) for n in net.nodes}
        ratios = [
            link.length_m / math.dist(pos[link.start], pos[link.end])
            for link in net.links
            if link.component_type == "pipe"
            and len(link.coords) == 2
            and math.dist(pos[link.start], pos[link.end]) > 5
        ]
        assert float(np.median(ratios)) == pytest.approx(1.0, abs=0.01)
