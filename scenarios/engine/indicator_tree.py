"""The resilience indicator tree: loading and validation of the tree kept as data.

The tree (``data/indicators.json``) follows GB/T 40947-2021 in spirit: objects (people,
buildings, lifelines, emergency management) x capacities (resist, absorb/respond, recover),
with leaves that each name one run output key. Internal nodes carry an AHP pairwise comparison
matrix over their children (or, for a single child, none); weights come from
:func:`scenarios.engine.ahp.ahp_weights` with the CR < 0.1 check. A node may instead give
explicit ``weights`` that must sum to 1.

Leaf fields: ``output_key`` (a key of the ``outputs`` registry), optional ``denominator`` (a
key divided into the value, e.g. ``town.population``) and ``scale`` (e.g. 1e5 for "per 100 000"),
``direction`` (``higher_better`` | ``lower_better``), ``unit``, optional ``applies_if`` (an
output key; the leaf is *not applicable* to a run where that output is 0, e.g. a gas indicator in
a town without a gas network: its weight then goes to its applicable siblings in proportion to
theirs, see :mod:`scenarios.engine.scoring`), ``normalisation``:

- ``{"kind": "linear", "worst": w, "best": b}``: score 0 at ``w``, 100 at ``b``, clipped;
- ``{"kind": "thresholds", "breaks": [...], "scores": [...]}``: ``len(scores) = len(breaks)+1``;
  lower-better intervals are right-closed (value <= break), higher-better left-closed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from scenarios.engine.ahp import ahp_weights
from scenarios.engine.errors import AhpError, IndicatorError

TREE_PATH = Path(__file__).with_name("data") / "indicators.json"
#: Explicit node weights must sum to 1 within this.
WEIGHT_SUM_ATOL = 1e-6
DIRECTIONS = ("higher_better", "lower_better")
SCORE_MIN, SCORE_MAX = 0.0, 100.0


@dataclass(frozen=True, slots=True)
class Normalisation:
    """How a leaf's value maps to a score 0-100 (see the module docstring)."""

    kind: str
    worst: float = 0.0
    best: float = 0.0
    breaks: tuple[float, ...] = ()
    scores: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Leaf:
    """What a leaf indicator reads from a run and how it is normalised."""

    output_key: str
    direction: str
    unit: str
    normalisation: Normalisation
    denominator: str | None
    scale: float
    source: str
    applies_if: str | None = None


@dataclass(frozen=True, slots=True)
class IndicatorNode:
    """A node of the indicator tree; ``weights`` are the local weights of ``children``."""

    id: str
    name_en: str
    name_zh: str
    children: tuple[IndicatorNode, ...]
    weights: tuple[float, ...]
    consistency_ratio: float
    leaf: Leaf | None

    def walk(self) -> Iterator[IndicatorNode]:
        """This node and its descendants, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Grade:
    """A grade band: scores >= ``min_score`` (down to the next band) get ``grade``."""

    grade: str
    min_score: float
    label_en: str
    label_zh: str


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """A run output key the tree knows: unit, description and kind (damage/capacity/context)."""

    key: str
    unit: str
    description_en: str
    kind: str


@dataclass(frozen=True, slots=True)
class IndicatorTree:
    """A validated indicator tree with its grades and output registry."""

    version: str
    root: IndicatorNode
    grades: tuple[Grade, ...]
    outputs: Mapping[str, OutputSpec]

    def leaves(self) -> tuple[IndicatorNode, ...]:
        """Leaf nodes in depth-first order."""
        return tuple(n for n in self.root.walk() if n.leaf is not None)

    def node(self, node_id: str) -> IndicatorNode:
        """The node called ``node_id``."""
        for n in self.root.walk():
            if n.id == node_id:
                return n
        raise IndicatorError(f"no indicator node {node_id!r} in tree {self.version}")

    def grade_of(self, score: float) -> Grade:
        """The grade band of a score 0-100."""
        for g in self.grades:
            if score >= g.min_score:
                return g
        return self.grades[-1]


def load_tree(path: Path | None = None) -> IndicatorTree:
    """Load and validate an indicator tree file (default: the platform's tree).

    Raises
    ------
    IndicatorError
        Unknown output key, bad direction or normalisation, missing matrix, duplicate id,
        weights not summing to 1; the message names the node.
    AhpInconsistentError
        A node's matrix has CR >= 0.1; the message names the node and the CR.
    """
    return _load_cached(str(path or TREE_PATH))


@lru_cache(maxsize=8)
def _load_cached(path: str) -> IndicatorTree:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndicatorError(f"cannot read indicator tree {path}: {exc}") from exc
    return tree_from_dict(raw)


def tree_from_dict(raw: Mapping[str, Any]) -> IndicatorTree:
    """Build and validate an :class:`IndicatorTree` from its JSON-like mapping."""
    try:
        outputs = {
            k: OutputSpec(k, str(v["unit"]), str(v.get("description_en", "")), str(v["kind"]))
            for k, v in raw["outputs"].items()
        }
        grades = tuple(
            Grade(str(g["grade"]), float(g["min_score"]), str(g["label_en"]), str(g["label_zh"]))
            for g in raw["grades"]
        )
        root_raw = raw["root"]
        version = str(raw["version"])
    except (KeyError, TypeError) as exc:
        raise IndicatorError(
            f"indicator tree lacks field {exc}; see docs/scenarios/indicators.md"
        ) from exc
    _check_grades(grades)
    root = _build_node(root_raw, outputs, set())
    return IndicatorTree(version, root, grades, outputs)


def _check_grades(grades: tuple[Grade, ...]) -> None:
    mins = [g.min_score for g in grades]
    if not grades or mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        raise IndicatorError("grades must be listed from best to worst with decreasing min_score")
    if mins[-1] != SCORE_MIN:
        raise IndicatorError("the last grade must start at score 0 so every score has a grade")


def _build_node(
    raw: Mapping[str, Any], outputs: Mapping[str, OutputSpec], seen: set[str]
) -> IndicatorNode:
    node_id = str(raw.get("id", ""))
    if not node_id or node_id in seen:
        raise IndicatorError(f"indicator node id {node_id!r} is empty or duplicated")
    seen.add(node_id)
    names = (str(raw.get("name_en", node_id)), str(raw.get("name_zh", node_id)))
    if "output_key" in raw:
        if raw.get("children"):
            raise IndicatorError(f"{node_id}: a leaf (with output_key) cannot have children")
        return IndicatorNode(node_id, *names, (), (), 0.0, _build_leaf(node_id, raw, outputs))
    children = tuple(_build_node(c, outputs, seen) for c in raw.get("children", ()))
    if not children:
        raise IndicatorError(f"{node_id}: node has neither children nor an output_key")
    weights, cr = _node_weights(node_id, raw, children)
    return IndicatorNode(node_id, *names, children, weights, cr, None)


def _node_weights(
    node_id: str, raw: Mapping[str, Any], children: tuple[IndicatorNode, ...]
) -> tuple[tuple[float, ...], float]:
    labels = [c.id for c in children]
    if "weights" in raw:
        w = tuple(float(x) for x in raw["weights"])
        if len(w) != len(children) or any(x < 0.0 for x in w):
            raise IndicatorError(f"{node_id}: give one non-negative weight per child ({labels})")
        if abs(sum(w) - 1.0) > WEIGHT_SUM_ATOL:
            raise IndicatorError(f"{node_id}: weights sum to {sum(w):.6g}, not 1; rescale them")
        return w, 0.0
    if "matrix" not in raw:
        if len(children) == 1:
            return (1.0,), 0.0
        raise IndicatorError(f"{node_id}: missing AHP matrix (or weights) for children {labels}")
    try:
        result = ahp_weights(raw["matrix"], labels=labels, name=node_id)
    except AhpError:
        raise
    except (TypeError, ValueError) as exc:
        raise IndicatorError(f"{node_id}: AHP matrix is not a table of numbers: {exc}") from exc
    return tuple(float(x) for x in result.weights), result.consistency_ratio


def _build_leaf(node_id: str, raw: Mapping[str, Any], outputs: Mapping[str, OutputSpec]) -> Leaf:
    key, den, applies_if = str(raw["output_key"]), raw.get("denominator"), raw.get("applies_if")
    for k in (key, den, applies_if):
        if k is not None and k not in outputs:
            raise IndicatorError(f"{node_id}: output key {k!r} is not in the outputs registry")
    direction = str(raw.get("direction", ""))
    if direction not in DIRECTIONS:
        raise IndicatorError(f"{node_id}: direction {direction!r} must be one of {DIRECTIONS}")
    scale = float(raw.get("scale", 1.0))
    if not scale > 0.0:
        raise IndicatorError(f"{node_id}: scale must be positive, got {scale}")
    norm = _build_normalisation(node_id, raw.get("normalisation", {}), direction)
    unit, source = str(raw.get("unit", "")), str(raw.get("source", ""))
    return Leaf(key, direction, unit, norm, den, scale, source, applies_if)


def _build_normalisation(node_id: str, raw: Mapping[str, Any], direction: str) -> Normalisation:
    kind = raw.get("kind")
    if kind == "linear":
        worst, best = float(raw["worst"]), float(raw["best"])
        if worst == best or (best > worst) != (direction == "higher_better"):
            raise IndicatorError(
                f"{node_id}: linear bounds worst={worst}, best={best} contradict {direction}"
            )
        return Normalisation("linear", worst=worst, best=best)
    if kind == "thresholds":
        breaks = tuple(float(x) for x in raw["breaks"])
        scores = tuple(float(x) for x in raw["scores"])
        _check_thresholds(node_id, breaks, scores, direction)
        return Normalisation("thresholds", breaks=breaks, scores=scores)
    raise IndicatorError(f"{node_id}: normalisation kind {kind!r} must be 'linear' or 'thresholds'")


def _check_thresholds(
    node_id: str, breaks: tuple[float, ...], scores: tuple[float, ...], direction: str
) -> None:
    if len(scores) != len(breaks) + 1 or not breaks:
        raise IndicatorError(f"{node_id}: thresholds need len(scores) == len(breaks) + 1")
    if any(b2 <= b1 for b1, b2 in pairwise(breaks)):
        raise IndicatorError(f"{node_id}: threshold breaks must increase strictly")
    if any(not SCORE_MIN <= s <= SCORE_MAX for s in scores):
        raise IndicatorError(f"{node_id}: threshold scores must lie in 0..100")
    pairs = list(pairwise(scores))
    ok = (
        all(b <= a for a, b in pairs)
        if direction == "lower_better"
        else all(b >= a for a, b in pairs)
    )
    if not ok:
        raise IndicatorError(f"{node_id}: threshold scores must be monotone for {direction}")
