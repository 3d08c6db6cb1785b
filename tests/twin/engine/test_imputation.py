"""Rule-based imputation: rule file validation, each rule family, areas in several CRSs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from tests.external import EXTERNAL, needs_external
from twin.engine.footprints import read_footprints
from twin.engine.imputation import (
    ATTRIBUTES,
    RULES_PATH,
    default_rules,
    footprint_area_m2,
    impute,
    impute_all,
    load_rules,
)
from twin.engine.records import BuildingRecord, CimImportError
from twin.vocabulary import DESIGN_ERAS, HAZUS_BUILDING_TYPES, HAZUS_OCCUPANCIES

UTM33 = 32633
# 20 m x 10 m rectangle on the UTM 33N central meridian near Prague (scale factor 0.9996)
RECT_UTM = shapely.Polygon(
    [(500000, 5550000), (500020, 5550000), (500020, 5550010), (500000, 5550010)]
)
TRUE_AREA = 200.0 / 0.9996**2


def _moved(geom: shapely.Geometry, epsg: int) -> str:
    t = Transformer.from_crs(UTM33, epsg, always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1]))).wkt


def _building(**kw: object) -> BuildingRecord:
    base: dict[str, object] = {
        "global_id": "b",
        "name": "",
        "footprint_wkt": RECT_UTM.wkt,
        "footprint_epsg": UTM33,
    }
    base.update(kw)
    return BuildingRecord(**base)  # type: ignore[arg-type]


def test_shipped_rules_are_valid_and_use_the_vocabulary() -> None:
    rules = default_rules()
    vocab = {
        "occupancy": HAZUS_OCCUPANCIES,
        "design_era": DESIGN_ERAS,
        "structural_system": HAZUS_BUILDING_TYPES,
    }
    for rule in rules.rules:
        assert rule.reason and rule.source
        if rule.attribute in vocab:
            assert rule.value in vocab[rule.attribute], rule.id
    assert {r.attribute for r in rules.rules} == set(ATTRIBUTES)


@pytest.mark.parametrize(
    ("tag", "occupancy"),
    [
        ("house", "RES1"),
        ("residential", "RES3"),
        ("apartments", "RES3"),
        ("school", "EDU1"),
        ("hospital", "COM6"),
        ("industrial", "IND2"),
        ("retail", "COM1"),
        ("commercial", "COM1"),
        ("yes", "RES3"),
    ],
)
def test_occupancy_from_tag(tag: str, occupancy: str) -> None:
    out = impute(_building(source_attributes={"building": tag}))
    assert out.occupancy == occupancy


def test_storeys_height_and_marks() -> None:
    out = impute(_building(height_m=10.0))
    assert out.storeys_above_ground == 3 and out.height_m == 10.0
    assert out.imputed["storeys_above_ground"] == "storeys-from-height"
    assert "height_m" not in out.imputed
    out = impute(_building(storeys_above_ground=5))
    assert out.height_m == pytest.approx(15.0) and out.imputed["height_m"] == "height-from-storeys"
    assert set(out.imputed) == set(ATTRIBUTES) - {"storeys_above_ground"}
    assert all(getattr(out, a) is not None for a in ATTRIBUTES)


def test_present_values_are_never_overwritten() -> None:
    given = _building(
        occupancy="COM4",
        design_era="TJ11-78",
        fortification_intensity=8.0,
        structural_system="C1M",
        floor_area_m2=123.0,
        imputed={"x": "earlier"},
    )
    out = impute(given)
    for name in (
        "occupancy",
        "design_era",
        "fortification_intensity",
        "structural_system",
        "floor_area_m2",
    ):
        assert getattr(out, name) == getattr(given, name)
        assert name not in out.imputed
    assert out.imputed["x"] == "earlier"
    assert out.replacement_cost == pytest.approx(123.0 * 4000.0)


@pytest.mark.parametrize(
    ("year", "era"),
    [
        ("1960", "pre-1974"),
        ("1976", "TJ11-74"),
        ("1985", "TJ11-78"),
        ("1995", "GBJ11-89"),
        ("2005", "GB50011-2001"),
        ("2015", "GB50011-2010"),
        (None, "GB50011-2001"),
    ],
)
def test_design_era(year: str | None, era: str) -> None:
    attrs = {"year": year} if year else {}
    assert impute(_building(source_attributes=attrs)).design_era == era


@pytest.mark.parametrize(
    ("kw", "system"),
    [
        (
            {"storeys_above_ground": 2, "source_attributes": {"building": "house", "year": "1980"}},
            "URML",
        ),
        ({"storeys_above_ground": 5, "source_attributes": {"year": "1970"}}, "URMM"),
        ({"storeys_above_ground": 5, "source_attributes": {"year": "2005"}}, "C2M"),
        ({"storeys_above_ground": 12}, "C2H"),
        (
            {
                "storeys_above_ground": 1,
                "source_attributes": {"building": "industrial", "year": "1980"},
            },
            "PC1",
        ),
        ({"storeys_above_ground": 1, "source_attributes": {"building": "industrial"}}, "S1L"),
        ({"storeys_above_ground": 2, "occupancy": "EDU1"}, "C1L"),
    ],
)
def test_structural_system(kw: dict[str, object], system: str) -> None:
    assert impute(_building(**kw)).structural_system == system


def test_region_defaults_take_precedence_over_rule_defaults() -> None:
    out = impute(_building(), region_defaults={"fortification_intensity": 8.0})
    assert out.fortification_intensity == 8.0
    assert out.imputed["fortification_intensity"] == "region-default"
    assert impute(_building()).fortification_intensity == 7.0
    with pytest.raises(CimImportError, match="unknown attribute 'colour'"):
        impute(_building(), region_defaults={"colour": "red"})


@pytest.mark.parametrize("epsg", [UTM33, 4326, 3857, 5514])  # 5514: Czech Krovak
def test_footprint_area_is_metric_in_any_crs(epsg: int) -> None:
    wkt = RECT_UTM.wkt if epsg == UTM33 else _moved(RECT_UTM, epsg)
    expected = 200.0 if epsg == UTM33 else TRUE_AREA  # planar UTM keeps its scale error
    assert footprint_area_m2(wkt, epsg) == pytest.approx(expected, rel=5e-4)


def test_web_mercator_is_not_taken_planar() -> None:
    wkt = _moved(RECT_UTM, 3857)
    planar = shapely.from_wkt(wkt).area
    assert planar / footprint_area_m2(wkt, 3857) == pytest.approx(
        1 / np.cos(np.radians(50.1)) ** 2, rel=0.01
    )


def test_population_and_cost_follow_floor_area() -> None:
    out = impute(_building(storeys_above_ground=2, source_attributes={"building": "residential"}))
    assert out.floor_area_m2 == pytest.approx(400.0)
    assert out.night_population == pytest.approx(400.0 / 35.0)
    assert out.day_population == pytest.approx(400.0 / 100.0)
    assert out.replacement_cost == pytest.approx(400.0 * 3000.0)


def _rules_file(tmp_path: Path, rules: object) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": rules}))
    return path


GOOD = {
    "id": "r1",
    "attribute": "design_era",
    "when": {},
    "value": "TJ11-78",
    "reason": "r",
    "source": "s",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attribute": "colour"}, "'r1': unknown attribute 'colour'"),
        ({"when": {"phase_of_moon": 1}}, "'r1': unknown condition 'phase_of_moon'"),
        ({"when": {"tag_in": "house"}}, "'r1': condition 'tag_in' needs a list"),
        ({"value": {"op": "guess"}}, "'r1': unknown op 'guess'"),
        ({"attribute": "height_m", "value": {"op": "storeys_mul"}}, "'r1': op 'storeys_mul' needs"),
        ({"attribute": "height_m", "value": "tall"}, "'r1': value for height_m must be a positive"),
        ({"source": None}, None),
    ],
)
def test_malformed_rules_name_the_rule(
    tmp_path: Path, change: dict[str, object], message: str | None
) -> None:
    rule = {**GOOD, **change}
    if message is None:
        del rule["source"]
        message = "'r1': missing \\['source'\\]"
    with pytest.raises(CimImportError, match=message):
        load_rules(_rules_file(tmp_path, [rule]))


def test_rule_file_level_errors(tmp_path: Path) -> None:
    with pytest.raises(CimImportError, match="duplicate rule ids \\['r1'\\]"):
        load_rules(_rules_file(tmp_path, [GOOD, GOOD]))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CimImportError, match=r"bad\.json: unreadable"):
        load_rules(bad)
    with pytest.raises(CimImportError, match="no 'rules' list"):
        load_rules(_rules_file(tmp_path, []))
    assert load_rules(RULES_PATH).rules == default_rules().rules


def test_custom_rules_are_used(tmp_path: Path) -> None:
    rules = load_rules(_rules_file(tmp_path, [GOOD]))
    out = impute(_building(), rules=rules)
    assert out.design_era == "TJ11-78" and out.imputed == {"design_era": "r1"}
    assert out.occupancy is None


@needs_external
def test_kotka_every_attribute_filled_and_marked() -> None:
    result = read_footprints(EXTERNAL / "footprints" / "pyrosm_test_Karhula-Kotka_FI.osm.pbf")
    done = impute_all(result.buildings)
    for b in done:
        assert all(getattr(b, a) is not None for a in ATTRIBUTES), b.global_id
        missing = {a for a in ATTRIBUTES if getattr(result.buildings[0], a) is None}
        assert missing <= set(done[0].imputed)
    with_levels = [b for b in done if "storeys_above_ground" not in b.imputed]
    assert len(with_levels) == 10
    assert {b.occupancy for b in done} >= {"RES3", "IND2", "EDU1"}
