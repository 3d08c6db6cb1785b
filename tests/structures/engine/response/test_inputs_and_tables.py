"""Input validation, design-level table and package data against the external transcriptions."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from structures.engine.response import (
    BuildingModelInput,
    StructuralModelError,
    building_design_level,
    design_level_for,
    shear_model_from_building,
)
from structures.engine.response.tables import (
    M_PER_IN,
    collapse_fraction,
    pga_fragility,
    read_table,
    sd_fragility,
)
from tests.external import EXTERNAL, needs_external

FRAGILITY = EXTERNAL / "fragility"


def _rows(name: str) -> list[dict[str, str]]:
    with open(FRAGILITY / name, newline="") as fh:
        return list(csv.DictReader(fh))


LEVEL = {"high": "HC", "moderate": "MC", "low": "LC", "pre": "PC"}


def building(**kw: object) -> BuildingModelInput:
    base: dict[str, object] = dict(
        id="b",
        structural_system="C1M",
        storey_heights_m=(3.0,) * 4,
        storey_masses_kg=(4e5,) * 4,
        design_level="MC",
    )
    base.update(kw)
    return BuildingModelInput(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (dict(storey_heights_m=(), storey_masses_kg=()), "zero storeys"),
        (dict(storey_heights_m=(3.0, -3.0), storey_masses_kg=(1e5, 1e5)), "heights"),
        (dict(storey_masses_kg=(4e5,) * 3), "missing masses"),
        (dict(storey_masses_kg=(4e5, 0.0, 4e5, 4e5)), "masses"),
        (dict(structural_system="XX"), "unknown Hazus type"),
        (dict(design_level=None), "code_edition"),
    ],
)
def test_bad_input_raises_a_clear_structural_model_error(kw: dict, message: str) -> None:
    with pytest.raises(StructuralModelError, match=message) as err:
        shear_model_from_building(building(**kw))
    assert "'b'" in str(err.value)  # names the building so the caller can report it


def test_design_level_table_and_step_down() -> None:
    assert design_level_for("2010", 8) == "HC"
    assert design_level_for("1989", 7.5) == "LC"
    assert design_level_for("none", 9) == "PC"
    assert design_level_for("2001", 5) == "PC"
    with pytest.raises(StructuralModelError):
        design_level_for("1995", 7)
    urm = building(
        structural_system="URML",
        storey_heights_m=(3.0,),
        storey_masses_kg=(1e5,),
        design_level="HC",
    )
    assert building_design_level(urm) == "LC"  # Hazus defines URM only at LC / PC
    era = building(design_level=None, code_edition="2010", intensity=7.0)
    assert building_design_level(era) == "MC"


def test_design_level_never_decreases_with_edition_or_intensity() -> None:
    rank = {"PC": 0, "LC": 1, "MC": 2, "HC": 3}
    rows = read_table("gb50011_design_level.csv")
    grid = np.array([[rank[r[k]] for k in r if k != "edition"] for r in rows])
    assert np.all(np.diff(grid, axis=0) >= 0) and np.all(np.diff(grid, axis=1) >= 0)


@needs_external
def test_package_sd_table_equals_external_transcription() -> None:
    rows = _rows("hazus_structural_Sd_fragility_dustin-cook.csv")
    checked = 0
    for r in rows:
        if r["median_slight"] in ("", "NaN"):
            continue
        f = sd_fragility(r["build_type"], LEVEL[r["loc"]])
        ds = ("slight", "moderate", "extensive", "complete")
        assert np.allclose(f.sd.medians / M_PER_IN, [float(r[f"median_{d}"]) for d in ds])
        assert np.allclose(f.sd.betas, [float(r[f"beta_{d}"]) for d in ds])
        assert np.allclose(f.drift_thresholds, [float(r[f"drift_{d}"]) for d in ds])
        checked += 1
    assert checked == 128  # 144 rows less 16 types undefined at a level


@needs_external
def test_package_pga_table_and_collapse_fractions_equal_external_files() -> None:
    rows = _rows("hazus_equivalent_PGA_fragility_dustin-cook.csv")
    order = ("slight", "moderate", "extensive", "complete")
    for r in rows:
        if r["median"] in ("", "NaN"):
            continue
        f = pga_fragility(r["build_type"], LEVEL[r["loc"]])
        k = order.index(r["damage_state"])
        assert f.medians[k] == pytest.approx(float(r["median"]))
        assert f.betas[k] == pytest.approx(float(r["beta"]))
    dlml = _rows("DLML_Hazus_v5.1_building_portfolio_fragility.csv")
    for r in dlml:
        if r["ID"].startswith("STR."):
            t = "".join(r["ID"].split(".")[1:-1])
            w = float(r["LS4-DamageStateWeights"].split("|")[1])
            assert collapse_fraction(t) == pytest.approx(w)
            assert np.allclose(
                sd_fragility(t, r["ID"].split(".")[-1]).drift_thresholds,
                [float(r[f"LS{k}-Theta_0"]) for k in range(1, 5)],
            )


def test_sd_medians_are_drift_times_modal_height() -> None:
    """VERIFICATION 6a self-consistency: Sd_med = drift ratio x modal height (to table rounding)."""
    for t, lv in [("W1", "HC"), ("C1L", "HC"), ("S1M", "HC"), ("C2M", "MC")]:
        f = sd_fragility(t, lv)
        assert np.allclose(f.sd.medians, f.drift_thresholds * f.modal_height_m, rtol=0.02)
