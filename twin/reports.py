"""What an import did: counts and per-element problems, as text or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twin.engine.records import Problem


@dataclass(slots=True)
class ImportReport:
    """Outcome of one import (or validation) of one file into one town."""

    kind: str
    file_name: str
    town: str
    validate_only: bool
    counts: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``--json`` output of the import commands)."""
        return {
            "kind": self.kind,
            "file": self.file_name,
            "town": self.town,
            "validate_only": self.validate_only,
            "counts": self.counts,
            "problems": [
                {"code": p.code, "message": p.message, "element": p.element} for p in self.problems
            ],
        }

    def as_text(self, *, max_problems: int = 20) -> str:
        """Human-readable summary for the terminal."""
        verb = "validated" if self.validate_only else "imported"
        lines = [f"{self.kind} {self.file_name} {verb} into town '{self.town}'"]
        for key, value in self.counts.items():
            if isinstance(value, dict):
                inner = ", ".join(f"{k} {v}" for k, v in sorted(value.items())) or "none"
                lines.append(f"  {key}: {inner}")
            else:
                lines.append(f"  {key}: {value}")
        lines.append(f"  problems: {len(self.problems)}")
        for problem in self.problems[:max_problems]:
            where = f" [{problem.element}]" if problem.element else ""
            lines.append(f"    - {problem.code}{where}: {problem.message}")
        if len(self.problems) > max_problems:
            lines.append(f"    ... and {len(self.problems) - max_problems} more (see --json)")
        return "\n".join(lines)
