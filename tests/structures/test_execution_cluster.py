"""Fan-out on separate ``dask scheduler`` / ``dask worker`` processes: same bytes as the default
local cluster, and the same again when a worker is SIGKILLed mid-run."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from structures import execution
from tests.structures.dask_cluster import Cluster, dask_cluster  # noqa: F401 (fixture)
from tests.structures.test_execution import buildings, motions


def npz_bytes(arrays: dict) -> bytes:  # type: ignore[type-arg]
    buffer = io.BytesIO()
    np.savez(buffer, **{k: v for k, v in sorted(arrays.items()) if k != "chunks_computed"})
    return buffer.getvalue()


def test_an_external_cluster_matches_the_default_even_when_a_worker_is_killed(
    dask_cluster: Cluster,  # noqa: F811
    tmp_path: Path,
) -> None:
    bs, ms = buildings(8), motions(8, per=2, seconds=20.0)
    run = lambda folder, **kw: execution.analyse_buildings(  # noqa: E731
        bs, ms, directory=tmp_path / folder, chunk_size=1, **kw
    )
    default = run("default")  # a LocalCluster, one worker per core
    external = run("external", scheduler=dask_cluster.address)
    assert default["ok"].all() and npz_bytes(external) == npz_bytes(default)

    killed = []

    def kill_after_first_chunk(fraction: float, message: str) -> None:
        if not killed:
            dask_cluster.kill_worker(0)
            killed.append(message)

    survived = run("killed", scheduler=dask_cluster.address, progress=kill_after_first_chunk)
    assert killed and dask_cluster.workers[0].wait(timeout=10) is not None
    assert survived["chunks_computed"] == 8
    assert npz_bytes(survived) == npz_bytes(default)
