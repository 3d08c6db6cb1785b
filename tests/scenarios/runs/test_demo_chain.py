"""The whole chain on the embedded demo town (one IFC frame building and EPANET Net1)."""

from __future__ import annotations

import math

import pytest
from django.contrib.gis.geos import Point

from scenarios import services
from scenarios.engine.indicator_tree import load_tree
from scenarios.models import Scenario
from scenarios.pipeline import run_directory
from twin import demo

pytestmark = pytest.mark.django_db


def test_every_step_runs_on_the_demo_town_and_writes_the_report() -> None:
    for _ in demo.demo_town_build():
        pass
    town = demo.services.town_get_or_create(slug=demo.DEMO_TOWN)
    scenario = Scenario.objects.create(
        town=town, name="near", epicentre=Point(103.58, 31.0, srid=4326), magnitude=6.9,
        depth_km=12.0, realisations=4, seed=11,
    )  # fmt: skip
    run = services.run_execute(run_id=services.run_start(scenario=scenario, enqueue=False).pk)
    assert run.status == "succeeded", run.error
    needed = set(load_tree().outputs)
    assert needed <= set(run.summary)
    assert all(math.isfinite(run.summary[key]) for key in needed)
    assert 0.0 <= run.summary["indicators.total"] <= 100.0
    assert run.scores.count() >= len(load_tree().leaves())
    assert (run_directory(run) / "report.pdf").read_bytes().startswith(b"%PDF")
