"""pandapipes JSON reader: the Schutterwald 1-bar gas net and small generated nets."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from statistics import median

import pytest
from pyproj import Transformer

from tests.external import EXTERNAL, needs_external
from twin.engine.gasnet import infer_epsg, read_pandapipes_json
from twin.engine.records import CimImportError, NetworkRecord

SCHUTTERWALD = EXTERNAL / "gas_networks" / "gas_net_schutterwald_1bar.json"


@pytest.fixture(scope="module")
def schutterwald() -> NetworkRecord:
    if not SCHUTTERWALD.is_file():
        pytest.skip("../shared/data/external is absent (fresh clone elsewhere)")
    return read_pandapipes_json(SCHUTTERWALD)


@needs_external
def test_counts_and_types(schutterwald: NetworkRecord) -> None:
    assert schutterwald.kind == "gas"
    assert (len(schutterwald.nodes), len(schutterwald.links)) == (2559, 2559)
    kinds = Counter(n.component_type for n in schutterwald.nodes)
    assert kinds == {"house_node": 1506, "junction": 1052, "source": 1}
    source = next(n for n in schutterwald.nodes if n.component_type == "source")
    assert source.key == "K1289" and source.attributes["p_bar"] == 1.0
    assert sum(float(n.attributes.get("sink_count", 0)) for n in schutterwald.nodes) == 1506
    assert len({n.key for n in schutterwald.nodes}) == 2559


@needs_external
def test_connected_with_one_loop(schutterwald: NetworkRecord) -> None:
    codes = [p.code for p in schutterwald.problems]
    assert codes == ["crs-inferred"]  # no network-disconnected problem: one component
    pairs = {frozenset((k.start, k.end)) for k in schutterwald.links}
    # 2559 links on 2559 connected nodes: a spanning tree plus exactly one extra edge
    assert len(schutterwald.links) - (len(schutterwald.nodes) - 1) == 1
    assert len(pairs) == 2559


@needs_external
def test_si_units_and_material(schutterwald: NetworkRecord) -> None:
    first = schutterwald.links[0]
    assert first.length_m == pytest.approx(17.681747822897)  # 0.017681747822897 km
    assert first.diameter_m == pytest.approx(0.1022)
    assert first.attributes["k_mm"] == 0.1 and first.attributes["roughness_m"] == 1e-4
    assert first.material == "PE"
    assert sum(k.length_m for k in schutterwald.links) == pytest.approx(101186.1, rel=1e-5)


@needs_external
def test_crs_is_gauss_krueger_zone_3(schutterwald: NetworkRecord) -> None:
    """Evidence: lengths match coordinate distances (metric CRS) and the centre is Schutterwald."""
    assert schutterwald.epsg == 31467
    nodes = {n.key: n for n in schutterwald.nodes}
    ratios = []
    for link in schutterwald.links:
        a, b = nodes[link.start], nodes[link.end]
        ratios.append(((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5 / link.length_m)
    assert median(ratios) == pytest.approx(1.0, abs=0.001)
    xs = [n.x for n in schutterwald.nodes]
    ys = [n.y for n in schutterwald.nodes]
    lon, lat = Transformer.from_crs(31467, 4326, always_xy=True).transform(
        sum(xs) / len(xs), sum(ys) / len(ys)
    )
    assert (lon, lat) == (pytest.approx(7.884, abs=0.01), pytest.approx(48.457, abs=0.01))


def _table(
    columns: list[str], rows: list[list[object]], index: list[int] | None = None
) -> dict[str, object]:
    body = {"columns": columns, "index": index or list(range(len(rows))), "data": rows}
    return {
        "_module": "pandas.core.frame",
        "_class": "DataFrame",
        "orient": "split",
        "_object": json.dumps(body),
    }


def _net(tmp_path: Path, xy: list[list[float]], pipes: list[list[object]]) -> Path:
    body = {
        "name": "mini",
        "junction": _table(
            ["name", "height_m", "type"], [[f"N{i}", 100.0, "junction"] for i in range(len(xy))]
        ),
        "junction_geodata": _table(["x", "y"], xy),
        "pipe": _table(
            [
                "name",
                "from_junction",
                "to_junction",
                "length_km",
                "diameter_m",
                "k_mm",
                "stanet_std_type",
            ],
            pipes,
        ),
        "ext_grid": _table(["junction", "p_bar", "t_k"], [[0, 4.0, 283.15]]),
        "sink": _table(["junction", "mdot_kg_per_s", "scaling"], [[2, 0.01, 2.0]]),
    }
    path = tmp_path / "mini.json"
    path.write_text(
        json.dumps(
            {"_module": "pandapipes.pandapipes_net", "_class": "pandapipesNet", "_object": body}
        )
    )
    return path


def test_small_lonlat_net(tmp_path: Path) -> None:
    path = _net(
        tmp_path,
        [[116.0, 39.9], [116.001, 39.9], [116.002, 39.9]],
        [
            [None, 0, 1, 0.085, 0.1, 0.1, "DN100 ST"],
            [None, 1, 2, 0.085, 0.1, 0.1, None],
            [None, 1, 7, 0.01, 0.1, 0.1, None],
        ],
    )
    net = read_pandapipes_json(path)
    assert net.epsg == 4326 and net.name == "mini"
    assert [n.component_type for n in net.nodes] == ["source", "junction", "junction"]
    assert net.nodes[2].attributes["sink_mdot_kg_per_s"] == pytest.approx(0.02)
    assert [k.material for k in net.links] == ["ST", None]
    assert [(p.code, p.element) for p in net.problems[1:]] == [("pipe-unconnected", "pipe/2")]
    assert read_pandapipes_json(path, epsg=4490).epsg == 4490


def test_unknown_crs_needs_epsg(tmp_path: Path) -> None:
    path = _net(tmp_path, [[10.0, 20.0], [400.0, 20.0]], [[None, 0, 1, 0.39, 0.1, 0.1, None]])
    with pytest.raises(CimImportError, match=r"cannot tell the CRS.*pass epsg="):
        read_pandapipes_json(path)
    assert read_pandapipes_json(path, epsg=0).epsg == 0


def test_gauss_krueger_inference() -> None:
    epsg, note = infer_epsg([(4_500_000.0, 5_800_000.0), (4_501_000.0, 5_801_000.0)], "f")
    assert epsg == 31468 and "zone 4" in note.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not readable JSON"),
        ('{"_class": "pandapowerNet", "_object": {}}', "not a pandapipes network"),
        ('{"_class": "pandapipesNet", "_object": {}}', "the pandapipes net has no junctions"),
    ],
)
def test_rejected_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "net.json"
    path.write_text(content)
    with pytest.raises(CimImportError, match=f"net.json: {message}"):
        read_pandapipes_json(path)
