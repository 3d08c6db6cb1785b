"""Footprint and gas-network import through the shell, and exports back to GIS files."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pyogrio
import pytest
import shapely
from django.core.management import call_command

from tests.external import EXTERNAL, needs_external
from twin.models import Building, LifelineNetwork, Town

BUBENEC = EXTERNAL / "footprints" / "momepy_bubenec_Prague.gpkg"
pytestmark = pytest.mark.django_db


def run(*args: str) -> dict:  # type: ignore[type-arg]
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@needs_external
def test_bubenec_footprints_import_with_imputed_attributes() -> None:
    report = run("import_footprints", str(BUBENEC), "--town", "prague")
    assert report["counts"]["buildings"] == 144 and report["counts"]["epsg"] == 3857
    assert Building.objects.filter(town__slug="prague").count() == 144
    building = Building.objects.filter(town__slug="prague").first()
    assert building is not None
    assert building.structural_system and building.storeys_above_ground
    assert {"storeys_above_ground", "structural_system"} <= set(building.imputed)
    assert Town.objects.get(slug="prague").crs_epsg == 3857
    run("import_footprints", str(BUBENEC), "--town", "prague")
    assert Building.objects.filter(town__slug="prague").count() == 144


@needs_external
@pytest.mark.parametrize("fmt", ["gpkg", "geojson"])
def test_footprint_round_trip_keeps_a_control_point_within_1_cm(fmt: str, tmp_path: Path) -> None:
    run("import_footprints", str(BUBENEC), "--town", "prague")
    call_command(
        "export_town", "prague", "--format", fmt, "--output", str(tmp_path), stdout=StringIO()
    )
    source = pyogrio.read_dataframe(BUBENEC, layer="buildings")
    exported = pyogrio.read_dataframe(tmp_path / f"prague-buildings.{fmt}")
    assert exported.crs.to_epsg() == 3857
    assert len(exported) == len(source) == 144
    original = shapely.get_coordinates(source.geometry.iloc[0])[0]
    key = f"buildings:uID={source['uID'].iloc[0]}"
    row = exported[exported["global_id"] == key].geometry.iloc[0]
    back = shapely.get_coordinates(row)
    assert min(abs(back - original).max(axis=1)) < 0.01


@needs_external
def test_kotka_osm_pbf_imports_in_wgs84() -> None:
    path = EXTERNAL / "footprints" / "pyrosm_test_Karhula-Kotka_FI.osm.pbf"
    report = run("import_footprints", str(path), "--town", "kotka")
    assert report["counts"]["buildings"] == 2193
    centre = Building.objects.filter(town__slug="kotka").first().footprint.centroid  # type: ignore[union-attr]
    assert 26.93 < centre.x < 26.97 and 60.52 < centre.y < 60.54


@needs_external
def test_schutterwald_gas_network_lands_in_schutterwald(tmp_path: Path) -> None:
    path = EXTERNAL / "gas_networks" / "gas_net_schutterwald_1bar.json"
    report = run("import_gas_network", str(path), "--town", "schutterwald")
    assert report["counts"]["nodes"] == 2559 and report["counts"]["links"] == 2559
    network = LifelineNetwork.objects.get(town__slug="schutterwald")
    assert network.kind == "gas"
    source = network.nodes.get(component_type="source")
    assert (source.location.y, source.location.x) == pytest.approx((48.457, 7.884), abs=0.02)
    call_command(
        "export_town",
        "schutterwald",
        "--format",
        "csv",
        "--output",
        str(tmp_path),
        stdout=StringIO(),
    )
    assert len(list(tmp_path.glob("*.csv"))) == 2


def test_footprints_in_an_unknown_format_exit_2(manage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "buildings.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    result = manage("import_footprints", str(path), "--town", "x")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
