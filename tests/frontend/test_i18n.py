"""Chinese and English interface: language from the browser or the header's switch; every
message translated; the committed .mo matches its .po."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from twin.models import Town, TownMembership

LOCALE = Path(__file__).resolve().parents[2] / "frontend" / "locale"
PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"


def po_entries(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (single and continued lines; no plurals used here)."""
    entries: dict[str, str] = {}
    current: dict[str, str] = {}
    key = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("msgid ", "msgstr ")):
            key, _, rest = line.partition(" ")
            current[key] = ""
            line = rest
        if line.startswith('"'):
            current[key] += line[1:-1].encode("latin1", "backslashreplace").decode("unicode_escape")
        if key == "msgstr" and not line:
            entries[current["msgid"]] = current["msgstr"]
            current, key = {}, ""
    if "msgid" in current:
        entries[current["msgid"]] = current.get("msgstr", "")
    entries.pop("", None)
    return entries


@pytest.fixture
def member(client: Client) -> User:
    user = User.objects.create_user("planner", password="pw")
    town = Town.objects.create(slug="alpha", name="Alpha")
    TownMembership.objects.create(user=user, town=town, role="planner")
    client.force_login(user)
    return user


def test_every_message_has_a_chinese_translation() -> None:
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    entries = po_entries(PO)
    assert len(entries) >= 50
    missing = [k for k, v in entries.items() if not v]
    assert missing == []
    for msgid, msgstr in entries.items():  # placeholders and markup survive translation
        assert re.findall(r"<[^>]+>|%\(\w+\)s", msgid) == re.findall(r"<[^>]+>|%\(\w+\)s", msgstr)


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with (PO.with_suffix(".mo")).open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    for msgid, msgstr in po_entries(PO).items():
        assert catalogue.gettext(msgid) == msgstr, msgid


@pytest.mark.django_db
def test_english_by_default_chinese_for_a_chinese_browser(client: Client, member: User) -> None:
    english = client.get("/towns/alpha/").content.decode()
    assert "Colour by" in english and 'lang="en"' in english and "着色" not in english
    chinese = client.get("/towns/alpha/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert 'lang="zh-hans"' in chinese
    assert "着色" in chinese and "情景地震" in chinese and "Colour by" not in chinese
    assert 'data-loaded="栋建筑已加载"' in chinese  # strings for town.js too


@pytest.mark.django_db
def test_the_header_switch_sets_the_language(client: Client, member: User) -> None:
    page = client.get("/").content.decode()
    assert 'id="language"' in page and 'value="zh-hans"' in page
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/towns/alpha/"})
    assert response.status_code == 302 and response["Location"] == "/towns/alpha/"
    assert "示范城镇" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "示范城镇" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_login_page_in_both_languages(client: Client) -> None:
    assert "User name" in client.get("/accounts/login/").content.decode()
    zh = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "用户名" in zh and 'id="username"' in zh
