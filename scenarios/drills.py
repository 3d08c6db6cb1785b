"""Write paths of emergency drills: create, add/edit/remove injects, advance and run the timeline.

A drill starts from a succeeded run: the drill state of the realisation whose plan the run
stored (``response-plan.json``), rebuilt from the CIM and the run's arrays exactly as the
emergency step built it. Injects whose time the drill clock has reached are applied in time
order (``time_s``, then creation order) and the plan is regenerated after each; the result is
written to ``<run dir>/drills/<id>.json`` (:mod:`scenarios.drill_outcome`). Injects still ahead
of the clock can be added, edited and removed; applied ones are history.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from scenarios import drill_outcome
from scenarios.models import Drill, DrillInject, ScenarioRun
from scenarios.pipeline import StepFailed, run_directory
from twin.models import Building, Facility, NetworkLink

#: Longest drill timeline, s (7 days: the survival curve of trapped people ends there).
MAX_DRILL_S = 7 * 24 * 3600.0
#: Smallest aftershock the platform models (below it no building damage is expected).
MIN_AFTERSHOCK_MAGNITUDE = 3.0
#: Fields each inject kind needs besides ``time_s``.
REQUIRED: dict[str, str] = {
    DrillInject.Kind.AFTERSHOCK: "magnitude",
    DrillInject.Kind.IGNITION: "building",
    DrillInject.Kind.ROAD_CLOSURE: "road",
    DrillInject.Kind.HOSPITAL_POWER_LOSS: "hospital",
}
TARGETS = ("magnitude", "building", "road", "hospital")

User = AbstractBaseUser | AnonymousUser | None


class DrillInputError(ValueError):
    """A drill request a planner must correct; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class DrillConflict(DrillInputError):
    """The request is valid but the drill's state forbids it (finished, inject already past)."""


def drill_create(
    *,
    run: ScenarioRun,
    name: str = "",
    start_s: float = 0.0,
    rescue_teams: int | None = None,
    user: User = None,
) -> Drill:
    """Create a drill on ``run`` (succeeded, with a stored response plan) and plan its start."""
    if run.status != ScenarioRun.Status.SUCCEEDED:
        raise DrillInputError(
            "run", f"run {run.pk} is {run.status}; a drill starts from a succeeded run"
        )
    if not (run_directory(run) / "response-plan.json").exists():
        raise DrillInputError("run", f"run {run.pk} has no emergency results; run it again")
    _check_time("start_s", start_s, 0.0)
    if rescue_teams is not None and rescue_teams < 1:
        raise DrillInputError("rescue_teams", "at least one rescue team is needed")
    drill = Drill.objects.create(
        run=run,
        name=name or f"drill on run {run.pk}",
        start_s=float(start_s),
        clock_s=float(start_s),
        rescue_teams=rescue_teams,
        created_by=_user(user),
    )
    drill_compute(drill)
    return drill


def inject_add(
    *, drill: Drill, kind: str, time_s: float, user: User = None, **target: Any
) -> DrillInject:
    """Add an inject before or during the drill; one timed at or before the clock applies now."""
    with transaction.atomic():
        drill = _locked(drill)
        _check_open(drill)
        fields = _validated(drill, kind, time_s, target)
        inject = DrillInject.objects.create(drill=drill, created_by=_user(user), **fields)
        drill_compute(drill)
    return inject


def inject_update(*, inject: DrillInject, **changes: Any) -> DrillInject:
    """Change an inject that has not happened yet (kind, time or target)."""
    with transaction.atomic():
        drill = _locked(inject.drill)
        _check_pending(drill, inject)
        merged = {f: getattr(inject, f) for f in TARGETS}
        merged = {**merged, **{k: v for k, v in changes.items() if k in TARGETS}}
        kind = changes.get("kind", inject.kind)
        if "kind" in changes:  # targets of the previous kind no longer apply
            merged = {REQUIRED[kind]: merged[REQUIRED[kind]]} if kind in REQUIRED else merged
        fields = _validated(drill, kind, changes.get("time_s", inject.time_s), merged)
        for key in ("kind", "time_s", *TARGETS):
            setattr(inject, key, fields.get(key))
        inject.save()
        drill_compute(drill)
    return inject


def inject_delete(*, inject: DrillInject) -> None:
    """Remove an inject that has not happened yet."""
    with transaction.atomic():
        drill = _locked(inject.drill)
        _check_pending(drill, inject)
        inject.delete()
        drill_compute(drill)


def drill_advance(*, drill: Drill, until_s: float) -> Drill:
    """Move the drill clock to ``until_s``, applying the injects reached, and re-plan."""
    with transaction.atomic():
        drill = _locked(drill)
        _check_open(drill)
        _check_time("until_s", until_s, drill.clock_s, "current time")
        drill.clock_s = float(until_s)
        drill.status = Drill.Status.RUNNING
        drill.save(update_fields=["clock_s", "status", "updated_at"])
        drill_compute(drill)
    return drill


def drill_run(*, drill: Drill) -> Drill:
    """Run the drill to its end: every inject applied; the drill is then finished."""
    with transaction.atomic():
        drill = _locked(drill)
        _check_open(drill)
        last = drill.injects.order_by("-time_s").values_list("time_s", flat=True).first()
        drill.clock_s = max(drill.clock_s, last if last is not None else drill.clock_s)
        drill.status = Drill.Status.FINISHED
        drill.save(update_fields=["clock_s", "status", "updated_at"])
        drill_compute(drill)
    return drill


def drill_compute(drill: Drill) -> dict[str, Any]:
    """Recompute the drill's plans from its start to its clock; store file and summary."""
    injects = list(drill.injects.select_related("road__start", "road__end", "building", "hospital"))
    injects.sort(key=lambda i: (i.time_s, i.pk))
    started = drill.status != Drill.Status.PLANNED  # a planned drill shows its start only
    applied = [i for i in injects if started and i.time_s <= drill.clock_s]
    pending = [i for i in injects if i not in applied]
    try:
        result = drill_outcome.compute(drill, applied, pending)
    except drill_outcome.InjectNotApplicable as exc:
        raise DrillInputError(exc.field, str(exc)) from exc
    except FileNotFoundError as exc:  # the run's folder lacks a step's results
        raise DrillConflict(
            "run",
            f"run {drill.run_id} has no {Path(exc.filename or 'result').name}: "
            "rerun its scenario, then start the drill again",
        ) from exc
    except StepFailed as exc:  # the run's results do not fit together
        raise DrillConflict(
            "run", f"run {drill.run_id}: {exc}; rerun its scenario, then start the drill again"
        ) from exc
    drill.outcome = result["summary"]
    drill.save(update_fields=["outcome", "updated_at"])
    return result


def _validated(drill: Drill, kind: str, time_s: Any, target: dict[str, Any]) -> dict[str, Any]:
    if kind not in REQUIRED:
        raise DrillInputError(
            "kind", f"unknown inject kind {kind!r}; choose from {sorted(REQUIRED)}"
        )
    if drill.status == Drill.Status.PLANNED:
        _check_time("time_s", time_s, drill.start_s)
    else:
        _check_time("time_s", time_s, drill.clock_s, "current time")
    need = REQUIRED[kind]
    value = target.get(need)
    if value is None:
        raise DrillInputError(need, f"a {kind.replace('_', ' ')} inject needs a {need}")
    fields: dict[str, Any] = {
        "kind": kind,
        "time_s": float(time_s),
        need: _target(drill, need, value),
    }
    return fields


def _target(drill: Drill, need: str, value: Any) -> Any:
    town = drill.town
    pk = getattr(value, "pk", value)
    if need == "magnitude":
        top = drill.run.scenario.magnitude
        if not (isinstance(value, int | float) and math.isfinite(value)) or not (
            MIN_AFTERSHOCK_MAGNITUDE <= value <= top
        ):
            raise DrillInputError(
                "magnitude",
                f"aftershock magnitude must be between {MIN_AFTERSHOCK_MAGNITUDE} and the "
                f"main shock's M{top:g}",
            )
        return float(value)
    if need == "building":
        found = Building.objects.filter(pk=pk, town=town).first()
        if found is None:
            raise DrillInputError("building", f"no building {pk} in town {town.slug}")
        return found
    if need == "road":
        road = NetworkLink.objects.filter(pk=pk, network__town=town, network__kind="road").first()
        if road is None:
            raise DrillInputError("road", f"no road {pk} in the road network of town {town.slug}")
        return road
    hospital = Facility.objects.filter(pk=pk, town=town, kind="hospital").first()
    if hospital is None:
        raise DrillInputError("hospital", f"no hospital {pk} in town {town.slug}")
    return hospital


def _check_time(field: str, value: Any, floor: float, what: str = "start") -> None:
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise DrillInputError(field, "give a time in seconds after the earthquake")
    if value < floor:
        raise DrillInputError(
            field,
            f"{value:g} s is before the drill's {what} ({floor:g} s); choose a time at or after it",
        )
    if value > MAX_DRILL_S:
        raise DrillInputError(field, f"{value:g} s is beyond the 7-day drill horizon")


def _check_open(drill: Drill) -> None:
    if drill.status == Drill.Status.FINISHED:
        raise DrillConflict("drill", f"drill {drill.pk} is finished; start a new drill")


def _check_pending(drill: Drill, inject: DrillInject) -> None:
    _check_open(drill)
    if drill.status != Drill.Status.PLANNED and inject.time_s <= drill.clock_s:
        raise DrillConflict(
            "time_s",
            f"inject {inject.pk} happened at {inject.time_s:g} s (drill clock "
            f"{drill.clock_s:g} s); add a new inject instead",
        )


def _locked(drill: Drill) -> Drill:
    """The drill row, locked for the transaction where the database can (PostGIS)."""
    return Drill.objects.select_for_update().select_related("run__scenario__town").get(pk=drill.pk)


def _user(user: User) -> Any:
    return user if user is not None and user.is_authenticated else None
