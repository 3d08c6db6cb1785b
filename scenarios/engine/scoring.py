"""Scoring run outputs on the indicator tree, with lineage to the run.

Each leaf reads one run output (optionally divided by a denominator output and scaled), is
normalised to a score 0-100 (linear between documented bounds, or threshold bands), and scores
are aggregated bottom-up as weighted sums with the AHP weights of each node (Saaty 2008,
doi:10.1504/IJSSCI.2008.017590, "distributive" synthesis). Every leaf score keeps the output
key, raw value, normalised value, the weight path from the root and the run id.

Monotonicity: both normalisations are non-decreasing in "goodness" and the aggregation has
non-negative weights, so a scenario whose damage-type outputs only grow (and capacity-type
outputs only shrink) never scores higher (tested with hypothesis).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class NodeScore:
    """Score (0-100) and grade of an internal node."""

    node_id: str
    name_en: str
    name_zh: str
    score: float
    grade: str
    global_weight: float
    depth: int


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
        for key in (leaf.output_key, leaf.denominator):
            if key is None:
                continue
            if key not in outputs:
                raise IndicatorError(
                    f"run output {key!r} needed by indicator {leaf_node.id!r} is missing"
                )
            if not math.isfinite(float(outputs[key])):
                raise IndicatorError(f"run output {key!r} is not a finite number: {outputs[key]!r}")
        if leaf.denominator is not None and not float(outputs[leaf.denominator]) > 0.0:
            raise IndicatorError(f"run output {leaf.denominator!r} must be positive (denominator)")


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
    if node.leaf is not None:
        leaves.append(_score_leaf(node, outputs, run_id, node_path, weight_path))
        return leaves[-1].score
    parts = [
        w * _score_node(tree, c, outputs, run_id, (node_path, (*weight_path, w)), leaves, nodes)
        for c, w in zip(node.children, node.weights, strict=True)
    ]
    score = float(np.clip(math.fsum(parts), SCORE_MIN, SCORE_MAX))
    nodes.append(
        NodeScore(
            node.id,
            node.name_en,
            node.name_zh,
            score,
            tree.grade_of(score).grade,
            math.prod(weight_path),
            len(weight_path),
        )
    )
    return score


def _score_leaf(
    node: IndicatorNode,
    outputs: Mapping[str, float],
    run_id: str,
    node_path: tuple[str, ...],
    weight_path: tuple[float, ...],
) -> LeafScore:
    leaf = node.leaf
    assert leaf is not None
    raw = float(outputs[leaf.output_key])
    den = float(outputs[leaf.denominator]) if leaf.denominator is not None else None
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
    )
