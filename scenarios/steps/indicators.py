"""Indicators step: score the run's outputs on the indicator tree (lineage to the run)."""

from __future__ import annotations

from dataclasses import asdict

from scenarios.engine.errors import IndicatorError
from scenarios.engine.indicator_tree import load_tree
from scenarios.engine.scoring import score_run
from scenarios.pipeline import RunContext, StepFailed


def indicators_step(ctx: RunContext) -> dict[str, float]:
    """Score the registry outputs gathered so far and keep the scorecard with the run."""
    tree = load_tree()
    outputs = {k: v for k, v in ctx.outputs.items() if k in tree.outputs}
    try:
        card = score_run(tree, outputs, run_id=str(ctx.run_id))
    except IndicatorError as exc:
        raise StepFailed(f"indicator scoring: {exc}") from exc
    ctx.save_json("scorecard", asdict(card))
    return {"indicators.total": card.total}
