"""Steps of a scenario run, in order (see scenarios.pipeline)."""

from __future__ import annotations

from scenarios.pipeline import Step
from scenarios.steps.buildings import buildings_step
from scenarios.steps.emergency import emergency_step
from scenarios.steps.hazard import hazard_step
from scenarios.steps.indicators import indicators_step
from scenarios.steps.lifelines import lifelines_step
from scenarios.steps.recovery import recovery_step
from scenarios.steps.report import report_step

STEPS: list[tuple[str, Step]] = [
    ("hazard", hazard_step),
    ("buildings", buildings_step),
    ("lifelines", lifelines_step),
    ("recovery", recovery_step),
    ("emergency", emergency_step),
    ("indicators", indicators_step),
    ("report", report_step),
]
