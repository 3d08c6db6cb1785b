"""Write paths of scenarios and runs: create, start, execute, cancel."""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import traceback
from datetime import timedelta
from importlib.metadata import version
from typing import Any

from django.db import transaction
from django.utils import timezone

from scenarios import pipeline
from scenarios.models import IndicatorScore, Scenario, ScenarioRun
from scenarios.steps import STEPS

PACKAGES = ("django", "numpy", "scipy", "openseespy", "wntr", "networkx", "ifcopenshell")


def run_start(*, scenario: Scenario, enqueue: bool = True) -> ScenarioRun:
    """Create a queued run of ``scenario``; enqueue its task when the transaction commits."""
    run = ScenarioRun.objects.create(scenario=scenario, input_digest=scenario_digest(scenario))
    shutil.rmtree(pipeline.run_directory(run))  # a fresh folder: nothing to resume from yet
    if enqueue:
        from scenarios.tasks import execute_run_task

        transaction.on_commit(lambda: execute_run_task.enqueue(run_id=run.pk))
    return run


def run_cancel(*, run: ScenarioRun) -> None:
    """Ask a run to stop at its next step boundary (a queued run stops at once)."""
    ScenarioRun.objects.filter(pk=run.pk).update(cancel_requested=True)
    ScenarioRun.objects.filter(pk=run.pk, status=ScenarioRun.Status.QUEUED).update(
        status=ScenarioRun.Status.CANCELLED, finished_at=timezone.now()
    )


def run_execute(*, run_id: int) -> ScenarioRun:
    """Execute (or resume) a run; the row records status, step, progress, timings and errors."""
    run = ScenarioRun.objects.select_related("scenario__town").get(pk=run_id)
    if run.finished:
        return run
    run.log = _append(run.log, "resumed" if run.started_at else "started")
    _update(
        run,
        status=ScenarioRun.Status.RUNNING,
        started_at=run.started_at or timezone.now(),
        versions=versions(),
        error="",
    )
    ctx = pipeline.RunContext(run.pk, run.scenario, pipeline.run_directory(run), _progress(run))
    try:
        outputs = pipeline.execute_steps(
            ctx,
            STEPS,
            on_step=lambda name, i: _step_started(run, name, i),
            cancelled=lambda: ScenarioRun.objects.filter(pk=run.pk, cancel_requested=True).exists(),
        )
    except pipeline.RunCancelled as exc:
        _finish(run, ScenarioRun.Status.CANCELLED, log=str(exc))
    except pipeline.StepFailed as exc:
        _finish(run, ScenarioRun.Status.FAILED, error=f"{run.step}: {exc}")
    except Exception as exc:
        _finish(
            run,
            ScenarioRun.Status.FAILED,
            error=f"{run.step}: internal error ({exc})",
            log=traceback.format_exc(),
        )
        raise
    else:
        _store_scores(run, ctx)
        _finish(
            run,
            ScenarioRun.Status.SUCCEEDED,
            outputs=outputs,
            summary=_summary(outputs),
            timings=ctx.load_json("timings"),
        )
    return run


def runs_resume_orphaned(*, stale_after_s: float = 120.0, enqueue: bool = True) -> list[int]:
    """Requeue runs whose worker died mid-run (running, no sign of life for ``stale_after_s``).

    Finished steps are kept in the run's folder, so the resumed run redoes only the rest.
    """
    cutoff = timezone.now() - timedelta(seconds=stale_after_s)
    orphans = ScenarioRun.objects.filter(
        status=ScenarioRun.Status.RUNNING, heartbeat_at__lt=cutoff
    ).values_list("pk", flat=True)
    ids = list(orphans)
    for run_id in ids:
        ScenarioRun.objects.filter(pk=run_id).update(status=ScenarioRun.Status.QUEUED)
        if enqueue:
            from scenarios.tasks import execute_run_task

            execute_run_task.enqueue(run_id=run_id)
    return ids


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of everything that determines a run's result (inputs, not the run row)."""
    # to_python normalises what a fresh object holds (229) to what the database returns (229.0)
    fields = {
        f.name: f.to_python(getattr(scenario, f.attname))
        for f in scenario._meta.concrete_fields
        if f.name != "epicentre"
    }
    for key in ("id", "name", "created_at", "created_by"):
        fields.pop(key, None)
    fields["epicentre"] = scenario.epicentre.wkt
    fields["town_updated"] = scenario.town.updated_at.isoformat()
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python and the numerical packages a run depends on."""
    found = {"python": platform.python_version()}
    found.update({name: version(name) for name in PACKAGES})
    return found


def _progress(run: ScenarioRun) -> pipeline.Progress:
    def report(fraction: float, message: str) -> None:
        index = run.timings.get("_index", 0)
        overall = (index + min(max(fraction, 0.0), 1.0)) / len(STEPS)
        _update(
            run,
            progress=max(run.progress, round(overall, 4)),
            log=_append(run.log, f"{run.step}: {message}"),
        )

    return report


def _step_started(run: ScenarioRun, name: str, index: int) -> None:
    run.timings["_index"] = index
    _update(
        run,
        step=name,
        progress=max(run.progress, round(index / len(STEPS), 4)),
        log=_append(run.log, f"{name}: started"),
        timings=run.timings,
    )


def _finish(run: ScenarioRun, status: str, **fields: Any) -> None:
    if status == ScenarioRun.Status.SUCCEEDED:
        fields["progress"] = 1.0
        fields["step"] = "done"
    if "log" in fields:
        fields["log"] = _append(run.log, fields["log"])
    _update(run, status=status, finished_at=timezone.now(), **fields)


def _update(run: ScenarioRun, **fields: Any) -> None:
    fields.setdefault("heartbeat_at", timezone.now())
    for key, value in fields.items():
        setattr(run, key, value)
    ScenarioRun.objects.filter(pk=run.pk).update(**fields)


def _append(log: str, line: str) -> str:
    return f"{log}{timezone.now():%H:%M:%S} {line}\n"


def _summary(outputs: dict[str, float]) -> dict[str, float]:
    return {k: round(float(v), 6) for k, v in sorted(outputs.items())}


def _store_scores(run: ScenarioRun, ctx: pipeline.RunContext) -> None:
    """Index every node and leaf score of the run's scorecard, lineage included."""
    if not (ctx.directory / "scorecard.json").exists():
        return
    card = ctx.load_json("scorecard")
    leaves = {leaf["node_id"]: leaf for leaf in card["leaves"]}
    rows = [
        IndicatorScore(
            run=run,
            node=n["node_id"],
            label=n["name_en"],
            score=n["score"],
            grade=n["grade"],
            weight=n["global_weight"],
            lineage=leaves.get(n["node_id"], {}),
        )
        for n in card["nodes"]
    ]
    rows += [
        IndicatorScore(
            run=run,
            node=key,
            label=key,
            score=leaf["score"],
            weight=leaf["global_weight"],
            lineage=leaf,
        )
        for key, leaf in leaves.items()
        if key not in {n["node_id"] for n in card["nodes"]}
    ]
    with transaction.atomic():
        IndicatorScore.objects.filter(run=run).delete()
        IndicatorScore.objects.bulk_create(rows)
