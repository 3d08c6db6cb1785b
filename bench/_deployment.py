"""A loopback deployment for the dashboard benchmarks: daphne on 127.0.0.1 over a prepared
database, a viewer of the town, and a logged-in session cookie (shared by both benches)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USER, PASSWORD = "bench-viewer", "bench-viewer-password"


def bench_env(var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "0",
        "TWIN_VAR_DIR": str(var_dir),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"spatialite:///{var_dir / 'twin.sqlite3'}"),
        "TWIN_BENCH_PASSWORD": PASSWORD,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def deployment(var_dir: Path, town: str) -> Iterator[str]:
    """Serve the database in ``var_dir`` with daphne on a free loopback port; yield its URL."""
    env = bench_env(var_dir)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "town_member",
            USER,
            "--town",
            town,
            "--role",
            "viewer",
            "--password-env",
            "TWIN_BENCH_PASSWORD",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = (var_dir / "bench-server.log").open("w")
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
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def session_cookie(url: str) -> str:
    """Log in through the login form; the ``sessionid`` value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{url}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    body = urllib.parse.urlencode(
        {"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token, "next": "/"}
    ).encode()
    opener.open(
        urllib.request.Request(
            f"{url}/accounts/login/", data=body, headers={"Referer": f"{url}/accounts/login/"}
        )
    )
    return next(c.value for c in jar if c.name == "sessionid")
