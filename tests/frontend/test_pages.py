"""The landing page and the health probe answer and show the towns."""

from __future__ import annotations

import pytest
from django.test import Client

from twin.models import Town

pytestmark = pytest.mark.django_db


def test_home_lists_towns_with_counts(client: Client) -> None:
    Town.objects.create(slug="alpha", name="Alpha Town", profile="historic masonry core")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alpha Town" in html and "historic masonry core" in html


def test_healthz_counts_towns(client: Client) -> None:
    Town.objects.create(slug="alpha", name="Alpha")
    assert client.get("/healthz").json() == {"status": "ok", "towns": 1}
