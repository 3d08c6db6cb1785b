"""Suite runs, ranking, retrofit what-if, and the score endpoints and pages (scoped by town)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from scenarios import suite
from scenarios.engine.comparison import rank_towns
from scenarios.engine.indicator_tree import load_tree
from scenarios.models import ScenarioRun
from tests.scenarios.scores.conftest import MASONRY_SCHOOLS, SLUG, Scored
from twin import services as twin_services
from twin.models import Building, Town, TownMembership

pytestmark = pytest.mark.django_db
BUILDING_LEAVES = (
    "two_star_share",
    "collapse_share",
    "red_tagged_share",
    "repair_time_p84",
    "repair_cost_p84",
)


def member(town: Town, name: str) -> APIClient:
    user = User.objects.create_user(name, password="pw")
    TownMembership.objects.create(user=user, town=town, role="viewer")
    client = APIClient()
    client.force_login(user)
    return client


def walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for c in node.get("children", ()) for n in walk(c))]


def test_retrofit_never_lowers_building_indicators_and_names_what_changed(scored: Scored) -> None:
    base = suite.scorecard(ScenarioRun.objects.get(pk=scored.base_pk))
    variant = suite.scorecard(ScenarioRun.objects.get(pk=scored.variant_pk))
    assert scored.retrofitted == MASONRY_SCHOOLS
    for leaf in BUILDING_LEAVES:
        assert variant.leaf(leaf).score >= base.leaf(leaf).score, leaf
        assert variant.leaf(leaf).value <= base.leaf(leaf).value or leaf == "two_star_share"
    assert variant.leaf("two_star_share").value >= base.leaf("two_star_share").value
    assert variant.node("buildings").score >= base.node("buildings").score
    assert scored.changed, "the retrofit of three masonry schools changed no indicator"
    assert set(scored.changed) & {*BUILDING_LEAVES, "deaths_per_100k", "displaced_share"}
    # the town's CIM rows are untouched: the retrofit lived in the run's inputs only
    assert set(
        Building.objects.filter(pk__in=scored.school_pks).values_list(
            "structural_system", flat=True
        )
    ) == {"URML"}


def test_suite_places_three_events_and_scores_stay_in_range(scored: Scored) -> None:
    runs = ScenarioRun.objects.filter(pk__in=scored.suite_run_pks).select_related("scenario")
    assert sorted(r.scenario.options["event"] for r in runs) == sorted(e.key for e in suite.EVENTS)
    for run in runs:
        card = suite.scorecard(run)
        assert 0.0 <= card.total <= 100.0
        assert all(0.0 <= x.score <= 100.0 for x in (*card.nodes, *card.leaves))


def test_ranking_is_deterministic_with_ties_broken_by_name(scored: Scored) -> None:
    runs = suite.latest_suite_runs(Town.objects.filter(pk=scored.town_pk))
    assert [r.pk for r in runs[SLUG]] == list(scored.suite_run_pks)
    cards = [suite.scorecard(r) for r in runs[SLUG]]
    twins = {"zz-copy": cards, SLUG: cards}
    first = rank_towns(load_tree(), twins)
    again = rank_towns(load_tree(), dict(reversed(list(twins.items()))))
    assert first == again
    assert [e.town for e in first] == [SLUG, "zz-copy"] and [e.rank for e in first] == [1, 2]
    assert suite.suite_ranking(runs) == suite.suite_ranking(runs)


def test_score_endpoints_are_scoped_to_the_users_towns(scored: Scored) -> None:
    town = Town.objects.get(pk=scored.town_pk)
    other = twin_services.town_get_or_create(slug="elsewhere")
    mine, stranger = member(town, "mine"), member(other, "stranger")
    url = f"/api/towns/{SLUG}/runs/{scored.base_pk}/scorecard/"
    body = mine.get(url).json()
    nodes = walk(body["tree"])
    assert all(0.0 <= n["score"] <= 100.0 for n in nodes)
    assert {n["grade"] for n in nodes} <= {"A", "B", "C", "D", "E"}
    assert abs(sum(n["global_weight"] for n in nodes if "children" not in n) - 1.0) < 1e-9
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/api/towns/elsewhere/runs/{scored.base_pk}/scorecard/").status_code == 404
    diff = mine.get(f"/api/towns/{SLUG}/runs/{scored.base_pk}/diff/{scored.variant_pk}/").json()
    assert diff["changed"] == list(scored.changed)
    assert (
        stranger.get(
            f"/api/towns/{SLUG}/runs/{scored.base_pk}/diff/{scored.variant_pk}/"
        ).status_code
        == 404
    )
    ranked = mine.get("/api/scores/ranking/").json()
    assert [e["town"] for e in ranked["ranking"]] == [SLUG]
    assert stranger.get("/api/scores/ranking/").json()["ranking"] == []
    assert APIClient().get("/api/scores/ranking/").status_code in (401, 403)


def test_scorecard_and_compare_pages(scored: Scored) -> None:
    town = Town.objects.get(pk=scored.town_pk)
    other = twin_services.town_get_or_create(slug="elsewhere")
    mine, stranger = member(town, "mine"), member(other, "stranger")
    page = mine.get(f"/towns/{SLUG}/runs/{scored.base_pk}/scorecard/")
    assert page.status_code == 200 and b'id="scorecard"' in page.content
    assert b"frontend/scores.js" in page.content and b"https://" not in page.content
    assert stranger.get(f"/towns/{SLUG}/runs/{scored.base_pk}/scorecard/").status_code == 404
    compare = mine.get(f"/scores/?town={SLUG}&base={scored.base_pk}&variant={scored.variant_pk}")
    assert compare.status_code == 200 and b'id="diff"' in compare.content
    assert b'id="ranking"' in compare.content
    assert stranger.get(f"/scores/?town={SLUG}&base=1&variant=2").status_code == 404
    assert mine.get(f"/scores/?town={SLUG}&base=x&variant=2").status_code == 400
