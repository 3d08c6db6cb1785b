"""Running a drill: injects applied in time order, the plan regenerated after each, and the
after-action report comparing the initial plan with the drill's outcome (the final state and
the plan the injects forced).

The shell can also step a drill itself (inject edited during the run): ``apply_inject`` then
``plan_response`` on the new state; :func:`run_drill` is that loop for a fixed timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from scenarios.engine.drills.plan import ResponsePlan, plan_response
from scenarios.engine.drills.state import DrillState, Inject, apply_inject, validate_state
from scenarios.engine.errors import DrillError


@dataclass(frozen=True, slots=True)
class Drill:
    """A drill: initial state, a timeline of injects, and the rescue resources."""

    state: DrillState
    injects: tuple[Inject, ...]
    rescue_teams: int
    rescue_base: Hashable


@dataclass(frozen=True, slots=True)
class DrillStep:
    """The plan in force after an inject (or at the start, with ``inject=None``)."""

    time_s: float
    inject: Inject | None
    plan: ResponsePlan


@dataclass(frozen=True, slots=True)
class DrillOutcome:
    """All plans of the drill in time order and the final state."""

    steps: tuple[DrillStep, ...]
    final_state: DrillState

    @property
    def initial_plan(self) -> ResponsePlan:
        """The plan before any inject."""
        return self.steps[0].plan

    @property
    def final_plan(self) -> ResponsePlan:
        """The plan after the last inject."""
        return self.steps[-1].plan


@dataclass(frozen=True, slots=True)
class AarItem:
    """One compared quantity of the after-action report."""

    topic: str
    planned: float
    outcome: float
    note_en: str
    note_zh: str

    @property
    def delta(self) -> float:
        """Outcome minus plan."""
        return self.outcome - self.planned


@dataclass(frozen=True, slots=True)
class AfterActionReport:
    """Plan versus outcome: compared quantities, re-routed buildings, and the drill log."""

    items: tuple[AarItem, ...]
    reassigned_buildings: tuple[str, ...]
    log: tuple[str, ...]


def run_drill(drill: Drill) -> DrillOutcome:
    """Apply the drill's injects in time order, re-planning after each.

    Raises
    ------
    DrillError
        Invalid state or inject (unknown ids, roads, times).
    """
    validate_state(drill.state)
    if any(i.time_s < drill.state.time_s for i in drill.injects):
        raise DrillError("an inject is timed before the drill starts; shift it to t >= start")
    state = drill.state
    steps = [DrillStep(state.time_s, None, _plan(state, drill))]
    for inject in sorted(drill.injects, key=lambda i: i.time_s):
        state = apply_inject(state, inject)
        steps.append(DrillStep(state.time_s, inject, _plan(state, drill)))
    return DrillOutcome(tuple(steps), state)


def _plan(state: DrillState, drill: Drill) -> ResponsePlan:
    return plan_response(state, rescue_teams=drill.rescue_teams, rescue_base=drill.rescue_base)


def _mean_travel_min(plan: ResponsePlan) -> float:
    n = sum(m.persons for m in plan.evacuation)
    return sum(m.persons * m.travel_s for m in plan.evacuation) / n / 60.0 if n else 0.0


#: Compared quantities: topic -> (how to read it from a plan, English, Chinese).
AAR_QUANTITIES: dict[str, tuple[Callable[[ResponsePlan], float], str, str]] = {
    "evacuees": (lambda p: p.evacuees, "people to evacuate", "需疏散人数"),
    "evacuees_without_place": (
        lambda p: sum(p.evacuation_unmet.values()),
        "evacuees without a reachable shelter place",
        "无可达避难位置人数",
    ),
    "evacuation_mean_travel_min": (
        _mean_travel_min,
        "mean evacuation travel time, min",
        "平均疏散行程时间（分钟）",
    ),
    "trapped": (lambda p: p.rescue.trapped_total, "trapped people", "被困人数"),
    "rescued_alive_expected": (
        lambda p: p.rescue.expected_alive,
        "trapped people expected to be rescued alive",
        "预计存活救出人数",
    ),
    "casualties_without_bed": (
        lambda p: sum(p.casualties_unmet.values()),
        "casualties without a reachable hospital bed",
        "无可达床位伤员人数",
    ),
}


def _load_items(
    kind: str, planned: Mapping[str, int], outcome: Mapping[str, int], en: str, zh: str
) -> list[AarItem]:
    return [
        AarItem(f"{kind}:{k}", planned.get(k, 0), outcome.get(k, 0), en.format(k), zh.format(k))
        for k in sorted(set(planned) | set(outcome))
    ]


def after_action_report(outcome: DrillOutcome) -> AfterActionReport:
    """Compare the initial plan with what the drill ended with, quantity by quantity."""
    p, o = outcome.initial_plan, outcome.final_plan
    items = [
        AarItem(topic, float(read(p)), float(read(o)), en, zh)
        for topic, (read, en, zh) in AAR_QUANTITIES.items()
    ]
    items += _load_items(
        "shelter", p.shelter_loads, o.shelter_loads, "people sheltered at {}", "避难场所{}安置人数"
    )
    items += _load_items(
        "hospital",
        p.hospital_loads,
        o.hospital_loads,
        "casualties admitted at {}",
        "医院{}收治人数",
    )
    ids = {m.building_id for m in p.evacuation} | {m.building_id for m in o.evacuation}
    moved = tuple(sorted(b for b in ids if p.shelter_of(b) != o.shelter_of(b)))
    return AfterActionReport(tuple(items), moved, outcome.final_state.log)
