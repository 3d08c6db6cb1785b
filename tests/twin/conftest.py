"""Fixtures for the CIM shell tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def manage(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run ``manage.py`` in a child process against a throwaway (unmigrated) database."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DATABASE_URL": f"spatialite:///{tmp_path / 'cli.sqlite3'}"}
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )

    return run
