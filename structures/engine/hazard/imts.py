"""Intensity measure types (IMTs): PGA, PGV and 5 %-damped spectral acceleration SA(T).

Units of medians returned by the ground-motion models: PGA and SA in g, PGV in cm/s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from structures.engine.hazard.errors import HazardInputError

_SA_PATTERN = re.compile(r"^\s*SA\s*\(\s*([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s*\)\s*$", re.I)


@dataclass(frozen=True, slots=True)
class IMT:
    """An intensity measure type.

    Parameters
    ----------
    name : {"PGA", "PGV", "SA"}
    period_s : float
        Oscillator period in s for ``SA``; 0 for PGA and PGV.
    """

    name: str
    period_s: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in ("PGA", "PGV", "SA"):
            raise HazardInputError(f"unknown IMT {self.name!r}: use PGA, PGV or SA(T)")
        if self.name == "SA" and not self.period_s > 0.0:
            raise HazardInputError(f"SA needs a period > 0 s, got {self.period_s}")

    def __str__(self) -> str:
        return f"SA({self.period_s:g})" if self.name == "SA" else self.name

    @property
    def correlation_period_s(self) -> float:
        """Period used by spatial/cross-IMT correlation models (PGA → 0 s, PGV → 1 s)."""
        return {"PGA": 0.0, "PGV": 1.0}.get(self.name, self.period_s)


PGA = IMT("PGA")
PGV = IMT("PGV")


def SA(period_s: float) -> IMT:
    """Return the IMT of 5 %-damped spectral acceleration at ``period_s`` (s)."""
    return IMT("SA", float(period_s))


def parse_imt(text: str | IMT) -> IMT:
    """Parse ``"PGA"``, ``"PGV"`` or ``"SA(0.3)"`` (period in s) into an :class:`IMT`."""
    if isinstance(text, IMT):
        return text
    upper = text.strip().upper()
    if upper in ("PGA", "PGV"):
        return IMT(upper)
    match = _SA_PATTERN.match(upper)
    if match is None:
        raise HazardInputError(f"cannot read IMT {text!r}: write PGA, PGV or SA(T) with T in s")
    return SA(float(match.group(1)))
