"""A real deployment for browser tests: daphne (HTTP + websockets) and a task worker, as
separate processes on a throwaway SpatiaLite database holding a small town; Debian Chromium
driven by Playwright (WebGL by SwiftShader); ``watched_page``, a logged-in page whose console
errors and requests outside the test server fail the test."""

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
from playwright.sync_api import Browser, Page, sync_playwright

from twin.engine.ifc.writer import write_demo_building_ifc

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "secret-pw-for-tests"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "docs" / "screenshots"
FLAGS = [
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]
"""``pytestmark`` of the modules that drive the browser."""


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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous, so its async-safety guard is lifted while it runs.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def watched_page(browser: Browser, deployment: str) -> Iterator[Page]:
    """A 1280 × 800 page logged in as the planner, on the list of towns.

    Every console error, uncaught exception and request to anything but the test server
    (``data:`` and ``blob:`` URLs aside) is recorded; after the test the page is closed and
    the test fails unless both lists are empty.
    """
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: foreign.append(r.url) if not local(r.url, deployment) else None)
    page.goto(f"{deployment}/")
    page.fill("#username", "planner")
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_selector("#logout")
    yield page
    page.close()
    assert errors == [], f"console errors: {errors}"
    assert foreign == [], f"requests outside the test server: {foreign}"


def local(url: str, server: str) -> bool:
    return url.startswith((server, "data:", "blob:"))


START_RUN = """async (scenario) => {
  const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken=")).split("=")[1];
  const post = async (url, body) => (await fetch(url, { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: body ? JSON.stringify(body) : undefined })).json();
  const api = "/api/towns/demo/";
  const created = await post(`${api}scenarios/`, scenario);
  const run = await post(`${api}scenarios/${created.id}/runs/`);
  for (;;) {
    const state = await (await fetch(`${api}runs/${run.id}/`)).json();
    if (["succeeded", "failed", "cancelled"].includes(state.status)) return state;
    await new Promise((r) => setTimeout(r, 1000));
  }
}"""


def run_scenario(
    page: Page, *, epicentre: tuple[float, float], **fields: object
) -> dict[str, object]:
    """Create a scenario of the demo town through the API, run it, and wait for its end.

    ``epicentre`` is (lon, lat) in degrees; ``fields`` are the other fields of
    ``POST /api/towns/demo/scenarios/``. Returns the run as the API shows it (``id``,
    ``status``, ``error``...).
    """
    point = {"type": "Point", "coordinates": list(epicentre)}
    state: dict[str, object] = page.evaluate(START_RUN, {**fields, "epicentre": point})
    return state
