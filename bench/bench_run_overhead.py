"""End-to-end time of the reference suite's near-field scenario per town size, and the overhead
of the run machinery (run row, step markers, progress writes, score rows) over the steps alone.

Run: ``DATABASE_URL=... .venv/bin/python bench/bench_run_overhead.py [SLUG ...]`` on a database
with demonstration towns (e.g. ``manage.py build_demo_towns --size-factor 0.01``); results are
copied to docs/benchmarks.md by hand.

Two honest measures per town, ``REPEATS`` times, alternating:

- *inside*: one ``run_execute`` wall time minus the sum of its own per-step timings: the cost of
  the machinery between and around the steps, free of run-to-run noise;
- *paired*: ``run_execute`` wall time against the same step functions called directly, in
  order, on a bare context (no run row, no progress writes, no markers): includes the
  progress writes made inside steps, but carries the noise of two separate runs.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from scenarios import services, suite  # noqa: E402
from scenarios.models import ScenarioRun  # noqa: E402
from scenarios.pipeline import RunContext  # noqa: E402
from scenarios.steps import STEPS  # noqa: E402
from twin.models import Building, Town  # noqa: E402

REPEATS = 2
TOWNS = ("yingxiu-hillside", "xiongan-rongdong", "kotka-harbour")


def through_run(scenario) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(run_execute wall s, sum of the run's step timings s) of a fresh run."""
    run = services.run_start(scenario=scenario, enqueue=False)
    t0 = time.perf_counter()
    run = services.run_execute(run_id=run.pk)
    wall = time.perf_counter() - t0
    assert run.status == "succeeded", run.error
    return wall, sum(v for k, v in run.timings.items() if not k.startswith("_"))


def steps_alone(scenario) -> float:  # type: ignore[no-untyped-def]
    """Wall s of the same steps called directly on a bare context."""
    row = ScenarioRun.objects.create(scenario=scenario)  # the report step reads its run row
    try:
        with tempfile.TemporaryDirectory() as folder:
            ctx = RunContext(row.pk, scenario, Path(folder), lambda fraction, message: None)
            t0 = time.perf_counter()
            for _, step in STEPS:
                ctx.outputs.update(step(ctx))
            return time.perf_counter() - t0
    finally:
        row.delete()


def main(slugs: list[str]) -> None:
    print(
        "| town | buildings | end to end (s) | steps in run (s) | steps alone (s) "
        "| overhead inside | overhead paired |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    for slug in slugs:
        town = Town.objects.get(slug=slug)
        scenario = suite.suite_scenarios(town, realisations=10)[0]
        walls, inside, alone = [], [], []
        for _ in range(REPEATS):
            wall, in_steps = through_run(scenario)
            walls.append(wall)
            inside.append(in_steps)
            alone.append(steps_alone(scenario))
        wall, steps, bare = (statistics.median(x) for x in (walls, inside, alone))
        print(
            f"| {slug} | {Building.objects.filter(town=town).count()} | {wall:.2f} | {steps:.2f} "
            f"| {bare:.2f} | {100 * (wall - steps) / steps:.2f} % | {100 * (wall - bare) / bare:+.1f} % |",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:] or list(TOWNS))
