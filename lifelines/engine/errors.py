"""Exceptions of the lifeline engines and the progress-callback type.

Every message is one line a planner can act on: it names the element and the fix.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[str, float], None]
"""``progress(step, fraction)``: ``fraction`` in [0, 1] of the current engine call."""


class LifelineError(ValueError):
    """Base class: an input the lifeline engines cannot use."""


class NetworkModelError(LifelineError):
    """A network record cannot be turned into a usable graph or hydraulic model."""


class DamageModelError(LifelineError):
    """Intensity arrays or fragility data do not fit the network."""


class FireModelError(LifelineError):
    """Buildings, stations or parameters of the fire model are unusable."""


class GasReleaseError(LifelineError):
    """A gas leak scenario is missing what the jet-fire/explosion models need."""


class ChemicalReleaseError(LifelineError):
    """A chemical site or substance cannot give a source term."""


def report(progress: ProgressFn | None, step: str, fraction: float) -> None:
    """Call ``progress`` if given; engines never depend on its return value."""
    if progress is not None:
        progress(step, min(max(fraction, 0.0), 1.0))
