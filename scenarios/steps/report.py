"""Report step (last): the run's assessment report in English and Chinese, HTML and PDF."""

from __future__ import annotations

from django.conf import settings

from scenarios.models import ScenarioRun
from scenarios.pipeline import RunContext
from scenarios.reports import report_write


def report_step(ctx: RunContext) -> dict[str, float]:
    """Write report(.zh).html/.pdf and figures/*.png into the run directory."""
    ctx.progress(0.0, "drawing figures and writing the report")
    run = ScenarioRun.objects.select_related("scenario__town").get(pk=ctx.run_id)
    pdf = getattr(settings, "SCENARIO_REPORT_PDF", True)  # tests of the run chain may skip PDFs
    files = report_write(run=run, directory=ctx.directory, outputs=dict(ctx.outputs), pdf=pdf)
    return {
        "report.pages": float(files.pages.get("en", 0)),
        "report.figures": float(len(files.figures)),
    }
