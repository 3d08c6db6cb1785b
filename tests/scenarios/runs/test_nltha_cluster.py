"""A scenario NLTHA run on separate ``dask scheduler``/``dask worker`` processes gives the same
bytes as on the default local cluster."""

from __future__ import annotations

import pytest

from scenarios import services
from scenarios.models import Scenario
from scenarios.pipeline import run_directory
from scenarios.steps.buildings import buildings_step
from scenarios.steps.hazard import hazard_step
from tests.structures.dask_cluster import Cluster, dask_cluster  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_an_external_cluster_gives_the_default_clusters_summary_and_arrays(
    scenario: Scenario,
    dask_cluster: Cluster,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "STEPS", [("hazard", hazard_step), ("buildings", buildings_step)])
    scenario.analysis = "nltha"
    scenario.save()
    runs = []
    for address in ("", dask_cluster.address):
        monkeypatch.setenv("TWIN_DASK_SCHEDULER", address)
        run = services.run_execute(run_id=services.run_start(scenario=scenario, enqueue=False).pk)
        assert run.status == "succeeded", run.error
        runs.append(run)
    default, external = runs
    assert default.summary == external.summary
    for name in ("buildings.npz", "nltha.npz"):
        assert (run_directory(default) / name).read_bytes() == (
            run_directory(external) / name
        ).read_bytes()
