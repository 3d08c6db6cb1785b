"""Scenario and run endpoints, and live progress over the websocket."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from scenarios import services
from scenarios.models import Scenario, ScenarioRun
from scenarios.routing import websocket_urlpatterns
from scenarios.steps.buildings import buildings_step
from scenarios.steps.hazard import hazard_step
from twin.models import Town, TownMembership


@pytest.fixture(autouse=True)
def short_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "STEPS", [("hazard", hazard_step), ("buildings", buildings_step)])


def member(town: Town, role: str) -> tuple[User, APIClient]:
    user = User.objects.create_user(f"{role}-{town.slug}", password="pw")
    TownMembership.objects.create(user=user, town=town, role=role)
    client = APIClient()
    client.force_authenticate(user)
    return user, client


SCENARIO = {
    "name": "M6.6 on the west fault",
    "epicentre": {"type": "Point", "coordinates": [103.5, 31.0]},
    "magnitude": 6.6,
    "depth_km": 12,
    "realisations": 5,
    "seed": 3,
}


@pytest.mark.django_db(transaction=True)
def test_planner_creates_a_scenario_starts_a_run_and_reads_its_layers(
    scenario: Scenario, django_capture_on_commit_callbacks: Any
) -> None:
    _, api = member(scenario.town, "planner")
    created = api.post("/api/towns/tiny/scenarios/", SCENARIO, format="json")
    assert created.status_code == 201, created.content
    started = api.post(f"/api/towns/tiny/scenarios/{created.json()['id']}/runs/")
    assert started.status_code == 202
    run = api.get(f"/api/towns/tiny/runs/{started.json()['id']}/").json()
    assert run["status"] == "succeeded" and run["progress"] == 1.0
    layer = api.get(f"/api/towns/tiny/runs/{run['id']}/layers/damage/").json()
    assert len(layer["values"]) == 2 and all(0 <= v <= 5 for v in layer["values"].values())
    log = api.get(f"/api/towns/tiny/runs/{run['id']}/log/?offset=0").json()
    assert "buildings: started" in log["text"] and log["next"] == len(log["text"])
    assert api.get(f"/api/towns/tiny/runs/{run['id']}/report/pdf/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("magnitude", 11.0, "less than or equal to 9.5"), ("depth_km", -3, "greater than or equal")],
)
def test_impossible_scenarios_are_rejected_with_a_reason(
    scenario: Scenario, field: str, value: float, message: str
) -> None:
    _, api = member(scenario.town, "planner")
    response = api.post("/api/towns/tiny/scenarios/", {**SCENARIO, field: value}, format="json")
    assert response.status_code == 400 and message in response.json()[field][0]


@pytest.mark.django_db
def test_viewers_cannot_start_runs_and_strangers_see_nothing(scenario: Scenario) -> None:
    _, viewer = member(scenario.town, "viewer")
    assert viewer.post(f"/api/towns/tiny/scenarios/{scenario.pk}/runs/").status_code == 403
    other = Town.objects.create(slug="other", name="Other")
    _, stranger = member(other, "admin")
    assert stranger.get(f"/api/towns/tiny/scenarios/{scenario.pk}/").status_code == 404
    assert stranger.get("/api/towns/tiny/runs/").status_code == 404


async def _collect(user: User, path: str, started: threading.Event) -> list[dict[str, Any]]:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    started.set()
    events = []
    while True:
        message = await communicator.receive_output(timeout=120)
        if message["type"] == "websocket.close":
            return events
        events.append(json.loads(message["text"]))


@pytest.mark.django_db(transaction=True)
def test_progress_events_are_monotonic_with_one_terminal_event(scenario: Scenario) -> None:
    user, _ = member(scenario.town, "viewer")
    run = services.run_start(scenario=scenario, enqueue=False)
    started = threading.Event()
    worker = threading.Thread(
        target=lambda: (started.wait(30), services.run_execute(run_id=run.pk))
    )
    worker.start()
    events = async_to_sync(_collect)(user, f"/ws/towns/tiny/runs/{run.pk}/", started)
    worker.join()
    progress = [e["progress"] for e in events]
    assert events[0]["status"] in {"queued", "running"} and progress == sorted(progress)
    assert [e["terminal"] for e in events].count(True) == 1
    assert events[-1]["status"] == "succeeded" and events[-1]["progress"] == 1.0


@pytest.mark.django_db(transaction=True)
def test_websocket_of_another_towns_run_is_refused(scenario: Scenario) -> None:
    run = ScenarioRun.objects.create(scenario=scenario)
    other = Town.objects.create(slug="other", name="Other")
    user, _ = member(other, "admin")

    async def attempt() -> tuple[bool, Any]:
        communicator = WebsocketCommunicator(
            URLRouter(websocket_urlpatterns), f"/ws/towns/tiny/runs/{run.pk}/"
        )
        communicator.scope["user"] = user
        return await communicator.connect()

    connected, code = async_to_sync(attempt)()
    assert not connected and code == 4403


@pytest.mark.django_db(transaction=True)
def test_websocket_from_a_foreign_origin_is_refused(scenario: Scenario) -> None:
    run = ScenarioRun.objects.create(scenario=scenario, status="succeeded")
    user, _ = member(scenario.town, "admin")
    guarded = AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns))  # as in config.asgi

    async def attempt(origin: bytes) -> bool:
        communicator = WebsocketCommunicator(
            guarded, f"/ws/towns/tiny/runs/{run.pk}/", headers=[(b"origin", origin)]
        )
        communicator.scope["user"] = user
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return bool(connected)

    assert async_to_sync(attempt)(b"http://127.0.0.1:8000")
    assert not async_to_sync(attempt)(b"http://evil.example.com")
