"""IFC import through the shell: manage.py import_ifc, atomicity, idempotency, exit status."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.external import EXTERNAL, needs_external
from twin import services
from twin.engine.ifc.writer import write_demo_building_ifc
from twin.engine.records import CimImportError
from twin.models import Building, ImportRecord, LifelineNetwork, Storey, Town

LAT, LON = 30.996, 103.619


@pytest.fixture(scope="module")
def demo_ifc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ifc") / "frame.ifc"
    write_demo_building_ifc(path, name="Frame", latitude_deg=LAT, longitude_deg=LON, storeys=3)
    return path


def import_json(path: Path, town: str, *extra: str) -> dict:  # type: ignore[type-arg]
    out = StringIO()
    call_command("import_ifc", str(path), "--town", town, "--json", *extra, stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_generated_building_imports_with_storeys_and_place(demo_ifc: Path) -> None:
    report = import_json(demo_ifc, "frame-town")
    assert report["counts"]["buildings"] == 1 and report["counts"]["storeys"] == 3
    building = Building.objects.get(town__slug="frame-town")
    assert building.structural_system == "C1L"
    assert "structural_system" in building.imputed
    storeys = list(building.storeys.order_by("index"))
    assert [s.elevation_m for s in storeys] == pytest.approx([0.0, 3.2, 6.4])
    assert all(s.mass_kg and s.mass_kg > 0 for s in storeys)
    assert building.footprint is not None
    west, south, _, _ = building.footprint.extent  # the grid's SW column, 0.4 m wide
    assert (south, west) == pytest.approx((LAT, LON), abs=1e-5)
    town = Town.objects.get(slug="frame-town")
    assert town.origin is not None and town.crs_epsg == 32648  # UTM 48N for 103.6° E
    assert ImportRecord.objects.get(town=town).kind == "ifc"


@pytest.mark.django_db
def test_reimport_updates_by_global_id_never_duplicates(demo_ifc: Path) -> None:
    first = import_json(demo_ifc, "frame-town")
    Building.objects.update(name="renamed by a planner")
    second = import_json(demo_ifc, "frame-town")
    assert first["counts"] == second["counts"]
    assert Building.objects.count() == 1 and Storey.objects.count() == 3
    assert Building.objects.get().name == "Frame"


@pytest.mark.django_db
def test_validate_only_writes_nothing(demo_ifc: Path) -> None:
    report = import_json(demo_ifc, "frame-town", "--validate-only")
    assert report["validate_only"] and report["counts"]["storeys"] == 3
    assert not Town.objects.exists()


@pytest.mark.django_db
def test_failure_while_writing_rolls_back_everything(
    demo_ifc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise CimImportError("simulated failure after the buildings were written")

    monkeypatch.setattr(services, "_record", explode)
    with pytest.raises(CommandError) as info:
        call_command("import_ifc", str(demo_ifc), "--town", "frame-town")
    assert info.value.returncode == 2
    assert not Town.objects.exists() and not Building.objects.exists()


@pytest.mark.django_db
def test_file_without_georeference_needs_a_placement(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.ifc"
    write_demo_building_ifc(path, name="Nowhere", latitude_deg=0.0, longitude_deg=0.0, storeys=2)
    with pytest.raises(CommandError, match="--lat, --lon"):
        call_command("import_ifc", str(path), "--town", "t")
    assert not Town.objects.exists()
    call_command("import_ifc", str(path), "--town", "t", "--lat", "31.0", "--lon", "103.0")
    assert Building.objects.get().footprint.centroid.y == pytest.approx(31.0, abs=5e-4)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"id,name\n1,house\n", "not an IFC"),
        (bytes(range(256)) * 64, "not an IFC"),
    ],
)
def test_rejected_input_exits_2_with_one_line(
    manage, tmp_path: Path, content: bytes, reason: str
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "input.ifc"
    path.write_bytes(content)
    result = manage("import_ifc", str(path), "--town", "x")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    assert reason.lower() in result.stderr.lower()


def test_missing_file_exits_2(manage, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = manage("import_ifc", str(tmp_path / "absent.ifc"), "--town", "x")
    assert result.returncode == 2 and "no such file" in result.stderr


@needs_external
@pytest.mark.django_db
def test_fzk_haus_storeys_and_site() -> None:
    report = import_json(EXTERNAL / "ifc" / "AC20-FZK-Haus.ifc", "kit")
    assert report["counts"]["georeference"] == "IfcSite"
    storeys = list(Storey.objects.filter(building__town__slug="kit").order_by("index"))
    assert [round(s.elevation_m, 2) for s in storeys] == [0.0, 2.7]
    centre = Building.objects.get(town__slug="kit").footprint.centroid
    assert (centre.y, centre.x) == pytest.approx((49.10, 8.44), abs=0.01)


@needs_external
@pytest.mark.django_db
def test_bim2sim_heating_network_is_stored_whole() -> None:
    path = EXTERNAL / "ifc" / "bim2sim_hvac_heating_B03.ifc"
    report = import_json(path, "mep", "--lat", "50.78", "--lon", "6.05")
    network = LifelineNetwork.objects.get(town__slug="mep")
    assert network.nodes.count() == report["counts"]["network_nodes"]
    assert network.links.count() == report["counts"]["network_links"]
    assert network.links.filter(component_type="IfcPipeSegment").count() == 100


@needs_external
@pytest.mark.django_db
def test_unconnected_pipes_are_reported() -> None:
    report = import_json(
        EXTERNAL / "ifc" / "B01_4_HeatExchanger_noConnection.ifc",
        "mep",
        "--lat",
        "48",
        "--lon",
        "8",
    )
    unconnected = {p["element"] for p in report["problems"] if p["code"] == "pipe-unconnected"}
    assert len(unconnected) == 4


@pytest.mark.django_db
def test_parser_crash_in_the_child_is_a_clear_error_and_writes_nothing(
    demo_ifc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWIN_IFC_SANDBOX_TEST_FAULT", "segfault")
    with pytest.raises(CommandError, match="crashed") as info:
        call_command("import_ifc", str(demo_ifc), "--town", "frame-town")
    assert info.value.returncode == 2
    assert not Town.objects.exists()
    monkeypatch.delenv("TWIN_IFC_SANDBOX_TEST_FAULT")
    assert import_json(demo_ifc, "frame-town")["counts"]["buildings"] == 1  # we are still alive


@needs_external
@pytest.mark.django_db
def test_two_files_with_the_same_project_name_keep_separate_networks() -> None:
    for name in ["B01_2_HeatExchanger_Pipes.ifc", "B01_4_HeatExchanger_noConnection.ifc"]:
        import_json(EXTERNAL / "ifc" / name, "mep", "--lat", "48", "--lon", "8")
    files = sorted(LifelineNetwork.objects.values_list("source_file", flat=True))
    assert files == ["B01_2_HeatExchanger_Pipes.ifc", "B01_4_HeatExchanger_noConnection.ifc"]
