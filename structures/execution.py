"""Fan-out of building time histories over Dask distributed, chunked and resumable.

Workers never touch the ORM: they receive ``ChunkTask``s (``BuildingModelInput``s and
``GroundMotion`` arrays) and return arrays. Each finished chunk is written to
``<directory>/chunks/<step>-<k>.npz`` with the digest of its inputs, so a run that is started again
loads the chunks whose digest matches and computes only the rest. Results are assembled in chunk
order, so they do not depend on the number of workers or on which worker ran what.

Scheduler: ``TWIN_DASK_SCHEDULER`` = ``tcp://host:port`` uses an existing scheduler;
``inprocess`` runs the chunks one after another in this process (tests, debugging); unset starts a
``LocalCluster`` of one single-threaded worker process per core (OpenSees is not thread-safe).
See docs/structures/execution.md.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from structures.engine.response.chunk import ChunkTask, analyse_chunk
from structures.engine.response.inputs import BuildingModelInput, GroundMotion

SCHEDULER_ENV = "TWIN_DASK_SCHEDULER"
INPROCESS = "inprocess"
CHUNK_BUILDINGS = 20
# Worker deaths a task may survive (Dask's scheduler default is 3; a chunk is pure, so reruns are
# safe).
ALLOWED_FAILURES = 3
Progress = Callable[[float, str], None]
Arrays = dict[str, NDArray[Any]]


@contextmanager
def dask_client(address: str | None = None, *, n_workers: int | None = None) -> Iterator[Any]:
    """A Dask client: ``address`` (or ``TWIN_DASK_SCHEDULER``), else a new ``LocalCluster``.

    Yields None for ``inprocess``. The local cluster binds to 127.0.0.1, one process per core
    (or ``n_workers``), one thread each, no dashboard; it is closed on exit.
    """
    address = address or os.environ.get(SCHEDULER_ENV) or None
    if address == INPROCESS:
        yield None
        return
    import dask
    from distributed import Client, LocalCluster

    dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES})
    if address:
        with Client(address, set_as_default=False) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=n_workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        yield client


def make_tasks(
    buildings: Sequence[BuildingModelInput],
    motions: Sequence[Sequence[GroundMotion]],
    *,
    chunk_size: int = CHUNK_BUILDINGS,
    solver: str = "auto",
) -> list[ChunkTask]:
    """Split buildings (and their motions) into chunks of ``chunk_size``."""
    width = max((b.storeys for b in buildings), default=0)
    return [
        ChunkTask(
            k // chunk_size,
            tuple(buildings[k : k + chunk_size]),
            tuple(tuple(row) for row in motions[k : k + chunk_size]),
            width,
            solver,
        )
        for k in range(0, len(buildings), chunk_size)
    ]


def chunk_path(directory: Path, step: str, index: int) -> Path:
    """Where chunk ``index`` of ``step`` is persisted."""
    return directory / "chunks" / f"{step}-{index}.npz"


def _load_chunk(path: Path, digest: str) -> Arrays | None:
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        if str(data["digest"]) != digest:
            return None
        return {key: data[key] for key in data.files if key != "digest"}


def _save_chunk(path: Path, digest: str, arrays: Arrays) -> None:
    """Write atomically (temp file + rename): a killed run never leaves half a chunk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    payload: dict[str, Any] = {"digest": np.array(digest), **arrays}
    with open(tmp, "wb") as fh:
        np.savez(fh, **payload)
    os.replace(tmp, path)


def run_tasks(
    tasks: Sequence[ChunkTask],
    *,
    directory: Path,
    step: str,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> tuple[list[Arrays], int]:
    """Results of ``tasks`` in order, loading persisted chunks; returns (results, computed)."""
    results: dict[int, Arrays] = {}
    pending = []
    for t in tasks:
        found = _load_chunk(chunk_path(directory, step, t.index), t.digest())
        if found is None:
            pending.append(t)
        else:
            results[t.index] = found

    def finished(t: ChunkTask, arrays: Arrays) -> None:
        _save_chunk(chunk_path(directory, step, t.index), t.digest(), arrays)
        results[t.index] = arrays
        if progress is not None:
            progress(len(results) / len(tasks), f"{len(results)}/{len(tasks)} chunks")

    if pending:
        with dask_client(scheduler) as client:
            if client is None:
                for t in pending:
                    finished(t, analyse_chunk(t))
            else:
                _fan_out(client, pending, step, finished)
    return [results[t.index] for t in tasks], len(pending)


def _fan_out(
    client: Any, pending: list[ChunkTask], step: str, finished: Callable[[ChunkTask, Arrays], None]
) -> None:
    from distributed import as_completed

    by_key = {}
    futures = []
    for t in pending:
        key = f"{step}-{t.index}-{t.digest()[:16]}"
        futures.append(client.submit(analyse_chunk, t, key=key, pure=True, retries=1))
        by_key[key] = t
    try:
        for future in as_completed(futures, loop=client.loop):
            finished(by_key[future.key], future.result())
    finally:
        client.cancel(futures)


def analyse_buildings(
    buildings: Sequence[BuildingModelInput],
    motions: Sequence[Sequence[GroundMotion]],
    *,
    directory: Path,
    step: str = "buildings",
    chunk_size: int = CHUNK_BUILDINGS,
    solver: str = "auto",
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> Arrays:
    """Time histories of ``buildings[b]`` under ``motions[b][r]``, fanned out in chunks.

    Returns the ``analyse_chunk`` arrays concatenated over buildings (``crosscheck_rel_diff``
    has one entry per chunk) plus ``chunks_computed``: how many chunks were not loaded from disk.
    """
    if len(buildings) != len(motions):
        raise ValueError("one row of motions per building")
    tasks = make_tasks(buildings, motions, chunk_size=chunk_size, solver=solver)
    parts, computed = run_tasks(
        tasks, directory=directory, step=step, scheduler=scheduler, progress=progress
    )
    if not parts:
        return {"chunks_computed": np.array(0)}
    merged = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    merged["chunks_computed"] = np.array(computed)
    return merged


RECORDS_ENV = "TWIN_RECORDS_DIR"
NO_RECORDS = "none"
SHARED_RECORDS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "external" / "ground_motions"
)


def records_directory() -> Path | None:
    """The record library: ``TWIN_RECORDS_DIR``, else the shared ground motions when present.

    None (use the stochastic generator) when ``TWIN_RECORDS_DIR=none`` or no library exists.

    Raises
    ------
    FileNotFoundError
        ``TWIN_RECORDS_DIR`` names a folder that does not exist.
    """
    configured = os.environ.get(RECORDS_ENV, "")
    if configured.lower() == NO_RECORDS:
        return None
    if configured:
        path = Path(configured)
        if not path.is_dir():
            raise FileNotFoundError(f"{RECORDS_ENV}={configured} is not a folder")
        return path
    return SHARED_RECORDS if SHARED_RECORDS.is_dir() else None
