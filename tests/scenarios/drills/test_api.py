"""The drills API: town scoping (404), roles (403), bad input (400), the timeline end to end."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from scenarios.models import ScenarioRun
from tests.scenarios.drills.conftest import member
from twin.models import NetworkLink, Town

pytestmark = pytest.mark.django_db


def _client(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _road(town: Town, key: str) -> int:
    return NetworkLink.objects.get(network__town=town, key=key).pk


def test_planner_drives_a_drill_and_the_routes_follow_the_closure(run_pk: int) -> None:
    run = ScenarioRun.objects.get(pk=run_pk)
    town = run.town
    api = _client(member(town, "planner"))
    base = f"/api/towns/{town.slug}/drills/"
    created = api.post(base, {"run": run.pk, "name": "api drill"}, format="json")
    assert created.status_code == 201, created.content
    drill = f"{base}{created.json()['id']}/"
    building = town.buildings.order_by("id").first().pk
    for body in (
        {"kind": "ignition", "time_s": 600, "building": building},
        {"kind": "road_closure", "time_s": 1200, "road": _road(town, "hub-x1")},
    ):
        assert api.post(f"{drill}injects/", body, format="json").status_code == 201
    assert api.post(f"{drill}advance/", {"until_s": 900}, format="json").status_code == 200
    before = api.get(f"{drill}routes/").json()
    assert before["type"] == "FeatureCollection"
    assert {f["properties"]["destination"] for f in before["features"]} >= {"shelter:S1"}
    ran = api.post(f"{drill}run/")
    assert ran.status_code == 200 and ran.json()["status"] == "finished"
    outcome = api.get(f"{drill}outcome/").json()
    evac = [f for f in outcome["routes"]["features"] if f["properties"]["kind"] == "evacuate"]
    assert evac and {f["properties"]["destination"] for f in evac} == {"shelter:S2"}
    assert all(len(f["geometry"]["coordinates"]) >= 5 for f in evac)  # building, 4 nodes, shelter
    assert outcome["plan"]["text_zh"] and outcome["plan"]["text_en"]
    loads = {f["properties"]["name"]: f["properties"] for f in outcome["facilities"]["features"]}
    assert loads["S2"]["load"] > 0 and loads["S1"]["load"] == 0
    assert {"rescue", "hospital_loads", "casualties"} <= set(outcome["plan"])
    assert any(i["topic"] == "shelter:shelter:S2" for i in outcome["after_action"]["items"])
    assert api.get(f"{drill}routes/?plan=initial").json()["features"] == []
    late = api.post(f"{drill}injects/", {"kind": "aftershock", "time_s": 9e3, "magnitude": 4})
    assert late.status_code == 409 and "finished" in late.json()["drill"][0]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            {"kind": "aftershock", "time_s": 10, "magnitude": 4},
            "time_s",
            "before the drill's start",
        ),
        ({"kind": "aftershock", "time_s": 900, "magnitude": 12}, "magnitude", "between"),
        ({"kind": "road_closure", "time_s": 900, "road": 987654}, "road", "no road 987654"),
        ({"kind": "road_closure", "time_s": 900}, "road", "needs a road"),
        ({"kind": "quake", "time_s": 900}, "kind", "not a valid choice"),
        ({"kind": "aftershock", "time_s": "soon", "magnitude": 4}, "time_s", "number"),
    ],
)
def test_bad_inject_input_answers_400_with_a_message(
    run_pk: int, body: dict, field: str, words: str
) -> None:
    run = ScenarioRun.objects.get(pk=run_pk)
    api = _client(member(run.town, "planner"))
    base = f"/api/towns/{run.town.slug}/drills/"
    drill = api.post(base, {"run": run.pk, "start_s": 300}, format="json").json()["id"]
    answer = api.post(f"{base}{drill}/injects/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert words in str(answer.json()[field]), answer.json()
    assert "Traceback" not in answer.content.decode()


def test_scoping_viewers_and_other_towns(run_pk: int) -> None:
    run = ScenarioRun.objects.get(pk=run_pk)
    town = run.town
    planner = _client(member(town, "planner"))
    base = f"/api/towns/{town.slug}/drills/"
    drill = planner.post(base, {"run": run.pk}, format="json").json()["id"]
    inject = planner.post(
        f"{base}{drill}/injects/", {"kind": "aftershock", "time_s": 60, "magnitude": 4}
    ).json()["id"]

    viewer = _client(member(town, "viewer"))
    assert viewer.get(f"{base}{drill}/outcome/").status_code == 200
    assert viewer.get(f"{base}{drill}/injects/").json()["results"][0]["id"] == inject
    for method, url, body in [
        ("post", f"{base}{drill}/injects/", {"kind": "aftershock", "time_s": 60, "magnitude": 4}),
        ("patch", f"{base}{drill}/injects/{inject}/", {"time_s": 90}),
        ("delete", f"{base}{drill}/injects/{inject}/", None),
        ("post", f"{base}{drill}/advance/", {"until_s": 100}),
        ("post", f"{base}{drill}/run/", None),
        ("post", base, {"run": run.pk}),
    ]:
        assert getattr(viewer, method)(url, body, format="json").status_code == 403, url

    other = Town.objects.create(slug="elsewhere", name="Elsewhere")
    stranger = _client(member(other, "planner"))
    for url in (f"{base}", f"{base}{drill}/", f"{base}{drill}/outcome/", f"{base}{drill}/injects/"):
        assert stranger.get(url).status_code == 404, url
    own = f"/api/towns/{other.slug}/drills/"
    assert stranger.get(f"{own}{drill}/").status_code == 404  # another town's drill
    assert stranger.get(f"{own}{drill}/injects/{inject}/").status_code == 404
    assert (
        stranger.post(
            f"{own}{drill}/injects/", {"kind": "aftershock", "time_s": 60, "magnitude": 4}
        ).status_code
        == 404
    )
    refused = stranger.post(own, {"run": run.pk}, format="json")
    assert refused.status_code == 400 and "no run" in refused.json()["run"][0]
    assert APIClient().get(f"{base}{drill}/").status_code in {401, 403}

    patched = planner.patch(f"{base}{drill}/injects/{inject}/", {"time_s": 90}, format="json")
    assert patched.status_code == 200 and patched.json()["time_s"] == 90
    assert planner.post(f"{base}{drill}/advance/", {"until_s": 120}).status_code == 200
    gone = planner.delete(f"{base}{drill}/injects/{inject}/")
    assert gone.status_code == 409 and "happened" in gone.json()["time_s"][0]
    back = planner.post(f"{base}{drill}/advance/", {"until_s": 50})
    assert back.status_code == 400 and "current time" in back.json()["until_s"][0]
