"""Whole-file rejections and the sandboxed parser (crashes must not kill the test process)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from twin.engine.ifc import parse_ifc_isolated, read_ifc, write_demo_building_ifc
from twin.engine.ifc.sandbox import FAULT_ENV
from twin.engine.records import CimImportError

HEADER = """ISO-10303-21;
HEADER;
FILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');
FILE_NAME('x.ifc','2020-01-01T00:00:00',(''),(''),'','','');
FILE_SCHEMA(('{schema}'));
ENDSEC;
DATA;
{data}
ENDSEC;
END-ISO-10303-21;
"""


@pytest.fixture(scope="module")
def small_ifc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.ifc"
    write_demo_building_ifc(
        path, name="Small", latitude_deg=45.0, longitude_deg=7.0, storeys=1, bays_x=1, bays_y=1
    )
    return path


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1") if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.ifc", b"", "empty file: empty.ifc has 0 bytes"),
        (
            "garbage.ifc",
            random.Random(0).randbytes(4096),
            "not an IFC file: first line is not ISO-10303-21",
        ),
        (
            "table.csv",
            "id,name,height\n1,a,3.0\n",
            "not an IFC file: first line is not ISO-10303-21",
        ),
        ("future.ifc", HEADER.format(schema="IFC9", data=""), "unsupported IFC schema 'IFC9'"),
        (
            "noschema.ifc",
            "ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\nENDSEC;\nEND-ISO-10303-21;\n",
            "no FILE_SCHEMA",
        ),
        (
            "noproject.ifc",
            HEADER.format(schema="IFC4", data="#1=IFCCARTESIANPOINT((0.,0.,0.));"),
            "has no IfcProject",
        ),
        ("zipped.ifc", b"PK\x03\x04" + bytes(100), "ZIP archive"),
        ("model.ifc", "<?xml version='1.0'?><ifcXML/>", "XML (ifcXML?)"),
    ],
)
def test_bad_input_is_rejected_with_a_specific_message(
    tmp_path: Path, name: str, content, message: str
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(CimImportError, match=None) as info:
        read_ifc(path)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_truncated_file_is_rejected(tmp_path: Path, small_ifc: Path) -> None:
    data = small_ifc.read_bytes()
    path = write(tmp_path, "half.ifc", data[: len(data) // 2])
    with pytest.raises(
        CimImportError, match=r"truncated IFC file: half\.ifc does not end with END-ISO-10303-21"
    ):
        read_ifc(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CimImportError, match="IFC file not found"):
        read_ifc(tmp_path / "nope.ifc")


def test_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.ifc"
    with path.open("wb") as handle:  # sparse: no data blocks are written
        handle.truncate(2 * 2**30 + 1)
    with pytest.raises(
        CimImportError, match=r"huge.ifc is 2,048.0 MiB, larger than the 1,024.0 MiB limit"
    ):
        parse_ifc_isolated(path)


def test_sandbox_returns_the_same_summary(small_ifc: Path) -> None:
    assert parse_ifc_isolated(small_ifc, timeout_s=120) == read_ifc(small_ifc)


def test_sandbox_passes_rejections_through(tmp_path: Path) -> None:
    path = write(tmp_path, "future.ifc", HEADER.format(schema="IFC9", data=""))
    with pytest.raises(CimImportError, match=r"^unsupported IFC schema .IFC9. in future\.ifc"):
        parse_ifc_isolated(path, timeout_s=120)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("segfault", r"IFC parser crashed \(signal 11 SIGSEGV\)"),
        ("abort", r"IFC parser crashed \(signal 6 SIGABRT\)"),
        ("memory", "exceeded memory limit"),
    ],
)
def test_sandbox_survives_a_crashing_child(
    monkeypatch: pytest.MonkeyPatch, small_ifc: Path, fault: str, message: str
) -> None:
    monkeypatch.setenv(FAULT_ENV, fault)
    with pytest.raises(CimImportError, match=message):
        parse_ifc_isolated(small_ifc, timeout_s=120, memory_bytes=2 * 2**30)
    assert os.getpid() > 0  # still here


def test_sandbox_times_out(monkeypatch: pytest.MonkeyPatch, small_ifc: Path) -> None:
    monkeypatch.setenv(FAULT_ENV, "hang")
    with pytest.raises(CimImportError, match=r"IFC parsing of small\.ifc exceeded 3 s"):
        parse_ifc_isolated(small_ifc, timeout_s=3)
