"""The chain of a scenario run: hazard → buildings → lifelines → recovery → emergency →
indicators → report, each step resumable.

A step reads what earlier steps stored in the run's directory and returns indicator outputs;
when it finishes, its outputs are written to ``<run dir>/<step>.json``. A run that is started
again (after a worker was killed) skips the steps whose file exists, so the finished work is
kept and the result is the same: every step draws its randomness from the scenario seed and
its own name, never from the order in which steps ran.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from scenarios.models import Scenario, ScenarioRun
from twin.models import Town

Progress = Callable[[float, str], None]


class RunCancelled(Exception):
    """The user asked to stop the run."""


class StepFailed(Exception):
    """A step cannot go on; the message says why in a planner's words."""


@dataclass(slots=True)
class RunContext:
    """What a step sees: the scenario, the run's folder, outputs so far, and progress."""

    run_id: int
    scenario: Scenario
    directory: Path
    progress: Progress
    outputs: dict[str, float] = field(default_factory=dict)

    @property
    def town(self) -> Town:
        return self.scenario.town

    def seed_for(self, step: str) -> int:
        """A seed that depends only on the scenario seed and the step's name."""
        digest = hashlib.sha256(f"{self.scenario.seed}:{step}".encode()).digest()
        return int.from_bytes(digest[:4], "little")

    def save_arrays(self, name: str, **arrays: Any) -> Path:
        path = self.directory / f"{name}.npz"
        np.savez_compressed(path, **arrays)
        return path

    def load_arrays(self, name: str) -> dict[str, Any]:
        with np.load(self.directory / f"{name}.npz", allow_pickle=False) as data:
            return {key: data[key] for key in data.files}

    def save_json(self, name: str, value: Any) -> Path:
        path = self.directory / f"{name}.json"
        path.write_text(json.dumps(value, sort_keys=True, indent=1, default=_plain))
        return path

    def load_json(self, name: str) -> Any:
        return json.loads((self.directory / f"{name}.json").read_text())


Step = Callable[[RunContext], dict[str, float]]


def run_directory(run: ScenarioRun) -> Path:
    """Where a run keeps its arrays, step outputs, report and model scripts."""
    path = Path(settings.MEDIA_ROOT) / "runs" / str(run.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def execute_steps(
    ctx: RunContext,
    steps: list[tuple[str, Step]],
    *,
    on_step: Callable[[str, int], None],
    cancelled: Callable[[], bool],
) -> dict[str, float]:
    """Run ``steps`` in order, skipping those already done; return the merged outputs."""
    timings: dict[str, float] = {}
    for index, (name, step) in enumerate(steps):
        done = ctx.directory / f"step-{name}.json"
        if done.exists():
            ctx.outputs.update(json.loads(done.read_text()))
            continue
        if cancelled():
            raise RunCancelled(f"cancelled before step {name}")
        on_step(name, index)
        started = time.perf_counter()
        outputs = step(ctx)
        timings[name] = round(time.perf_counter() - started, 3)
        ctx.outputs.update(outputs)
        done.write_text(json.dumps(outputs, sort_keys=True, default=_plain))
    ctx.save_json("timings", timings)
    return ctx.outputs


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
