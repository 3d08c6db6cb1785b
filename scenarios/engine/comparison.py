"""Comparing scored runs: ranking towns over a scenario suite, and what-if diffs of two runs.

A town's suite score is the weighted mean of its scenario totals (equal weights unless the
suite gives, e.g., annual rates of the scenarios). Ties are broken by town name so the ranking
is deterministic. A what-if diff lists, per leaf, the raw values, the scores and the change
of the leaf's contribution to the total (``global_weight * delta score``); the contributions
sum to the change of the total (up to clipping, which never binds for weights summing to 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scenarios.engine.errors import IndicatorError
from scenarios.engine.indicator_tree import IndicatorTree
from scenarios.engine.scoring import Scorecard


@dataclass(frozen=True, slots=True)
class RankEntry:
    """One town in a ranking: suite score 0-100, grade, rank (1 = best) and its runs."""

    town: str
    score: float
    grade: str
    rank: int
    run_ids: tuple[str, ...]
    scenario_totals: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class LeafDiff:
    """Change of one leaf indicator between a base and a variant run."""

    node_id: str
    output_key: str
    unit: str
    value_base: float
    value_variant: float
    score_base: float
    score_variant: float
    delta_score: float
    delta_contribution: float


@dataclass(frozen=True, slots=True)
class ScoreDiff:
    """What-if comparison of two scorecards, indicator by indicator."""

    run_base: str
    run_variant: str
    total_base: float
    total_variant: float
    delta_total: float
    grade_base: str
    grade_variant: str
    nodes: tuple[tuple[str, float, float, float], ...]
    leaves: tuple[LeafDiff, ...]

    def improved(self) -> tuple[LeafDiff, ...]:
        """Leaves whose score rose, largest contribution first."""
        return tuple(
            sorted(
                (d for d in self.leaves if d.delta_score > 0.0),
                key=lambda d: (-d.delta_contribution, d.node_id),
            )
        )

    def worsened(self) -> tuple[LeafDiff, ...]:
        """Leaves whose score fell, largest loss first."""
        return tuple(
            sorted(
                (d for d in self.leaves if d.delta_score < 0.0),
                key=lambda d: (d.delta_contribution, d.node_id),
            )
        )


def rank_towns(
    tree: IndicatorTree,
    scorecards: Mapping[str, Sequence[Scorecard]],
    *,
    scenario_weights: Sequence[float] | None = None,
) -> tuple[RankEntry, ...]:
    """Rank towns by their weighted mean score over the same scenario suite.

    Parameters
    ----------
    tree : IndicatorTree
        Tree the scorecards were scored on (gives the grades).
    scorecards : mapping town -> sequence of Scorecard
        One scorecard per scenario, in the same scenario order for every town.
    scenario_weights : sequence of float, optional
        Non-negative scenario weights (e.g. annual rates, 1/yr); equal by default.

    Raises
    ------
    IndicatorError
        Towns scored on different numbers of scenarios or tree versions, or bad weights.
    """
    if not scorecards:
        raise IndicatorError("no towns to rank; score at least one town")
    counts = {len(v) for v in scorecards.values()}
    if len(counts) != 1 or 0 in counts:
        raise IndicatorError("every town must be scored on the same, non-empty scenario suite")
    n = counts.pop()
    w = list(scenario_weights) if scenario_weights is not None else [1.0] * n
    if len(w) != n or any(x < 0.0 for x in w) or not sum(w) > 0.0:
        raise IndicatorError(f"give {n} non-negative scenario weights with a positive sum")
    versions = {c.tree_version for cards in scorecards.values() for c in cards}
    if versions != {tree.version}:
        raise IndicatorError(
            f"scorecards use tree versions {sorted(versions)}; rescore on {tree.version}"
        )
    rows = []
    for town, cards in scorecards.items():
        score = math.fsum(x * c.total for x, c in zip(w, cards, strict=True)) / math.fsum(w)
        rows.append((town, score, tuple(c.run_id for c in cards), tuple(c.total for c in cards)))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return tuple(
        RankEntry(town, score, tree.grade_of(score).grade, k + 1, runs, totals)
        for k, (town, score, runs, totals) in enumerate(rows)
    )


def diff_scorecards(base: Scorecard, variant: Scorecard) -> ScoreDiff:
    """Indicator-by-indicator what-if diff of two scorecards on the same tree version.

    Raises
    ------
    IndicatorError
        The scorecards come from different tree versions or leaf sets.
    """
    if base.tree_version != variant.tree_version:
        raise IndicatorError(
            f"runs scored on tree {base.tree_version} and {variant.tree_version}; rescore both"
        )
    by_id = {s.node_id: s for s in variant.leaves}
    if set(by_id) != {s.node_id for s in base.leaves}:
        raise IndicatorError("scorecards have different indicator leaves; rescore both runs")
    differ = [b.node_id for b in base.leaves if b.applicable != by_id[b.node_id].applicable]
    if differ:
        raise IndicatorError(
            f"indicator {differ[0]!r} applies to one run only (a network was added or removed "
            "between them); compare runs of the same town model"
        )
    leaves = tuple(
        LeafDiff(
            b.node_id,
            b.output_key,
            b.unit,
            b.value,
            by_id[b.node_id].value,
            b.score,
            by_id[b.node_id].score,
            by_id[b.node_id].score - b.score,
            b.global_weight * (by_id[b.node_id].score - b.score),
        )
        for b in base.leaves
    )
    vnodes = {n.node_id: n for n in variant.nodes}
    nodes = tuple(
        (n.node_id, n.score, vnodes[n.node_id].score, vnodes[n.node_id].score - n.score)
        for n in base.nodes
        if n.node_id in vnodes
    )
    return ScoreDiff(
        base.run_id,
        variant.run_id,
        base.total,
        variant.total,
        variant.total - base.total,
        base.grade,
        variant.grade,
        nodes,
        leaves,
    )
