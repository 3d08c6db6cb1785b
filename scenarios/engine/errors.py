"""Exceptions of the scenarios engine.

Each message is one line a planner can act on: it names the offending item and says what
to change. The shell turns them into a 4xx response or a ``CommandError``.
"""

from __future__ import annotations


class ScenarioEngineError(ValueError):
    """Base class of every error the scenarios engine raises on bad input."""


class AhpError(ScenarioEngineError):
    """A pairwise comparison matrix is malformed (not square, not positive, not reciprocal)."""


class AhpInconsistentError(AhpError):
    """A pairwise comparison matrix is too inconsistent (consistency ratio >= the limit)."""

    def __init__(self, message: str, *, consistency_ratio: float) -> None:
        super().__init__(message)
        self.consistency_ratio = consistency_ratio


class IndicatorError(ScenarioEngineError):
    """The indicator tree or the run outputs it is scored on are invalid."""


class RecoveryError(ScenarioEngineError):
    """Recovery inputs (tasks, crews, functionality curves) are invalid."""


class DrillError(ScenarioEngineError):
    """A drill state or inject is invalid (unknown building, road, shelter or hospital)."""


class ReportError(ScenarioEngineError):
    """A report cannot be built from the given results."""
