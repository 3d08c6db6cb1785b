"""A real Dask cluster for tests: ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1.

Each process is started in its own session (process group) so a test can SIGKILL one worker
(nanny and worker process together) and the fixture can clean every group up by its id.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DASK = str(Path(sys.executable).with_name("dask"))
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen  # type: ignore[type-arg]
    workers: list[subprocess.Popen] = field(default_factory=list)  # type: ignore[type-arg]

    def kill_worker(self, index: int) -> None:
        """SIGKILL worker ``index`` (its nanny and worker process)."""
        os.killpg(self.workers[index].pid, signal.SIGKILL)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [*self.workers, self.scheduler]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _spawn(args: list[str], log: Path) -> subprocess.Popen:  # type: ignore[type-arg]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "ab") as out:
        return subprocess.Popen(
            [DASK, *args], cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )


def start_cluster(n_workers: int, logs: Path) -> Cluster:
    """Scheduler plus ``n_workers`` single-threaded workers; waits until all have joined."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _spawn(
        ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        logs / "scheduler.log",
    )
    cluster = Cluster(address, scheduler)
    worker_args = ["worker", address, "--nworkers", "1", "--nthreads", "1", "--host", "127.0.0.1"]
    for k in range(n_workers):
        cluster.workers.append(_spawn([*worker_args, "--no-dashboard"], logs / f"worker{k}.log"))
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with Client(address, timeout=5, set_as_default=False) as client:
                client.wait_for_workers(n_workers, timeout=max(1.0, deadline - time.monotonic()))
            return cluster
        except OSError:
            if time.monotonic() > deadline:
                cluster.stop()
                raise
            time.sleep(0.5)


@pytest.fixture
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = start_cluster(2, tmp_path_factory.mktemp("dask-logs"))
    try:
        yield cluster
    finally:
        cluster.stop()
