"""What a run's report reads: the run row, its scenario and town, and the files in its directory.

Every file is optional except the run row: a section whose file is absent says so. The files
and keys read are listed in docs/scenarios/reports.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from scenarios.engine.comparison import RankEntry, rank_towns
from scenarios.engine.errors import IndicatorError
from scenarios.engine.indicator_tree import IndicatorTree, load_tree
from scenarios.engine.recovery_mc import RecoveryBands
from scenarios.engine.scoring import Scorecard, scorecard_from_dict
from scenarios.models import ScenarioRun

Arrays = dict[str, Any]
#: Array files (``<name>.npz``) and JSON files (``<name>.json``) a report may read.
ARRAY_FILES = ("hazard", "intensity", "buildings", "lifelines", "fire", "chemical", "recovery")
JSON_FILES = ("scorecard", "response-plan", "repairs")


@dataclass(slots=True)
class RunData:
    """A run's row, outputs and whatever array and JSON files its directory holds."""

    run: ScenarioRun
    directory: Path
    outputs: dict[str, float]
    tree: IndicatorTree
    arrays: dict[str, Arrays] = field(default_factory=dict)
    json: dict[str, Any] = field(default_factory=dict)
    scorecard: Scorecard | None = None
    bands: RecoveryBands | None = None
    ranking: tuple[RankEntry, ...] = ()
    cache: dict[str, Any] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.arrays or name in self.json

    def output(self, key: str) -> float | None:
        value = self.outputs.get(key)
        return None if value is None else float(value)


def run_data(run: ScenarioRun, directory: Path, outputs: dict[str, float] | None = None) -> RunData:
    """Gather everything the report of ``run`` can show (``outputs`` default: the run row's)."""
    data = RunData(
        run, directory, dict(outputs if outputs is not None else run.outputs), load_tree()
    )
    for name in ARRAY_FILES:
        path = directory / f"{name}.npz"
        if path.exists():
            with np.load(path, allow_pickle=False) as npz:
                data.arrays[name] = {key: npz[key] for key in npz.files}
    for name in JSON_FILES:
        path = directory / f"{name}.json"
        if path.exists():
            data.json[name] = json.loads(path.read_text())
    if "scorecard" in data.json:
        data.scorecard = scorecard_from_dict(data.json["scorecard"])
    data.bands = bands_from_arrays(data.arrays.get("recovery"), _seed(run, directory, "recovery"))
    data.ranking = town_ranking(run, data.tree, data.scorecard)
    return data


def _seed(run: ScenarioRun, directory: Path, step: str) -> int:
    from scenarios.pipeline import RunContext  # the seed rule lives with the steps

    return RunContext(run.pk, run.scenario, directory, lambda f, m: None).seed_for(step)


def bands_from_arrays(arrays: Arrays | None, seed: int = 0) -> RecoveryBands | None:
    """Recovery bands stored field by field in ``recovery.npz``; None when absent or partial."""
    names = (
        "names",
        "grid_days",
        "q_mean",
        "percentiles",
        "q_pct",
        "loss_pct_days",
        "time_to_90_days",
        "time_to_100_days",
    )
    if arrays is None or any(n not in arrays for n in names):
        return None
    return RecoveryBands(
        names=tuple(str(n) for n in arrays["names"]),
        grid_days=arrays["grid_days"],
        q_mean=arrays["q_mean"],
        percentiles=tuple(float(p) for p in arrays["percentiles"]),
        q_pct=arrays["q_pct"],
        loss_pct_days=arrays["loss_pct_days"],
        time_to_90_days=arrays["time_to_90_days"],
        time_to_100_days=arrays["time_to_100_days"],
        seed=int(arrays.get("seed", seed)),
    )


def town_ranking(
    run: ScenarioRun, tree: IndicatorTree, card: Scorecard | None
) -> tuple[RankEntry, ...]:
    """Towns ranked by their latest succeeded run's score, when two or more towns have one."""
    if card is None:
        return ()
    cards: dict[str, list[Scorecard]] = {run.town.slug: [card]}
    others = (
        ScenarioRun.objects.filter(status=ScenarioRun.Status.SUCCEEDED)
        .exclude(scenario__town=run.town)
        .select_related("scenario__town")
        .order_by("scenario__town__slug", "-finished_at", "-pk")
    )
    for other in others:
        slug = other.town.slug
        path = Path(settings.MEDIA_ROOT) / "runs" / str(other.pk) / "scorecard.json"
        if slug in cards or not path.exists():
            continue
        other_card = scorecard_from_dict(json.loads(path.read_text()))
        if other_card.tree_version == tree.version:
            cards[slug] = [other_card]
    if len(cards) < 2:
        return ()
    try:
        return rank_towns(tree, cards)
    except IndicatorError:
        return ()
