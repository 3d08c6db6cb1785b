"""A real deployment for browser tests: daphne (HTTP + websockets) and a task worker, as
separate processes on a throwaway SpatiaLite database holding a small town."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from twin.engine.ifc.writer import write_demo_building_ifc

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "secret-pw-for-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var = tmp_path_factory.mktemp("deployment")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": f"spatialite:///{var / 'twin.sqlite3'}",
        "TWIN_VAR_DIR": str(var),
        "TWIN_TEST_PASSWORD": PASSWORD,
    }

    def manage(*args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    manage("migrate", "--noinput")
    for i, (lat, storeys) in enumerate([(30.9960, 3), (30.9964, 5), (30.9968, 2)]):
        path = var / f"b{i}.ifc"
        write_demo_building_ifc(
            path,
            name=f"Frame {i}",
            latitude_deg=lat,
            longitude_deg=103.619,
            storeys=storeys,
            seed=i,
        )
        manage("import_ifc", str(path), "--town", "demo")
    # roads, shelters S1/S2, hospital H1 and a fire station around the buildings (drill console)
    manage(
        "shell", "-c", "from tests.scenarios.drills.town import add_drill_network as a; a('demo')"
    )
    manage(
        "town_member",
        "planner",
        "--town",
        "demo",
        "--role",
        "planner",
        "--password-env",
        "TWIN_TEST_PASSWORD",
    )
    port = free_port()
    logs = (var / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=logs,
        stderr=logs,
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"], cwd=ROOT, env=env, stdout=logs, stderr=logs
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/healthz")
        yield url
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=30)
        logs.close()


def wait_until_up(url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s")
