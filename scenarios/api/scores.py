"""Score endpoints: a run's scorecard tree, the towns' suite ranking, a what-if diff of two runs.

All reads are scoped to the user's towns: another town's run answers 404, and the ranking
ranks only the towns the user belongs to.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scenarios import suite
from scenarios.engine.comparison import diff_scorecards
from scenarios.engine.errors import IndicatorError
from scenarios.engine.indicator_tree import IndicatorNode, IndicatorTree, load_tree
from scenarios.engine.scoring import LeafScore, NodeScore, Scorecard
from scenarios.models import ScenarioRun
from twin.api.permissions import TownRolePermission, towns_of
from twin.api.views import TownScopedMixin


def scorecard_tree(card: Scorecard, tree: IndicatorTree) -> dict[str, Any]:
    """The indicator tree of a scorecard: nodes with score, grade, local and global weights.

    Local weights are the ones the run was scored with: a non-applicable child has 0 and its
    siblings share its weight (scenarios.engine.scoring).
    """
    nodes = {n.node_id: n for n in card.nodes}
    leaves = {x.node_id: x for x in card.leaves}

    def walk(node: IndicatorNode, parent_weight: float) -> dict[str, Any]:
        scored: LeafScore | NodeScore = leaves[node.id] if node.leaf is not None else nodes[node.id]
        item: dict[str, Any] = {
            "id": node.id,
            "name_en": node.name_en,
            "name_zh": node.name_zh,
            "local_weight": scored.global_weight / parent_weight if parent_weight > 0 else 0.0,
            "score": scored.score,
            "global_weight": scored.global_weight,
            "applicable": scored.applicable,
        }
        if isinstance(scored, LeafScore):
            item.update(
                grade=tree.grade_of(scored.score).grade if scored.applicable else "",
                value=scored.value,
                unit=scored.unit,
                output_key=scored.output_key,
                lineage=asdict(scored),
            )
            return item
        item.update(
            grade=scored.grade,
            consistency_ratio=node.consistency_ratio,
            children=[walk(c, scored.global_weight) for c in node.children],
        )
        return item

    return {
        "run": card.run_id,
        "tree_version": card.tree_version,
        "total": card.total,
        "grade": card.grade,
        "grades": [asdict(g) for g in tree.grades],
        "tree": walk(tree.root, 1.0),
    }


def _card(run: ScenarioRun) -> Scorecard:
    try:
        return suite.scorecard(run)
    except LookupError as exc:
        raise Http404(str(exc)) from exc


class _TownRunsView(TownScopedMixin, APIView):
    permission_classes = [TownRolePermission]

    def run(self, run_id: int) -> ScenarioRun:
        return get_object_or_404(ScenarioRun, pk=run_id, scenario__town=self.town())


class ScorecardView(_TownRunsView):
    """The run's indicator tree with scores, grades and weights (AHP local, global)."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request, town_slug: str, run_pk: int) -> Response:
        return Response(scorecard_tree(_card(self.run(run_pk)), load_tree()))


class DiffView(_TownRunsView):
    """What-if diff of two runs of the same town, indicator by indicator."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request, town_slug: str, run_pk: int, other_pk: int) -> Response:
        base, variant = _card(self.run(run_pk)), _card(self.run(other_pk))
        try:
            diff = diff_scorecards(base, variant)
        except IndicatorError as exc:
            return Response({"detail": str(exc)}, status=400)
        body = asdict(diff)
        body["nodes"] = [
            {"id": i, "score_base": b, "score_variant": v, "delta": d} for i, b, v, d in diff.nodes
        ]
        body["changed"] = [d.node_id for d in (*diff.improved(), *diff.worsened())]
        return Response(body)


class RankingView(APIView):
    """Ranking of the user's towns on the reference suite (towns without all runs are listed)."""

    permission_classes = [TownRolePermission]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        towns = list(towns_of(request.user).order_by("slug"))
        runs = suite.latest_suite_runs(towns)
        ranking = suite.suite_ranking(runs) if runs else ()
        return Response(
            {
                "suite": suite.SUITE_ID,
                "events": [asdict(e) for e in suite.EVENTS],
                "ranking": [{**asdict(e), "run_ids": [int(r) for r in e.run_ids]} for e in ranking],
                "unscored": [t.slug for t in towns if t.slug not in runs],
            }
        )
