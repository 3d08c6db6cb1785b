"""Bad input at the dashboard's HTML forms and page parameters: re-rendered with a message, no 5xx.

The forms that reach a Django view are the login form, the language switch and the what-if
form of ``/scores/`` (GET); the scenario launcher and the drill console post to the API, whose
bad input ``tests/test_bad_input.py`` sweeps. Pages also take ids and a ``drill`` parameter
from the URL.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.test_api_access import populate
from tests.test_bad_input import HUGE, LEAKS
from twin.models import Town, TownMembership

pytestmark = pytest.mark.django_db
PASSWORD = "form-pw"
WRONG = "Wrong user name or password."


@pytest.fixture
def planner() -> User:
    values = populate("alpha")
    user = User.objects.create_user("planner", password=PASSWORD)
    TownMembership.objects.create(user=user, town=Town.objects.get(slug="alpha"), role="planner")
    user.run_pk = values["run_pk"]  # type: ignore[attr-defined]
    return user


def leaks(text: str) -> list[str]:
    return [leak.pattern for leak in LEAKS if leak.search(text)]


LOGIN_CASES = {
    "nothing": {},
    "no password": {"username": "planner"},
    "no user name": {"password": PASSWORD},
    "wrong password": {"username": "planner", "password": "not-it"},
    "unknown user": {"username": "nobody", "password": PASSWORD},
    "overlong user name": {"username": "p" * 10_000, "password": PASSWORD},
    "NUL in the user name": {"username": "plan\x00ner", "password": PASSWORD},
    "NUL in the password": {"username": "planner", "password": "pw\x00"},
    "a list of user names": {"username": ["planner", "other"], "password": PASSWORD},
}


@pytest.mark.parametrize("label", sorted(LOGIN_CASES))
def test_bad_login_re_renders_the_form_with_a_message(
    client: Client, planner: User, label: str
) -> None:
    response = client.post("/accounts/login/", LOGIN_CASES[label])
    text = response.content.decode()
    assert response.status_code == 200, text[:300]
    assert WRONG in text and 'id="login"' in text  # the form again, with the message
    assert "_auth_user_id" not in client.session
    assert not leaks(text)


def test_login_never_redirects_off_site(client: Client, planner: User) -> None:
    response = client.post(
        "/accounts/login/",
        {"username": "planner", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize(
    "body",
    [
        {"language": "xx-not-a-language"},
        {"language": "zh-hans\x00"},
        {"language": "x" * 10_000},
        {"language": "zh-hans", "next": "https://evil.example/"},
    ],
)
def test_the_language_switch_ignores_a_bad_choice(
    client: Client, planner: User, body: dict[str, str]
) -> None:
    client.force_login(planner)
    response = client.post("/i18n/setlang/", body)
    assert response.status_code == 302 and not response["Location"].startswith("http")
    chosen = client.cookies.get("django_language")
    assert chosen is None or chosen.value in ("en", "zh-hans")


COMPARE_CASES: dict[str, tuple[dict[str, str], int, str]] = {
    # label: (query, status, text the page must show)
    "run ids as text": ({"town": "alpha", "base": "abc", "variant": "1"}, 400, "give two run ids"),
    "a missing run id": ({"town": "alpha", "base": "1"}, 400, "give two run ids"),
    "a huge run id": ({"town": "alpha", "base": str(HUGE), "variant": "1"}, 404, ""),
    "a negative run id": ({"town": "alpha", "base": "-1", "variant": "1"}, 404, ""),
    "an unknown town": ({"town": "nowhere", "base": "1", "variant": "1"}, 404, ""),
    "NUL in the town": ({"town": "al\x00pha", "base": "1", "variant": "1"}, 404, ""),
    "an overlong town": ({"town": "a" * 10_000, "base": "1", "variant": "1"}, 404, ""),
}


@pytest.mark.parametrize("label", sorted(COMPARE_CASES))
def test_the_what_if_form_answers_bad_input_with_a_message(
    client: Client, planner: User, label: str
) -> None:
    query, status, message = COMPARE_CASES[label]
    client.force_login(planner)
    response = client.get("/scores/", query)
    text = response.content.decode()
    assert response.status_code == status, text[:300]
    assert message in text
    if status == 400:  # the page and its form again, above the message
        assert "<form" in text and 'name="base"' in text
    assert not leaks(text)


@pytest.mark.parametrize(
    "url",
    [
        f"/towns/alpha/runs/{HUGE}/scorecard/",
        "/towns/alpha/runs/999999/scorecard/",
        "/towns/nowhere/",
        "/towns/nowhere/drill/",
    ],
)
def test_a_bad_id_in_a_page_address_is_not_found(client: Client, planner: User, url: str) -> None:
    client.force_login(planner)
    response = client.get(url)
    assert response.status_code == 404
    assert not leaks(response.content.decode())


def test_the_drill_parameter_cannot_inject_markup(client: Client, planner: User) -> None:
    client.force_login(planner)
    attack = '</script><script>alert("x")</script>'
    response = client.get("/towns/alpha/drill/", {"drill": attack})
    text = response.content.decode()
    assert response.status_code == 200
    assert attack not in text and "\\u003C/script\\u003E" in text  # escaped inside json_script
