"""The ten demonstration towns, built small through the real import paths (issue 3)."""

from __future__ import annotations

import hashlib
import math
import zipfile
from pathlib import Path

import networkx as nx
import pytest

from tests.external import EXTERNAL, needs_external
from twin import package_data, selectors, towns
from twin.engine.records import CimImportError
from twin.engine.towns.profile import load_profile, profile_slugs
from twin.engine.towns.water import check_service, wntr_model
from twin.models import Building, Facility, ImportRecord, SiteZone, Town
from twin.vocabulary import (
    BUILDING_ATTRIBUTES,
    DESIGN_ERAS,
    HAZUS_BUILDING_TYPES,
    HAZUS_OCCUPANCIES,
)

SIZE = 0.01
SLUGS = profile_slugs()
pytestmark = [pytest.mark.external_data, pytest.mark.slow]


def _data(key: str) -> Path:
    return package_data.fetch(key, Path("/nonexistent"), local_copies=EXTERNAL)


def _build(tmp: Path, **options: object) -> dict[str, towns.TownBuild]:
    return {
        slug: towns.town_build(
            slug=slug,
            data=_data,
            workdir=tmp,
            size_factor=SIZE,
            landmarks_dir=EXTERNAL / "ifc",
            **options,
        )  # type: ignore[arg-type]
        for slug in SLUGS
    }


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    """All ten towns, built once for this module and removed afterwards."""
    if not EXTERNAL.is_dir():
        pytest.skip("../shared/data/external is absent")
    tmp = tmp_path_factory.mktemp("towns")
    with django_db_blocker.unblock():
        first = _build(tmp)
        checksum = _checksum()
        yield {"first": first, "checksum": checksum, "tmp": tmp}
        Town.objects.filter(slug__in=SLUGS).delete()


def _checksum() -> str:
    """Digest of every attribute of every building, facility and zone of the ten towns."""
    digest = hashlib.sha256()
    fields = [*BUILDING_ATTRIBUTES, "footprint", "isolated"]
    for row in Building.objects.filter(town__slug__in=SLUGS).order_by("town__slug", "global_id"):
        digest.update(repr([str(getattr(row, f)) for f in fields]).encode())
    for f in Facility.objects.filter(town__slug__in=SLUGS).order_by("town__slug", "name"):
        digest.update(repr([f.kind, f.name, f.location.wkt, f.capacity, f.building_id]).encode())
    for z in SiteZone.objects.filter(town__slug__in=SLUGS).order_by("town__slug", "name"):
        digest.update(repr([z.name, z.site_class, z.vs30_m_s, z.area.wkt]).encode())
    for town in Town.objects.filter(slug__in=SLUGS).order_by("slug"):
        for n in town.networks.order_by("name"):
            digest.update(repr([n.name, n.nodes.count(), n.links.count()]).encode())
    return digest.hexdigest()


@pytest.mark.django_db
def test_ten_towns_built(built) -> None:
    assert sorted(built["first"]) == SLUGS
    for slug in SLUGS:
        town = Town.objects.get(slug=slug)
        assert town.origin is not None and town.boundary is not None
        assert town.fortification_intensity == load_profile(slug).fortification_intensity
        assert town.crs_epsg != 4326


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_every_building_has_what_the_analyses_need(built, slug: str) -> None:
    buildings = list(Building.objects.filter(town__slug=slug))
    assert len(buildings) >= 15
    for b in buildings:
        assert b.structural_system in HAZUS_BUILDING_TYPES, b.global_id
        assert b.occupancy in HAZUS_OCCUPANCIES and b.design_era in DESIGN_ERAS
        assert b.storeys_above_ground and b.height_m and b.height_m > 0
        assert b.fortification_intensity and b.floor_area_m2 and b.floor_area_m2 > 0
        assert b.day_population is not None and b.night_population is not None
        assert b.replacement_cost and b.replacement_cost > 0
        assert b.footprint is not None and b.footprint.valid


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_networks_are_connected_from_their_sources(built, slug: str) -> None:
    networks = list(Town.objects.get(slug=slug).networks.all())
    assert {"water", "gas", "power", "road"} <= {n.kind for n in networks}
    for network in networks:
        record = selectors.network_record(network)
        graph = nx.Graph([(link.start, link.end) for link in record.links])
        graph.add_nodes_from(n.key for n in record.nodes)
        assert nx.number_connected_components(graph) == 1, network.name


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_water_serves_every_demand_node_without_damage(built, slug: str) -> None:
    water = Town.objects.get(slug=slug).networks.get(kind="water")
    if water.source == "epanet":  # a real network: run its own file through WNTR
        import wntr

        from twin.engine.epanet import strip_optional_sections

        clean, _ = strip_optional_sections(_data("micropolis").read_text())
        path = built["tmp"] / "micropolis.inp"
        path.write_text(clean)
        check = check_service(wntr.network.WaterNetworkModel(str(path)))
    else:
        check = check_service(wntr_model(selectors.network_record(water)))
    assert check.demand_nodes > 0 and check.all_served, check


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_every_shelter_is_reachable_by_road_from_every_residential_building(
    built, slug: str
) -> None:
    town = Town.objects.get(slug=slug)
    road = selectors.network_record(town.networks.get(kind="road"))
    graph = nx.Graph([(link.start, link.end) for link in road.links])
    points = {n.key: (n.x, n.y) for n in road.nodes}

    def nearest(x: float, y: float) -> str:
        return min(points, key=lambda k: math.dist(points[k], (x, y)))

    shelters = list(town.facilities.filter(kind="shelter"))
    assert shelters and all(s.capacity and s.capacity > 0 for s in shelters)
    targets = {nearest(s.location.x, s.location.y) for s in shelters}
    homes = Building.objects.filter(town=town, occupancy__startswith="RES")
    starts = {nearest(b.footprint.centroid.x, b.footprint.centroid.y) for b in homes}
    component = nx.node_connected_component(graph, next(iter(targets)))
    assert targets | starts <= component


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_facilities(built, slug: str) -> None:
    facilities = Facility.objects.filter(town__slug=slug)
    kinds = set(facilities.values_list("kind", flat=True))
    assert {"hospital", "shelter", "fire_station", "command_centre"} <= kinds
    for f in facilities:
        if f.kind in ("hospital", "school", "shelter", "fire_station"):
            assert f.capacity and f.capacity > 0, f.name
        if f.kind == "hazchem_site":
            assert f.substance and f.inventory_kg and f.inventory_kg > 0
    assert SiteZone.objects.filter(town__slug=slug).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_totals_are_plausible_for_the_profile(built, slug: str) -> None:
    checks = load_profile(slug).checks
    rows = list(Building.objects.filter(town__slug=slug))
    area = sum(b.floor_area_m2 for b in rows)
    night = sum(b.night_population for b in rows)
    values = {
        "floor_area_m2_per_resident": area / night,
        "cost_cny_per_m2": sum(b.replacement_cost for b in rows) / area,
        "night_population_per_building": night / len(rows),
        "storeys_mean": sum(b.storeys_above_ground for b in rows) / len(rows),
    }
    for name, (low, high) in checks.items():
        assert low <= values[name] <= high, (name, values[name])


@pytest.mark.django_db
def test_a_second_build_changes_nothing(built) -> None:
    again = _build(built["tmp"])
    assert {r.status for r in again.values()} == {"up to date"}
    assert _checksum() == built["checksum"]
    records = ImportRecord.objects.filter(town__slug__in=SLUGS).count()
    forced = _build(built["tmp"], force=True)
    assert {r.status for r in forced.values()} == {"built"}
    assert _checksum() == built["checksum"]
    assert ImportRecord.objects.filter(town__slug__in=SLUGS).count() == records


@pytest.mark.django_db
def test_landmarks_are_placed_in_their_towns(built) -> None:
    town = Town.objects.get(slug="yaan-new-district")
    landmark = Building.objects.get(town=town, source_file="AC11-Institute-Var-2-IFC.ifc")
    assert town.boundary.contains(landmark.footprint.centroid)
    assert landmark.fortification_intensity == 8.0


def test_package_data_reads_the_member_out_of_a_wheel(tmp_path: Path) -> None:
    source = EXTERNAL / "footprints" / "momepy_bubenec_Prague.gpkg"
    if not source.is_file():
        pytest.skip("../shared/data/external is absent")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    with zipfile.ZipFile(wheels / "momepy-0.11.0-py3-none-any.whl", "w") as wheel:
        wheel.write(source, "momepy/datasets/bubenec.gpkg")
    path = package_data.fetch("bubenec_gpkg", tmp_path / "cache", wheel_dir=wheels)
    assert path.read_bytes() == source.read_bytes()
    assert path.parent.parent == tmp_path / "cache"
    with pytest.raises(CimImportError, match="unknown package data"):
        package_data.fetch("nope", tmp_path)


@needs_external
def test_command_builds_a_real_town(manage) -> None:  # type: ignore[no-untyped-def]
    assert manage("migrate", "-v", "0").returncode == 0
    args = ("build_demo_towns", "--only", "bubenec-villas", "--external-data", str(EXTERNAL))
    first = manage(*args)
    assert first.returncode == 0, first.stderr
    assert "bubenec-villas: built" in first.stdout and "144 buildings" in first.stdout
    second = manage(*args)
    assert "bubenec-villas: up to date" in second.stdout
    assert manage("build_demo_towns", "--only", "atlantis").returncode != 0


@needs_external
@pytest.mark.django_db
def test_build_demo_towns_from_another_command_takes_the_data_folder_as_text(
    settings, tmp_path: Path
) -> None:
    """score_towns passes --external-data on through call_command, where argparse's type=Path
    does not apply: the folder arrives as a str and must still be used."""
    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    call_command("build_demo_towns", only=["bubenec-villas"], external_data=str(EXTERNAL))
    assert Building.objects.filter(town__slug="bubenec-villas").count() == 144
