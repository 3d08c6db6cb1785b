"""Report step (last): the run's assessment report in English and Chinese, HTML and PDF."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings

from scenarios.models import ScenarioRun
from scenarios.pipeline import RunContext
from scenarios.reports import report_write


def report_step(ctx: RunContext) -> dict[str, float]:
    """Write report(.zh).html/.pdf and figures/*.png into the run directory."""
    ctx.progress(0.0, "drawing figures and writing the report")
    _clear_partial_report(ctx.directory)
    run = ScenarioRun.objects.select_related("scenario__town").get(pk=ctx.run_id)
    pdf = getattr(settings, "SCENARIO_REPORT_PDF", True)  # tests of the run chain may skip PDFs
    files = report_write(run=run, directory=ctx.directory, outputs=dict(ctx.outputs), pdf=pdf)
    return {
        "report.pages": float(files.pages.get("en", 0)),
        "report.figures": float(len(files.figures)),
    }


def _clear_partial_report(directory: Path) -> None:
    """Drop what an interrupted attempt left (a killed worker can leave a half-written PNG)."""
    shutil.rmtree(directory / "figures", ignore_errors=True)
    for name in ("report.html", "report.pdf", "report.zh.html", "report.zh.pdf"):
        (directory / name).unlink(missing_ok=True)
