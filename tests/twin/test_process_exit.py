"""A process that opens SpatiaLite and then imports the GIS engine exits cleanly.

pyogrio bundles its own GDAL; loaded after mod_spatialite it made the interpreter abort at
exit ("double free or corruption"), which turned green test runs into exit status 134.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import django
django.setup()
from django.db import connection
connection.ensure_connection()
import twin.engine.footprints, wntr
print("done")
"""


def test_spatialite_then_pyogrio_exits_with_status_0(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"spatialite:///{tmp_path / 'exit.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "done"
