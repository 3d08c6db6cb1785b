"""schemathesis against the OpenAPI schema: no generated request gets a 5xx.

Every operation is called in-process through Django's WSGI application as a planner of town
alpha (HTTP Basic, so unsafe methods need no CSRF token), with a few deterministic examples
each. Path parameters are the real objects of alpha half of the time (so the handlers run past
the 404) and generated the other half; queries and bodies are always generated.
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
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_api_access import populate
from twin.models import Town, TownMembership

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
EXAMPLES = 6
# Starting a run executes the whole chain in-process under the test settings (minutes); its
# input validation is the scenario's, which is exercised through POST scenarios/.
SKIP = {"POST /api/towns/{town_slug}/scenarios/{id}/runs/"}
PASSWORD = "schemathesis-pw"

RAW = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
SCHEMA = schemathesis.openapi.from_dict(RAW)
SCHEMA.app = get_wsgi_application()
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}


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
def town(wsgi_in_test_transaction: None) -> dict[str, Any]:
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


@pytest.mark.parametrize("label", sorted(set(OPERATIONS) - SKIP))
def test_no_server_error(town: dict[str, Any], label: str) -> None:
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
        response = case.call(headers=town["auth"])
        statuses.append(response.status_code)
        assert response.status_code < 500, (
            f"{label} {case.path_parameters} {case.query} -> {response.status_code}: "
            f"{response.text[:300]}"
        )

    statuses: list[int] = []
    check()
    assert set(statuses) - {401, 403}, f"{label}: never authenticated"
