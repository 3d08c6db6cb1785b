"""read_ifc on the twelve externally authored IFC files (../shared/data/external/ifc).

Expected numbers are derived independently of the importer: by counting
``=IFCxxx(`` in the file text and from SOURCES.md. Each file is parsed once
per module (``summaries`` fixture).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from tests.external import EXTERNAL, needs_external
from twin.engine.ifc import read_ifc
from twin.engine.records import CimImportError, IfcSummary, NetworkRecord

IFC_DIR = EXTERNAL / "ifc"
FILES = [
    "12d_drainage_pipe_IFC4X3.ifc",
    "AC11-Institute-Var-2-IFC.ifc",
    "AC20-FZK-Haus.ifc",
    "B01_2_HeatExchanger_Pipes.ifc",
    "B01_4_HeatExchanger_noConnection.ifc",
    "Duplex_A_20110907_webifc-duplex.ifc",
    "IfcOpenHouse_IFC4.ifc",
    "bim2sim_hvac_heating_B03.ifc",
    "ifc2ca_building_01_ETABS.ifc",
    "ifc2ca_portal_01.ifc",
    "webifc_example_revit2021_ifc2x3.ifc",
    "xbim_SmallModelIfc2x3.ifc",
]
#: Files the importer must reject, with the reason (none of the twelve: all are valid IFC).
REJECTED: dict[str, str] = {}
#: From SOURCES.md: storeys, and (class, count) pairs stated there.
SOURCES = {
    "AC20-FZK-Haus.ifc": (
        2,
        {"IfcWall": 13, "IfcSlab": 4, "IfcBeam": 4, "IfcDoor": 5, "IfcWindow": 11, "IfcSpace": 7},
    ),
    "Duplex_A_20110907_webifc-duplex.ifc": (
        4,
        {
            "IfcWall": 57,
            "IfcSlab": 21,
            "IfcBeam": 8,
            "IfcDoor": 14,
            "IfcWindow": 24,
            "IfcSpace": 21,
        },
    ),
    "AC11-Institute-Var-2-IFC.ifc": (
        5,
        {
            "IfcWall": 119,
            "IfcSlab": 26,
            "IfcColumn": 2,
            "IfcDoor": 77,
            "IfcWindow": 206,
            "IfcSpace": 82,
        },
    ),
    "IfcOpenHouse_IFC4.ifc": (1, {"IfcWall": 4, "IfcSlab": 2, "IfcDoor": 1, "IfcWindow": 5}),
    "webifc_example_revit2021_ifc2x3.ifc": (
        2,
        {"IfcColumn": 42, "IfcBeam": 43, "IfcWall": 17, "IfcSlab": 9},
    ),
    "xbim_SmallModelIfc2x3.ifc": (1, {"IfcWall": 4, "IfcSlab": 1}),
    "ifc2ca_building_01_ETABS.ifc": (
        5,
        {
            "IfcStructuralCurveMember": 32,
            "IfcStructuralSurfaceMember": 13,
            "IfcStructuralPointConnection": 40,
        },
    ),
    "bim2sim_hvac_heating_B03.ifc": (
        1,
        {
            "IfcPipeSegment": 100,
            "IfcPipeFitting": 97,
            "IfcPump": 4,
            "IfcValve": 11,
            "IfcSpaceHeater": 7,
            "IfcBoiler": 1,
        },
    ),
    "B01_2_HeatExchanger_Pipes.ifc": (1, {"IfcPipeSegment": 4, "IfcPipeFitting": 1}),
    "B01_4_HeatExchanger_noConnection.ifc": (1, {"IfcPipeSegment": 4, "IfcPipeFitting": 1}),
    "12d_drainage_pipe_IFC4X3.ifc": (0, {"IfcFlowSegment": 1}),
    "ifc2ca_portal_01.ifc": (0, {"IfcStructuralCurveMember": 3, "IfcStructuralPointConnection": 4}),
}


def text_count(path: Path, *classes: str) -> int:
    """Count instances of IFC classes by regex on the STEP text (independent of ifcopenshell)."""
    text = path.read_text(encoding="latin-1")
    return sum(len(re.findall(rf"=\s*{c.upper()}\s*\(", text)) for c in classes)


@pytest.fixture(scope="module")
def summaries() -> dict[str, IfcSummary | CimImportError]:
    """Parse every external file once for this module."""
    if not IFC_DIR.is_dir():
        pytest.skip("../shared/data/external/ifc is absent (fresh clone elsewhere)")
    results: dict[str, IfcSummary | CimImportError] = {}
    for name in FILES:
        try:
            results[name] = read_ifc(IFC_DIR / name)
        except CimImportError as exc:
            results[name] = exc
    return results


def summary_of(summaries: dict[str, IfcSummary | CimImportError], name: str) -> IfcSummary:
    result = summaries[name]
    assert isinstance(result, IfcSummary), f"{name} rejected: {result}"
    return result


@needs_external
@pytest.mark.parametrize("name", FILES)
def test_file_imports_or_is_rejected_with_reason(summaries, name: str) -> None:
    result = summaries[name]
    if name in REJECTED:
        assert isinstance(result, CimImportError) and REJECTED[name] in str(result)
        return
    assert isinstance(result, IfcSummary), f"{name} rejected: {result}"
    assert result.file_name == name and result.length_unit_m > 0


@needs_external
@pytest.mark.parametrize("name", FILES)
def test_counts_match_file_text(summaries, name: str) -> None:
    summary, path = summary_of(summaries, name), IFC_DIR / name
    counts = summary.element_counts
    assert counts.get("IfcBuildingStorey", 0) == text_count(path, "IfcBuildingStorey")
    assert counts.get("IfcWall", 0) == text_count(
        path, "IfcWall", "IfcWallStandardCase", "IfcWallElementedCase"
    )
    for cls in (
        "IfcSlab",
        "IfcColumn",
        "IfcBeam",
        "IfcPipeSegment",
        "IfcPipeFitting",
        "IfcFlowSegment",
    ):
        assert counts.get(cls, 0) == text_count(path, cls), cls
    storeys = sum(len(b.storeys) for b in summary.buildings)
    assert storeys == text_count(path, "IfcBuildingStorey")
    links = sum(
        1 for n in summary.networks for link in n.links if link.component_type != "connection"
    )
    assert links == text_count(path, "IfcPipeSegment", "IfcFlowSegment", "IfcDuctSegment")


@needs_external
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_counts_match_sources_md(summaries, name: str) -> None:
    storeys, classes = SOURCES[name]
    summary = summary_of(summaries, name)
    assert summary.element_counts.get("IfcBuildingStorey", 0) == storeys
    for cls, expected in classes.items():
        assert summary.element_counts.get(cls, 0) == expected, cls


@needs_external
def test_fzk_haus_storeys_and_georeference(summaries) -> None:
    summary = summary_of(summaries, "AC20-FZK-Haus.ifc")
    (house,) = summary.buildings
    assert [s.name for s in house.storeys] == ["Erdgeschoss", "Dachgeschoss"]
    assert [round(s.elevation_m, 3) for s in house.storeys] == [0.0, 2.7]
    assert summary.georeference.method == "IfcSite" and house.footprint_epsg == 4326
    assert summary.georeference.latitude_deg == pytest.approx(49.1004, abs=1e-3)
    assert summary.georeference.longitude_deg == pytest.approx(8.4365, abs=1e-3)
    assert house.structural_system is not None and "structural_system" in house.imputed
    assert all(s.mass_kg and s.mass_kg > 0 for s in house.storeys)
    assert house.occupancy == "RES1"  # Pset_BuildingCommon "citygml:1000 (residential building)"
    assert "OccupancyType" in house.imputed["occupancy"]


@needs_external
def test_storey_counts_of_the_larger_models(summaries) -> None:
    duplex = summary_of(summaries, "Duplex_A_20110907_webifc-duplex.ifc").buildings[0]
    institute = summary_of(summaries, "AC11-Institute-Var-2-IFC.ifc").buildings[0]
    revit = summary_of(summaries, "webifc_example_revit2021_ifc2x3.ifc").buildings[0]
    assert len(duplex.storeys) == 4 and len(institute.storeys) == 5
    assert [round(s.elevation_m, 2) for s in institute.storeys] == [-3.0, 0.0, 3.0, 6.0, 9.0]
    assert revit.element_counts["IfcColumn"] == 42 and revit.element_counts["IfcBeam"] == 43
    assert [round(s.elevation_m, 2) for s in revit.storeys] == [0.0, 3.14]  # millimetre file


def ports_and_connections(
    path: Path,
) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    """Parse (port -> owner, connected port pairs, id -> class) from the STEP text."""
    text = path.read_text(encoding="latin-1")
    classes = dict(re.findall(r"^#(\d+)\s*=\s*(\w+)\s*\(", text, flags=re.MULTILINE))
    owner: dict[str, str] = {}
    for _rel, parent, children in re.findall(
        r"#(\d+)\s*=\s*IFCRELNESTS\([^#]*#\d+,[^#]*#(\d+),\s*\(([^)]*)\)", text
    ):
        for child in re.findall(r"#(\d+)", children):
            if classes.get(child) == "IFCDISTRIBUTIONPORT":
                owner[child] = parent
    for port, element in re.findall(
        r"IFCRELCONNECTSPORTTOELEMENT\([^#]*#\d+,[^#]*#(\d+),\s*#(\d+)\)", text
    ):
        owner[port] = element
    pairs = re.findall(r"IFCRELCONNECTSPORTS\([^#]*#\d+,[^#]*#(\d+),\s*#(\d+)", text)
    return owner, pairs, classes


def expected_graph(path: Path) -> tuple[int, int]:
    """Independent node/link counts of the documented graph model.

    nodes = non-segment elements + segment-segment connections (junctions)
            + segment ports without a connection (open ends)
    links = segments + connections between two non-segment elements
    """
    owner, pairs, classes = ports_and_connections(path)
    segment = {"IFCPIPESEGMENT", "IFCFLOWSEGMENT", "IFCDUCTSEGMENT"}
    element_ids = set(owner.values())
    segments = {e for e in element_ids if classes[e] in segment}
    connected = {p for pair in pairs for p in pair}
    is_seg = [(owner[a] in segments, owner[b] in segments) for a, b in pairs]
    junctions = sum(1 for sa, sb in is_seg if sa and sb)
    direct = sum(1 for sa, sb in is_seg if not sa and not sb)
    open_ends = sum(1 for p, e in owner.items() if e in segments and p not in connected)
    return len(element_ids - segments) + junctions + open_ends, len(segments) + direct


def graph_of(network: NetworkRecord) -> nx.MultiGraph:
    graph = nx.MultiGraph()
    graph.add_nodes_from(n.key for n in network.nodes)
    graph.add_edges_from((link.start, link.end, link.key) for link in network.links)
    return graph


@needs_external
def test_heating_network_b03_matches_ports(summaries) -> None:
    path = IFC_DIR / "bim2sim_hvac_heating_B03.ifc"
    (network,) = summary_of(summaries, path.name).networks
    nodes, links = expected_graph(path)
    assert (len(network.nodes), len(network.links)) == (nodes, links) == (123, 131)
    graph = graph_of(network)
    assert set(graph.nodes) == {n.key for n in network.nodes}  # every link end is a node
    owner, pairs, _ = ports_and_connections(path)  # element-level components, from the text
    by_element = nx.Graph()
    by_element.add_nodes_from(set(owner.values()))
    by_element.add_edges_from((owner[a], owner[b]) for a, b in pairs)
    assert nx.number_connected_components(graph) == nx.number_connected_components(by_element)
    assert network.kind == "heating"
    pipes = [link for link in network.links if link.component_type == "IfcPipeSegment"]
    assert all(link.diameter_m and 0.005 < link.diameter_m < 0.5 for link in pipes)
    assert all(link.length_m > 0 for link in pipes)


@needs_external
def test_b01_2_is_connected_and_b01_4_reports_unconnected_pipes(summaries) -> None:
    connected = summary_of(summaries, "B01_2_HeatExchanger_Pipes.ifc")
    loose = summary_of(summaries, "B01_4_HeatExchanger_noConnection.ifc")
    assert nx.is_connected(graph_of(connected.networks[0]))
    assert not [p for p in connected.problems if p.code == "pipe-unconnected"]
    unconnected = {p.element for p in loose.problems if p.code == "pipe-unconnected"}
    assert (
        len(unconnected)
        == 4
        == text_count(IFC_DIR / "B01_4_HeatExchanger_noConnection.ifc", "IfcPipeSegment")
    )
    assert nx.number_connected_components(graph_of(loose.networks[0])) == 5  # 4 pipes + the fitting
    for name in ("B01_2_HeatExchanger_Pipes.ifc", "B01_4_HeatExchanger_noConnection.ifc"):
        assert expected_graph(IFC_DIR / name) == (
            len(summary_of(summaries, name).networks[0].nodes),
            len(summary_of(summaries, name).networks[0].links),
        )


@needs_external
def test_12d_drainage_pipe(summaries) -> None:
    summary = summary_of(summaries, "12d_drainage_pipe_IFC4X3.ifc")
    (network,) = summary.networks
    (pipe,) = network.links
    assert network.kind == "drainage" and summary.georeference.method == "none"
    assert pipe.diameter_m == pytest.approx(0.3) and pipe.length_m == pytest.approx(
        7.1989, abs=1e-3
    )
    assert {p.code for p in summary.problems} >= {"no-georeference", "pipe-unconnected"}
    assert pipe.coords[0][0] == pytest.approx(
        289081, abs=2
    )  # local metres = the model's own coordinates


@needs_external
def test_problem_codes_are_slugs(summaries) -> None:
    codes = Counter(
        p.code for s in summaries.values() if isinstance(s, IfcSummary) for p in s.problems
    )
    assert codes and all(re.fullmatch(r"[a-z0-9-]+", code) for code in codes)
