"""Scoring run outputs on the indicator tree, with lineage to the run.

Each leaf reads one run output (optionally divided by a denominator output and scaled), is
normalised to a score 0-100 (linear between documented bounds, or threshold bands), and scores
are aggregated bottom-up as weighted sums with the AHP weights of each node (Saaty 2008,
doi:10.1504/IJSSCI.2008.017590, "distributive" synthesis). A leaf whose ``applies_if`` output is
0 is *not applicable* to the run (no gas network, no gas indicator): it is kept in the scorecard
with ``applicable=False``, score 0 and weight 0, and its siblings' weights are scaled up to sum to
1; a node all of whose leaves are not applicable is not applicable itself. Every leaf score keeps the output
key, raw value, normalised value, the weight path from the root and the run id.

Monotonicity: both normalisations are non-decreasing in "goodness" and the aggregation has
non-negative weights, so a scenario whose damage-type outputs only grow (and capacity-type
outputs only shrink) never scores higher (tested with hypothesis).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from scenarios.engine.errors import IndicatorError
from scenarios.engine.indicator_tree import (
    SCORE_MAX,
    SCORE_MIN,
    IndicatorNode,
    IndicatorTree,
    Leaf,
    Normalisation,
)


@dataclass(frozen=True, slots=True)
class LeafScore:
    """Score of one leaf indicator with its lineage.

    Attributes
    ----------
    node_id, output_key, unit : str
        Leaf, the run output it reads, and the unit of ``value``.
    raw_value : float
        The run output as given (unit of the output registry).
    denominator_key : str or None
        Output divided into ``raw_value``; ``denominator_value`` its value.
    value : float
        ``raw_value / denominator_value * scale`` (leaf unit).
    normalised : float
        0 (worst) .. 1 (best).
    score : float
        ``100 * normalised`` for linear leaves; the band score for threshold leaves.
    node_path : tuple of str
        Node ids from the root to this leaf.
    weight_path : tuple of float
        Local weights along ``node_path`` (root's weight 1 omitted).
    global_weight : float
        Product of ``weight_path``: this leaf's share of the total score.
    run_id : str
        The run whose outputs were scored.
    applicable : bool
        False when the leaf's ``applies_if`` output is 0; value, score and weights are then 0.
    """

    node_id: str
    output_key: str
    unit: str
    raw_value: float
    denominator_key: str | None
    denominator_value: float | None
    value: float
    normalised: float
    score: float
    node_path: tuple[str, ...]
    weight_path: tuple[float, ...]
    global_weight: float
    run_id: str
    applicable: bool = True


@dataclass(frozen=True, slots=True)
class NodeScore:
    """Score (0-100) and grade of an internal node (score 0, grade "" when not applicable)."""

    node_id: str
    name_en: str
    name_zh: str
    score: float
    grade: str
    global_weight: float
    depth: int
    applicable: bool = True


@dataclass(frozen=True, slots=True)
class Scorecard:
    """All scores of one run on one tree version."""

    run_id: str
    tree_version: str
    total: float
    grade: str
    nodes: tuple[NodeScore, ...]
    leaves: tuple[LeafScore, ...]

    def leaf(self, node_id: str) -> LeafScore:
        """The leaf score of ``node_id``."""
        for s in self.leaves:
            if s.node_id == node_id:
                return s
        raise IndicatorError(f"no leaf {node_id!r} in scorecard of run {self.run_id}")

    def node(self, node_id: str) -> NodeScore:
        """The node score of ``node_id``."""
        for s in self.nodes:
            if s.node_id == node_id:
                return s
        raise IndicatorError(f"no node {node_id!r} in scorecard of run {self.run_id}")


def normalise(value: float, leaf: Leaf) -> tuple[float, float]:
    """(normalised 0-1, score 0-100) of a leaf value; see the tree module for the rules."""
    norm: Normalisation = leaf.normalisation
    if norm.kind == "linear":
        x = (value - norm.worst) / (norm.best - norm.worst)
        x = float(np.clip(x, 0.0, 1.0))
        return x, SCORE_MAX * x
    # Lower-better bands are right-closed (value <= break), higher-better left-closed.
    if leaf.direction == "lower_better":
        band = int(np.searchsorted(np.asarray(norm.breaks), value, side="left"))
    else:
        band = int(np.searchsorted(np.asarray(norm.breaks), value, side="right"))
    score = norm.scores[band]
    return score / SCORE_MAX, score


def check_outputs(tree: IndicatorTree, outputs: Mapping[str, float], *, strict: bool) -> None:
    """Check run outputs against the tree's registry.

    Raises
    ------
    IndicatorError
        A key the tree needs is missing or not finite, or (``strict``) a key is not in the
        registry, which usually is a misspelt output name.
    """
    if strict:
        unknown = sorted(set(outputs) - set(tree.outputs))
        if unknown:
            raise IndicatorError(
                f"unknown run output key {unknown[0]!r}; known keys are in "
                f"the tree's outputs registry (version {tree.version})"
            )
    for leaf_node in tree.leaves():
        leaf = leaf_node.leaf
        assert leaf is not None
        if leaf.applies_if is not None:
            _check_present(leaf_node.id, leaf.applies_if, outputs)
            if not _applies(leaf_node, outputs):
                continue
        for key in (leaf.output_key, leaf.denominator):
            if key is not None:
                _check_present(leaf_node.id, key, outputs)
        if leaf.denominator is not None and not float(outputs[leaf.denominator]) > 0.0:
            raise IndicatorError(f"run output {leaf.denominator!r} must be positive (denominator)")


def _check_present(node_id: str, key: str, outputs: Mapping[str, float]) -> None:
    if key not in outputs:
        raise IndicatorError(f"run output {key!r} needed by indicator {node_id!r} is missing")
    if not math.isfinite(float(outputs[key])):
        raise IndicatorError(f"run output {key!r} is not a finite number: {outputs[key]!r}")


def _applies(node: IndicatorNode, outputs: Mapping[str, float]) -> bool:
    """Whether a node is applicable: a leaf unless its ``applies_if`` output is 0, a node if
    any child is."""
    if node.leaf is not None:
        key = node.leaf.applies_if
        return key is None or float(outputs[key]) != 0.0
    return any(_applies(c, outputs) for c in node.children)


def _effective_weights(node: IndicatorNode, outputs: Mapping[str, float]) -> list[float]:
    """The node's child weights with non-applicable children at 0, the rest rescaled to sum 1."""
    kept = [
        w if _applies(c, outputs) else 0.0 for c, w in zip(node.children, node.weights, strict=True)
    ]
    total = math.fsum(kept)
    return [w / total for w in kept] if total > 0.0 else kept


def score_run(
    tree: IndicatorTree, outputs: Mapping[str, float], *, run_id: str, strict: bool = True
) -> Scorecard:
    """Score one run's outputs on the indicator tree.

    Parameters
    ----------
    tree : IndicatorTree
        A validated tree (:func:`scenarios.engine.indicator_tree.load_tree`).
    outputs : mapping of str to float
        Run summary values keyed by output key (units per the tree's outputs registry).
    run_id : str
        Identifier of the run; copied into every leaf score (lineage).
    strict : bool
        Reject keys that are not in the tree's outputs registry.

    Returns
    -------
    Scorecard
        Total score 0-100, grade, node and leaf scores with lineage.
    """
    check_outputs(tree, outputs, strict=strict)
    if not _applies(tree.root, outputs):
        raise IndicatorError("no indicator of the tree applies to this run (every applies_if is 0)")
    leaves: list[LeafScore] = []
    nodes: list[NodeScore] = []
    total = _score_node(tree, tree.root, outputs, run_id, ((), ()), leaves, nodes)
    nodes.sort(key=lambda n: (n.depth, n.node_id))
    return Scorecard(
        run_id, tree.version, total, tree.grade_of(total).grade, tuple(nodes), tuple(leaves)
    )


def _score_node(
    tree: IndicatorTree,
    node: IndicatorNode,
    outputs: Mapping[str, float],
    run_id: str,
    path: tuple[tuple[str, ...], tuple[float, ...]],
    leaves: list[LeafScore],
    nodes: list[NodeScore],
) -> float:
    node_path, weight_path = (*path[0], node.id), path[1]
    applicable = _applies(node, outputs)
    if node.leaf is not None:
        leaves.append(_score_leaf(node, outputs, run_id, node_path, weight_path, applicable))
        return leaves[-1].score
    parts = [
        w * _score_node(tree, c, outputs, run_id, (node_path, (*weight_path, w)), leaves, nodes)
        for c, w in zip(node.children, _effective_weights(node, outputs), strict=True)
    ]
    score = float(np.clip(math.fsum(parts), SCORE_MIN, SCORE_MAX))
    nodes.append(
        NodeScore(
            node.id,
            node.name_en,
            node.name_zh,
            score,
            tree.grade_of(score).grade if applicable else "",
            math.prod(weight_path),
            len(weight_path),
            applicable,
        )
    )
    return score


def _score_leaf(
    node: IndicatorNode,
    outputs: Mapping[str, float],
    run_id: str,
    node_path: tuple[str, ...],
    weight_path: tuple[float, ...],
    applicable: bool,
) -> LeafScore:
    leaf = node.leaf
    assert leaf is not None
    raw = float(outputs.get(leaf.output_key, 0.0))
    den = float(outputs.get(leaf.denominator, 0.0)) if leaf.denominator is not None else None
    if not applicable:
        value, normalised, score = 0.0, 0.0, 0.0
    else:
        value = raw / den * leaf.scale if den is not None else raw * leaf.scale
        normalised, score = normalise(value, leaf)
    return LeafScore(
        node.id,
        leaf.output_key,
        leaf.unit,
        raw,
        leaf.denominator,
        den,
        value,
        normalised,
        score,
        node_path,
        weight_path,
        math.prod(weight_path),
        run_id,
        applicable,
    )


def scorecard_from_dict(raw: Mapping[str, Any]) -> Scorecard:
    """The :class:`Scorecard` stored with ``dataclasses.asdict`` (e.g. a run's scorecard.json)."""
    leaves = tuple(
        LeafScore(
            **{**x, "node_path": tuple(x["node_path"]), "weight_path": tuple(x["weight_path"])}
        )
        for x in raw["leaves"]
    )
    nodes = tuple(NodeScore(**x) for x in raw["nodes"])
    return Scorecard(raw["run_id"], raw["tree_version"], raw["total"], raw["grade"], nodes, leaves)
