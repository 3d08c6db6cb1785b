"""Background task of a scenario run (Django Tasks API, database backend: manage.py db_worker)."""

from __future__ import annotations

from django_tasks import task

from scenarios import services


@task()
def execute_run_task(run_id: int) -> None:
    """Execute or resume run ``run_id``; the run row records the outcome."""
    services.run_execute(run_id=run_id)
