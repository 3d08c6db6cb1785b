"""schemathesis against the OpenAPI schema: no generated request gets a 5xx.

Every operation is called in-process through Django's WSGI application as a planner of town
alpha (HTTP Basic, so unsafe methods need no CSRF token), with a few deterministic examples
each. Path parameters are the real objects of alpha half of the time (so the handlers run past
the 404) and generated the other half; queries and bodies are always generated.

No operation is skipped. Tasks go to django-tasks' database backend, as in production, and the
on-commit callbacks of each request run: starting a run enqueues a real task row and returns,
with no worker to execute the chain.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django_tasks_db.models import DBTaskResult
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

from scenarios.models import ScenarioRun
from tests.test_api_access import populate
from twin.models import Town, TownMembership

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
EXAMPLES = 6
RUN_START = "POST /api/towns/{town_slug}/scenarios/{id}/runs/"
PASSWORD = "schemathesis-pw"

RAW = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
SCHEMA = schemathesis.openapi.from_dict(RAW)
SCHEMA.app = get_wsgi_application()
OPERATIONS = {r.ok().label: r.ok() for r in SCHEMA.get_all_operations() if isinstance(r, Ok)}


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """Keep the test's database connection across WSGI calls (as Django's test client does):
    otherwise each request closes it, and with it the test's transaction on PostgreSQL."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def database_tasks(settings: Any) -> None:
    """Enqueue tasks as production does (a row for a worker) instead of running them here."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def town(wsgi_in_test_transaction: None, database_tasks: None) -> dict[str, Any]:
    values = populate("alpha")
    user = User.objects.create_user("planner", password=PASSWORD)
    TownMembership.objects.create(user=user, town=Town.objects.get(slug="alpha"), role="planner")
    token = base64.b64encode(f"planner:{PASSWORD}".encode()).decode()
    return {**values, "auth": {"Authorization": f"Basic {token}"}}


def real_parameters(path: str, values: dict[str, Any]) -> dict[str, Any]:
    """The alpha objects a path names (``{id}`` is the collection just before it)."""
    parts = path.strip("/").split("/")
    out: dict[str, Any] = {}
    for i, part in enumerate(parts):
        if not part.startswith("{"):
            continue
        name = part[1 : part.index("}")]
        if name == "id":
            out[name] = values["ids"].get(parts[i - 1])
        elif name in values:
            out[name] = values[name]
    return {k: v for k, v in out.items() if v is not None}


def test_the_schema_has_the_operations() -> None:
    assert len(OPERATIONS) >= 40
    assert "GET /api/towns/{town_slug}/tiles/tileset.json" in OPERATIONS
    assert "GET /api/towns/{town_slug}/runs/{id}/czml/{layer}/" in OPERATIONS


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_error(
    town: dict[str, Any], label: str, django_capture_on_commit_callbacks: Any
) -> None:
    operation = OPERATIONS[label]
    real = real_parameters(operation.path, town)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), use_real=st.booleans())
    def check(case: Any, use_real: bool) -> None:
        if use_real and real:
            case.path_parameters = {**(case.path_parameters or {}), **real}
        with django_capture_on_commit_callbacks(execute=True):  # e.g. a run's enqueue
            response = case.call(headers=town["auth"])
        statuses.append(response.status_code)
        if response.status_code == 202 and label == RUN_START:
            started.append(response.json()["id"])
        assert response.status_code < 500, (
            f"{label} {case.path_parameters} {case.query} -> {response.status_code}: "
            f"{response.text[:300]}"
        )

    statuses: list[int] = []
    started: list[int] = []
    check()
    assert set(statuses) - {401, 403}, f"{label}: never authenticated"
    if label == RUN_START:  # queued for a worker: one task row per run, nothing executed
        assert started, f"{label}: no run started ({sorted(set(statuses))})"
        runs = ScenarioRun.objects.filter(pk__in=started)
        assert set(runs.values_list("status", flat=True)) == {"queued"}
        tasks = DBTaskResult.objects.filter(task_path="scenarios.tasks.execute_run_task")
        assert sorted(t.args_kwargs["kwargs"]["run_id"] for t in tasks) == sorted(started)
        assert set(tasks.values_list("status", flat=True)) == {"READY"}
