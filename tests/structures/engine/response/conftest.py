"""Fixtures: real ground-motion records from ../shared/data/external (tiny local reader)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from structures.engine.response import GroundMotion
from structures.engine.response.inputs import G_M_S2
from tests.external import EXTERNAL

MOTIONS = EXTERNAL / "ground_motions"


def read_at2(path: Path) -> GroundMotion:
    """PEER-style record in g: a header line with NPTS and DT, then free-format numbers."""
    lines = path.read_text().splitlines()
    head = next(
        k for k, line in enumerate(lines) if "NPTS" in line.upper() and "DT" in line.upper()
    )
    dt = float(re.search(r"DT=\s*([0-9.Ee+-]+)", lines[head], re.I).group(1))  # type: ignore[union-attr]
    values = [
        float(x) for line in lines[head + 1 :] if not line.startswith("*") for x in line.split()
    ]
    return GroundMotion(dt, np.asarray(values) * G_M_S2, path.stem)


@pytest.fixture(scope="session")
def el_centro() -> GroundMotion:
    path = MOTIONS / "elCentro_1940_NS_Peknold_OpenSees.at2"
    if not path.is_file():
        pytest.skip("../shared/data/external is absent (fresh clone elsewhere)")
    return read_at2(path)


@pytest.fixture(scope="session")
def records() -> list[GroundMotion]:
    names = [
        "elCentro_1940_NS_Peknold_OpenSees.at2",
        "RSN6_IMPVALL.I_I-ELC180.AT2",
        "ARL360_Northridge_Arleta.at2",
    ]
    if not all((MOTIONS / n).is_file() for n in names):
        pytest.skip("../shared/data/external is absent (fresh clone elsewhere)")
    return [read_at2(MOTIONS / n) for n in names]
