"""The per-link lifeline layer: damage states and day-0 service of every link, from a run of a
generated town (water, gas, power, roads) and from hand-made arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from scenarios import pipeline, services
from scenarios.api.lifeline_layer import OutdatedRun, link_layer
from scenarios.models import ScenarioRun
from tests.scenarios.shell.conftest import make_scenario
from twin.models import NetworkLink, Town, TownMembership


def test_median_state_shares_and_service_from_arrays() -> None:
    arrays: dict[str, Any] = {
        "water_link_id": np.array([11, 12, 13]),
        "water_link_key": np.array(["p1", "p2", "pump"]),
        "water_pipe_key": np.array(["p1", "p2"]),
        # four realisations: p1 breaks in two (median: break), p2 leaks in one (intact)
        "water_pipe_leaks": np.array([[0, 1], [1, 0], [0, 0], [2, 0]]),
        "water_pipe_breaks": np.array([[1, 0], [1, 0], [0, 0], [0, 0]]),
        "water_link_component_ds": np.array([[-1, -1, 3], [-1, -1, 1], [-1, -1, 0], [-1, -1, 4]]),
        "water_link_component_out": np.array([[0, 0, 1], [0, 0, 0], [0, 0, 0], [0, 0, 1]], bool),
        "water_link_served_day0": np.array([[False, True, False], [True, True, True]]),
        "power_link_id": np.array([21]),
        "power_link_key": np.array(["line"]),
        "power_link_served_day0": np.array([[True], [False]]),
        "road_link_id": np.array([31, 32]),
        "road_link_key": np.array(["r1", "r2"]),
        "road_blocked_day0": np.array([[True, False], [True, False]]),
        "road_slowed_day0": np.array([[False, True], [False, False]]),
    }
    layer = link_layer(arrays)
    links = layer["links"]
    assert links[11] == {
        "kind": "water",
        "key": "p1",
        "damage_state": "break",
        "damage_level": 2,
        "damage_shares": [0.25, 0.25, 0.5],
        "served_share": 0.5,
    }
    assert links[12]["damage_state"] == "intact" and links[12]["damage_shares"][1] == 0.25
    assert links[13]["damage_state"] == "out of service"  # out in 2 of 4, damaged in 3 of 4
    assert links[21]["damage_state"] is None and links[21]["served_share"] == 0.5
    assert [links[31]["damage_state"], links[32]["damage_state"]] == ["blocked", "slowed"]
    assert links[31]["served_share"] is None  # no service arrays: not assessed
    assert layer["networks"]["water"] == {
        "links": 3,
        "damage_realisations": 4,
        "service_realisations": 2,
    }
    assert layer["networks"]["power"]["damage_realisations"] == 0


def test_results_kept_before_per_link_arrays_ask_for_a_rerun() -> None:
    old = {"road_link_key": np.array(["r1"]), "road_blocked_day0": np.array([[True]])}
    with pytest.raises(OutdatedRun, match="rerun its scenario"):
        link_layer(old)
    assert link_layer({"building_id": np.array([1])})["links"] == {}


@pytest.mark.django_db
def test_a_run_keeps_consistent_link_results_served_by_the_api(
    demo_town: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "STEPS", [s for s in services.STEPS if s[0] != "report"])
    scenario = make_scenario(demo_town, magnitude=7.2)
    run = services.run_execute(run_id=services.run_start(scenario=scenario, enqueue=False).pk)
    assert run.status == ScenarioRun.Status.SUCCEEDED, run.error + run.log
    with np.load(pipeline.run_directory(run) / "lifelines.npz") as data:
        a = {k: data[k] for k in data.files}
    L = a["water_served_day0"].shape[0]
    for kind in ("water", "gas", "power", "road"):
        ids = a[f"{kind}_link_id"]
        keys = NetworkLink.objects.in_bulk(ids.tolist())
        assert [keys[i].key for i in ids.tolist()] == a[f"{kind}_link_key"].tolist()
        assert a[f"{kind}_link_served_day0"].shape == (L, ids.size)
    # a broken water pipe never carries service; a blocked road neither, an open one does
    served = a["water_link_served_day0"]
    column = {k: c for c, k in enumerate(a["water_link_key"].tolist())}
    pipes = np.array([column[k] for k in a["water_pipe_key"].tolist()])
    broken = a["water_pipe_breaks"][:L] > 0
    assert broken.any() and not served[:, pipes][broken].any()
    np.testing.assert_array_equal(a["road_link_served_day0"], ~a["road_blocked_day0"])
    # buildings without power on day 0 sit on power links out of service
    assert (~a["power_served_day0"]).any() and (~a["power_link_served_day0"]).any()

    user = User.objects.create_user("viewer-links", password="pw")
    town = Town.objects.get(pk=demo_town)
    TownMembership.objects.create(user=user, town=town, role="viewer")
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/towns/{town.slug}/runs/{run.pk}/lifelines/")
    assert response.status_code == 200, response.content[:300]
    links = response.json()["links"]
    assert len(links) == sum(a[f"{k}_link_id"].size for k in ("water", "gas", "power", "road"))
    water = [links[str(i)] for i in a["water_link_id"].tolist()]
    states = {w["damage_state"] for w in water if w["damage_state"]}
    assert "intact" in states and states & {"leak", "break"}, states
    first = a["water_link_id"][pipes[0]]
    expected = float(served[:, pipes[0]].mean())
    assert links[str(first)]["served_share"] == pytest.approx(expected, abs=1e-4)
