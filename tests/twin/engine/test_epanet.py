"""EPANET reader: every real .inp against an independent section count, SI units, errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.external import EXTERNAL, needs_external
from twin.engine.epanet import read_epanet, strip_optional_sections
from twin.engine.records import CimImportError

WATER = EXTERNAL / "water_networks"
REAL_FILES = [
    "Anytown.inp",
    "BWSN_Network_1.inp",
    "Balerma.inp",
    "Hanoi.inp",
    "MICROPOLIS_v1.inp",
    "Net1.inp",
    "Net2.inp",
    "Net3.inp",
    "Net6.inp",
    "Richmond_skeleton.inp",
    "ky4.inp",
]
SECTIONS = {
    "[JUNCTIONS]": "junction",
    "[RESERVOIRS]": "reservoir",
    "[TANKS]": "tank",
    "[PIPES]": "pipe",
    "[PUMPS]": "pump",
    "[VALVES]": "valve",
}
WNTR_QUIRKS = {"BWSN_Network_1.inp", "MICROPOLIS_v1.inp"}  # see water_networks/SOURCES.md

SMALL = """[TITLE]
tiny
[JUNCTIONS]
;ID  Elev  Demand
 J1  10    1
 J2  12    2
[RESERVOIRS]
 R1  50
[PIPES]
 P1  R1  J1  1000  300  100
 P2  J1  J2  500   200  100
[OPTIONS]
 Units LPS
[COORDINATES]
 R1  0    0
 J1  100  0
{j2}
[END]
"""


def count_sections(path: Path) -> Counter[str]:
    """Count non-comment data lines per element section, independently of WNTR."""
    counts: Counter[str] = Counter()
    section = ""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        text = line.split(";", 1)[0].strip()
        if text.startswith("["):
            section = text.split()[0].upper()
        elif text and section in SECTIONS:
            counts[SECTIONS[section]] += 1
    return counts


@needs_external
def test_every_real_file_is_listed() -> None:
    assert sorted(p.name for p in WATER.glob("*.inp")) == sorted(REAL_FILES)


@needs_external
@pytest.mark.parametrize("name", REAL_FILES)
def test_real_network_counts(name: str) -> None:
    network = read_epanet(WATER / name)
    expected = count_sections(WATER / name)
    found = Counter(n.component_type for n in network.nodes)
    found.update(link.component_type for link in network.links)
    assert found == expected
    assert network.kind == "water" and network.epsg == 0
    assert all(len(link.coords) >= 2 for link in network.links)
    codes = {p.code for p in network.problems}
    assert ("inp-sections-ignored" in codes) == (name in WNTR_QUIRKS)
    assert "network-disconnected" not in codes
    assert "node-no-coordinates" not in codes


@needs_external
def test_net1_is_si() -> None:
    network = read_epanet(WATER / "Net1.inp")
    pipe = next(link for link in network.links if link.key == "10")
    assert pipe.length_m == pytest.approx(10530 * 0.3048)  # 10530 ft
    assert pipe.diameter_m == pytest.approx(18 * 0.0254)  # 18 in
    assert pipe.attributes["roughness"] == 100.0 and pipe.attributes["headloss_formula"] == "H-W"
    junction = next(n for n in network.nodes if n.key == "11")
    assert junction.elevation_m == pytest.approx(710 * 0.3048)
    assert junction.attributes["base_demand_m3_s"] == pytest.approx(150 * 6.30901964e-5)
    pump = next(link for link in network.links if link.component_type == "pump")
    assert pump.length_m == 0.0 and pump.diameter_m is None
    assert {n.component_type for n in network.nodes} == {"junction", "tank", "reservoir"}


@needs_external
def test_quirk_message_keeps_wntr_reason() -> None:
    network = read_epanet(WATER / "MICROPOLIS_v1.inp")
    note = next(p for p in network.problems if p.code == "inp-sections-ignored")
    assert "6 AM" in note.message and "[RULES]" in note.message


def test_small_network_with_vertices_and_lps(tmp_path: Path) -> None:
    path = tmp_path / "small.inp"
    path.write_text(SMALL.format(j2=" J2  100  50\n[VERTICES]\n P2  150  10"))
    network = read_epanet(path, epsg=4547)
    assert network.epsg == 4547 and network.problems == ()
    p2 = next(link for link in network.links if link.key == "P2")
    assert p2.coords == ((100.0, 0.0), (150.0, 10.0), (100.0, 50.0))
    assert p2.diameter_m == pytest.approx(0.2)
    j2 = next(n for n in network.nodes if n.key == "J2")
    assert j2.attributes["base_demand_m3_s"] == pytest.approx(0.002)


def test_missing_coordinates_are_placed(tmp_path: Path) -> None:
    path = tmp_path / "partial.inp"
    path.write_text(SMALL.format(j2=""))
    network = read_epanet(path)
    j2 = next(n for n in network.nodes if n.key == "J2")
    assert (j2.x, j2.y) == (100.0, 0.0)  # at its only neighbour J1
    assert [(p.code, p.element) for p in network.problems] == [("node-no-coordinates", "J2")]


def test_no_coordinates_at_all(tmp_path: Path) -> None:
    path = tmp_path / "nocoords.inp"
    path.write_text(SMALL.replace("[COORDINATES]\n R1  0    0\n J1  100  0\n", "").format(j2=""))
    with pytest.raises(CimImportError, match=r"nocoords\.inp: no node has coordinates"):
        read_epanet(path)


def test_disconnected_network(tmp_path: Path) -> None:
    path = tmp_path / "split.inp"
    text = SMALL.format(j2=" J2  100  50\n J3 0 9\n J4 1 9")
    text = text.replace(" J2  12    2\n", " J2  12    2\n J3 1 0\n J4 1 0\n")
    text = text.replace(
        " P2  J1  J2  500   200  100\n", " P2  J1  J2  500   200  100\n P3 J3 J4 10 100 100\n"
    )
    network = read_epanet(path.with_suffix(".inp") if path.write_text(text) else path)
    problem = next(p for p in network.problems if p.code == "network-disconnected")
    assert "2 connected components (sizes [3, 2])" in problem.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no junctions"),
        (
            "[OPTIONS]\n UNITS LPS\n[JUNCTIONS]\n J1 10\n[PIPES]\n P1 J1 J9 100 100 100\n[END]\n",
            "not a valid EPANET file",
        ),
        (
            "[OPTIONS]\n UNITS LPS\n[JUNCTIONS]\n J1 10\n[PIPES]\n P1 J1\n",
            "not a valid EPANET file",
        ),
        ("[JUNCTIONS]\n J1 10 1\n[RESERVOIRS]\n R1 100\n[END]\n", "no flow units declared"),
        ("[OPTIONS]\n HEADLOSS H-W\n[JUNCTIONS]\n J1 10 1\n[END]\n", "no flow units declared"),
        ("[BANANAS]\n x\n", "not a valid EPANET file"),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.inp"
    path.write_text(text)
    with pytest.raises(CimImportError, match=f"bad.inp: {message}") as caught:
        read_epanet(path)
    assert "\n" not in str(caught.value) and str(tmp_path) not in str(caught.value)


def test_wrong_extension_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "net.txt").write_text("[JUNCTIONS]\n")
    with pytest.raises(CimImportError, match=r"expected an EPANET \.inp file"):
        read_epanet(tmp_path / "net.txt")
    with pytest.raises(CimImportError, match="not found"):
        read_epanet(tmp_path / "gone.inp")


def test_strip_optional_sections() -> None:
    text = "[OPTIONS]\n Quality Chemical TIME\n Units LPS\n[RULES]\nRULE 1\n[END]\n"
    cleaned, dropped = strip_optional_sections(text)
    assert dropped == ["[OPTIONS] Quality", "[RULES]"]
    assert cleaned == "[OPTIONS]\n Units LPS\n[END]\n"
