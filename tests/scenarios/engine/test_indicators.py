"""Indicator tree and scoring: validation, lineage, ranking, what-if, hypothesis invariants."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.engine.comparison import diff_scorecards, rank_towns
from scenarios.engine.errors import AhpInconsistentError, IndicatorError
from scenarios.engine.indicator_tree import TREE_PATH, load_tree, tree_from_dict
from scenarios.engine.scoring import score_run

TREE = load_tree()
RAW = json.loads(TREE_PATH.read_text(encoding="utf-8"))
CONTEXT = {k for k, v in TREE.outputs.items() if v.kind == "context"}
DAMAGE = sorted(k for k, v in TREE.outputs.items() if v.kind == "damage")
CAPACITY = sorted(k for k, v in TREE.outputs.items() if v.kind == "capacity")


def outputs(**over: float) -> dict[str, float]:
    base = {k: 0.0 for k in TREE.outputs}
    base.update(
        {
            "town.population": 20000.0,
            "town.built_area_m2": 6.0e5,
            "power.customers": 8000.0,
            "gas.customers": 5000.0,
            "water.network_present": 1.0,
            "gas.network_present": 1.0,
            "power.network_present": 1.0,
            "buildings.share_two_star_or_better": 0.5,
            "shelter.capacity_per_capita": 0.1,
            "hospital.beds_reachable_30min_per_1000": 3.0,
            "rescue.trapped_rescued_alive_share": 0.6,
            "recovery.critical_facilities_restored_day3_share": 0.7,
            "recovery.time_to_90pct_days": 20.0,
            "buildings.repair_time_p84_days": 45.0,
        }
    )
    base.update(over)
    return base


def test_platform_tree_is_consistent_and_weights_sum_to_one() -> None:
    for node in TREE.root.walk():
        if node.children:
            assert sum(node.weights) == pytest.approx(1.0)
            assert node.consistency_ratio < 0.1
    assert sum(
        score_run(TREE, outputs(), run_id="r").leaf(n.id).global_weight for n in TREE.leaves()
    ) == pytest.approx(1.0)
    assert len(TREE.leaves()) == 21


def test_lineage_and_values() -> None:
    card = score_run(
        TREE, outputs(**{"water.population_without_service_day3": 5000.0}), run_id="run-42"
    )
    leaf = card.leaf("water_outage_day3")
    assert leaf.run_id == "run-42" and leaf.output_key == "water.population_without_service_day3"
    assert leaf.raw_value == 5000.0 and leaf.denominator_value == 20000.0 and leaf.value == 0.25
    assert leaf.normalised == pytest.approx(0.5) and leaf.score == pytest.approx(50.0)
    assert leaf.node_path == ("town", "lifelines", "lifelines.respond", "water_outage_day3")
    assert leaf.global_weight == pytest.approx(
        TREE.node("town").weights[2] * TREE.node("lifelines").weights[1] * (2 / 3)
    )
    assert card.leaf("repair_time_p84").score == 60.0  # 45 d lies in (30, 90]
    assert card.grade == TREE.grade_of(card.total).grade


def test_indicator_of_a_missing_network_is_not_applicable_and_siblings_take_its_weight() -> None:
    """A town without gas: the gas leaf is kept with applicable=False and weight 0; its one
    sibling under "lifelines.respond" gets the whole local weight; totals are re-weighted."""
    full = score_run(TREE, outputs(**{"water.population_without_service_day3": 5000.0}), run_id="a")
    no_gas = outputs(
        **{
            "water.population_without_service_day3": 5000.0,
            "gas.network_present": 0.0,
            "gas.customers": 0.0,  # no customers: dividing by it would fail
            "gas.customers_without_service_day3": 0.0,
        }
    )
    card = score_run(TREE, no_gas, run_id="b")
    gas = card.leaf("gas_outage_day3")
    assert not gas.applicable and gas.score == 0.0 and gas.global_weight == 0.0
    water = card.leaf("water_outage_day3")
    respond = TREE.node("lifelines.respond")
    assert respond.weights == pytest.approx((2 / 3, 1 / 3))
    assert water.weight_path[-1] == pytest.approx(1.0)
    assert water.global_weight == pytest.approx(full.leaf("water_outage_day3").global_weight * 1.5)
    assert card.node("lifelines.respond").score == pytest.approx(water.score) == pytest.approx(50.0)
    assert sum(s.global_weight for s in card.leaves) == pytest.approx(1.0)
    # with gas at full service, the node's score mixes 50 (water) and 100 (gas) 2:1
    assert full.node("lifelines.respond").score == pytest.approx(2 / 3 * 50 + 1 / 3 * 100)
    # a node whose every leaf is not applicable is not applicable, with no grade
    nothing = dict(no_gas, **{"water.network_present": 0.0, "power.network_present": 0.0})
    card = score_run(TREE, nothing, run_id="c")
    assert (
        not card.node("lifelines.respond").applicable and card.node("lifelines.respond").grade == ""
    )
    assert sum(s.global_weight for s in card.leaves) == pytest.approx(1.0)


def test_threshold_band_edges() -> None:
    at_7 = score_run(TREE, outputs(**{"buildings.repair_time_p84_days": 7.0}), run_id="r")
    above = score_run(TREE, outputs(**{"buildings.repair_time_p84_days": 7.01}), run_id="r")
    assert (
        at_7.leaf("repair_time_p84").score == 100.0 and above.leaf("repair_time_p84").score == 80.0
    )


def test_missing_and_unknown_output_keys_are_named() -> None:
    out = outputs()
    del out["fire.burnt_area_m2"]
    with pytest.raises(
        IndicatorError, match=r"'fire\.burnt_area_m2' needed by indicator 'burnt_area_share'"
    ):
        score_run(TREE, out, run_id="r")
    with pytest.raises(
        IndicatorError, match=r"unknown run output key 'water\.population_without_servce'"
    ):
        score_run(TREE, outputs(**{"water.population_without_servce": 1.0}), run_id="r")
    with pytest.raises(IndicatorError, match="not a finite number"):
        score_run(TREE, outputs(**{"casualties.deaths": float("nan")}), run_id="r")


def _broken(path: list, key: str, value: object) -> dict:
    raw = copy.deepcopy(RAW)
    node = raw["root"]
    for i in path:
        node = node["children"][i]
    if value is None:
        del node[key]
    else:
        node[key] = value
    return raw


@pytest.mark.parametrize(
    ("path", "key", "value", "message"),
    [
        ([0], "matrix", None, "people: missing AHP matrix"),
        ([0], "weights", [0.5, 0.3, 0.1], "weights sum to 0.9, not 1"),
        (
            [0, 0, 0],
            "output_key",
            "casualties.killed",
            "'casualties.killed' is not in the outputs registry",
        ),
        ([0, 0, 0], "direction", "up", "direction 'up'"),
        (
            [0, 0, 0],
            "normalisation",
            {"kind": "linear", "worst": 0.0, "best": 100.0},
            "contradict lower_better",
        ),
        (
            [1, 2, 0],
            "normalisation",
            {"kind": "thresholds", "breaks": [7, 30], "scores": [50, 80, 20]},
            "monotone",
        ),
    ],
)
def test_tree_validation_errors(path: list, key: str, value: object, message: str) -> None:
    if key == "weights":
        raw = _broken(path, "matrix", None)
        node = raw["root"]["children"][0]
        node["weights"] = value
    else:
        raw = _broken(path, key, value)
    with pytest.raises(IndicatorError, match=message):
        tree_from_dict(raw)


def test_inconsistent_node_matrix_is_rejected_with_cr() -> None:
    raw = _broken([0], "matrix", [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]])
    with pytest.raises(AhpInconsistentError, match="people: consistency ratio CR = "):
        tree_from_dict(raw)


def test_ranking_and_what_if_diff() -> None:
    good = score_run(TREE, outputs(), run_id="a")
    bad = score_run(
        TREE, outputs(**{"casualties.deaths": 40.0, "buildings.collapse_share": 0.03}), run_id="b"
    )
    ranking = rank_towns(TREE, {"Xian": [bad, bad], "Anping": [good, good], "Baoan": [good, bad]})
    assert [r.town for r in ranking] == ["Anping", "Baoan", "Xian"]
    assert ranking[1].score == pytest.approx((good.total + bad.total) / 2)
    diff = diff_scorecards(bad, good)
    assert diff.delta_total == pytest.approx(good.total - bad.total)
    assert sum(d.delta_contribution for d in diff.leaves) == pytest.approx(diff.delta_total)
    assert {d.node_id for d in diff.improved()} == {"deaths_per_100k", "collapse_share"}
    assert diff.worsened() == ()
    with pytest.raises(IndicatorError, match="same, non-empty scenario suite"):
        rank_towns(TREE, {"a": [good], "b": [good, bad]})


finite = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)
share = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def scenario_and_worse(draw: st.DrawFn) -> tuple[dict[str, float], dict[str, float]]:
    base = outputs()
    for k in DAMAGE:
        base[k] = draw(finite)
    for k in CAPACITY:
        base[k] = draw(finite)
    worse = dict(base)
    for k in DAMAGE:
        worse[k] = base[k] + draw(finite)
    for k in CAPACITY:
        worse[k] = base[k] * draw(share)
    return base, worse


@settings(max_examples=200, deadline=None)
@given(scenario_and_worse())
def test_scores_in_range_and_never_rise_with_more_damage(pair: tuple[dict, dict]) -> None:
    base, worse = pair
    a = score_run(TREE, base, run_id="a")
    b = score_run(TREE, worse, run_id="b")
    for card in (a, b):
        assert 0.0 <= card.total <= 100.0
        assert all(0.0 <= s.score <= 100.0 and 0.0 <= s.normalised <= 1.0 for s in card.leaves)
        assert all(0.0 <= n.score <= 100.0 for n in card.nodes)
    assert b.total <= a.total + 1e-9
    for la, lb in zip(a.leaves, b.leaves, strict=True):
        assert lb.score <= la.score
