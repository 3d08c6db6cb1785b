"""Pages answer, are scoped to the user's towns, and send anonymous users to log in."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from twin.models import Town, TownMembership

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(client: Client) -> User:
    user = User.objects.create_user("planner", password="pw")
    alpha = Town.objects.create(slug="alpha", name="Alpha Town", profile="historic masonry core")
    Town.objects.create(slug="beta", name="Beta Town")
    TownMembership.objects.create(user=user, town=alpha, role="planner")
    client.force_login(user)
    return user


def test_home_lists_only_the_users_towns(client: Client, planner: User) -> None:
    html = client.get("/").content.decode()
    assert "Alpha Town" in html and "historic masonry core" in html
    assert "Beta Town" not in html


def test_town_page_loads_cesium_from_our_static_files(client: Client, planner: User) -> None:
    html = client.get("/towns/alpha/").content.decode()
    assert "/static/cesium/Cesium.js" in html and '"api": "/api/towns/alpha/"' in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_another_towns_page_is_404(client: Client, planner: User) -> None:
    assert client.get("/towns/beta/").status_code == 404


def test_anonymous_users_are_sent_to_log_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_healthz_answers(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
