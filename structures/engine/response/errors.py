"""Exceptions of the structural-response engine."""

from __future__ import annotations


class StructuralModelError(ValueError):
    """A building or model description that cannot be turned into a structural model.

    The message names the building and the offending field so a caller can skip the
    building and report it.
    """


class AnalysisFailed(RuntimeError):
    """A time-history analysis that did not converge after every fallback.

    Attributes
    ----------
    reason : str
        What was tried and where it stopped.
    time_s : float
        Analysis time (s) of the last converged step.
    """

    def __init__(self, reason: str, time_s: float) -> None:
        super().__init__(f"{reason} (last converged time {time_s:.4f} s)")
        self.reason = reason
        self.time_s = time_s
