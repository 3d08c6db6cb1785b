"""kill -9 of the task worker mid-run: the run is picked up again and ends identical.

Real processes on a throwaway SpatiaLite file: `run_worker` executes a queued run of the demo
town; the test kills it with SIGKILL during the report step, starts a new worker (which
requeues runs without a heartbeat), and compares the resumed run with an uninterrupted one.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = ["--town", "demo", "--lat", "31.0", "--lon", "103.58", "--magnitude", "6.9",
            "--realisations", "4", "--seed", "5"]  # fmt: skip


class Deployment:
    def __init__(self, folder: Path) -> None:
        self.db = folder / "twin.sqlite3"
        self.env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": f"spatialite:///{self.db}", "TWIN_VAR_DIR": str(folder),
        }  # fmt: skip

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              check=True, capture_output=True, text=True, timeout=600)  # fmt: skip
        return done.stdout

    def worker(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "manage.py", "run_worker", *args], cwd=ROOT,
                                env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def run_row(self, run_id: int) -> tuple[str, str, str, str]:
        with sqlite3.connect(self.db, timeout=30) as db:
            row = db.execute(
                "SELECT status, step, summary, error FROM scenarios_scenariorun WHERE id = ?",
                (run_id,),
            ).fetchone()
        return row  # type: ignore[no-any-return]

    def wait(
        self, run_id: int, until: set[str], *, step: bool = False, timeout: float = 300
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, current, _, _ = self.run_row(run_id)
            if (current if step else status) in until:
                return
            time.sleep(0.2)
        raise AssertionError(f"run {run_id} never reached {until}: {self.run_row(run_id)}")


@pytest.mark.slow
def test_a_run_survives_kill_9_of_its_worker(tmp_path: Path) -> None:
    site = Deployment(tmp_path)
    site.manage("migrate", "--noinput")
    site.manage("demo_setup", "--no-towns", "--no-external")
    reference = json.loads(site.manage("run_scenario", *SCENARIO, "--json"))
    run_id = int(site.manage("run_scenario", *SCENARIO, "--enqueue").strip())
    worker = site.worker()
    try:
        site.wait(run_id, {"report"}, step=True)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        assert site.run_row(run_id)[0] == "running"  # the killed worker could not say anything
        hazard = tmp_path / "media" / "runs" / str(run_id) / "hazard.npz"
        written = hazard.stat().st_mtime_ns
        worker = site.worker("--stale-after", "0")
        site.wait(run_id, {"succeeded", "failed"})
    finally:
        worker.kill()
        worker.wait(timeout=30)
    status, _, summary, error = site.run_row(run_id)
    assert status == "succeeded", error
    reference.pop("run")
    assert json.loads(summary) == reference
    folder = tmp_path / "media" / "runs" / str(run_id)
    assert (folder / "step-lifelines.json").exists() and (folder / "report.pdf").exists()
    assert hazard.stat().st_mtime_ns == written  # finished steps were kept, not redone
