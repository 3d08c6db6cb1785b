"""Pipe and facility damage sampling, water service fallback and bad input."""

from __future__ import annotations

import os

import numpy as np
import pytest
import wntr
from hypothesis import given, settings
from hypothesis import strategies as st

from lifelines.engine import water as water_module
from lifelines.engine.damage import (
    lifeline_fragilities,
    pipe_class,
    sample_component_damage,
    sample_pipe_damage,
)
from lifelines.engine.errors import DamageModelError, NetworkModelError
from lifelines.engine.water import topological_water_service, water_model_from_inp, water_service
from tests.lifelines.engine.town import water_model

NET3 = os.path.join(os.path.dirname(wntr.__file__), "library", "networks", "Net3.inp")


def test_materials_map_to_hazus_classes() -> None:
    assert pipe_class("CI") == "brittle" and pipe_class("ductile iron") == "ductile"
    assert pipe_class("HDPE") == "ductile" and pipe_class("unobtainium") is None


def test_poisson_repairs_match_the_rate_on_average() -> None:
    n = 20_000
    damage = sample_pipe_damage(
        [f"p{i}" for i in range(n)], np.full(n, 1000.0), ["CI"] * n, np.full(n, 60.0), seed=3
    )
    total = damage.leaks.sum() + damage.breaks.sum()
    assert total / n == pytest.approx(1.00194, rel=0.03)
    assert damage.breaks.sum() / total == pytest.approx(0.2, abs=0.02)
    assert damage.repair_pipe.size == total and damage.unknown_material == ()


def test_unknown_material_is_brittle_and_listed() -> None:
    damage = sample_pipe_damage(["a"], np.array([10.0]), [None], np.array([10.0]), seed=1)
    assert damage.unknown_material == ("a",)


@settings(max_examples=30, deadline=None)
@given(low=st.floats(0.01, 1.0), extra=st.floats(0.0, 1.5), seed=st.integers(0, 2**31))
def test_facility_damage_never_lowers_with_intensity(low: float, extra: float, seed: int) -> None:
    kinds = ["pump", "tank", "substation", "regulator", "bridge", "generator"]
    weak = sample_component_damage(kinds, np.full(6, low), seed=seed)
    strong = sample_component_damage(kinds, np.full(6, low + extra), seed=seed)
    assert np.all(strong >= weak)


def test_fragility_table_is_complete_and_cited() -> None:
    table = lifeline_fragilities()
    assert {f.component_type for f in table.values()} >= {
        "pump",
        "tank",
        "substation",
        "regulator",
        "bridge",
    }
    assert all(f.source and all(np.diff(f.medians) > 0) for f in table.values())
    with pytest.raises(DamageModelError, match="no fragility for component type 'dam'"):
        sample_component_damage(["dam"], np.ones(1), seed=1)


def test_mismatched_arrays_are_rejected() -> None:
    with pytest.raises(DamageModelError, match="one PGV and one length per pipe"):
        sample_pipe_damage(["a", "b"], np.ones(2), ["CI", "CI"], np.ones(3), seed=1)


def test_epanet_failure_falls_back_to_topology(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise RuntimeError("simulated non-convergence")

    monkeypatch.setattr(water_module, "_run_epanet", fail)
    result = water_service(water_model(), pumps_off=["P1"])
    assert result.method == "topological" and "non-convergence" in result.message
    assert result.demand_served_fraction == 0.0


def test_model_is_restored_after_a_damaged_run() -> None:
    wn = water_model_from_inp(NET3)
    pipes = wn.pipe_name_list
    damage = sample_pipe_damage(
        pipes,
        np.array([wn.get_link(p).length for p in pipes]),
        ["CI"] * len(pipes),
        np.full(len(pipes), 50.0),
        seed=2,
    )
    before = water_service(wn)
    hit = water_service(wn, damage)
    after = water_service(wn)
    assert hit.demand_served_fraction < before.demand_served_fraction
    assert np.allclose(after.pressure_m, before.pressure_m)
    assert topological_water_service(wn, damage).method == "topological"


def test_water_bad_input_messages() -> None:
    with pytest.raises(NetworkModelError, match="link nope is not in water model"):
        water_service(water_model(), pumps_off=["nope"])
    with pytest.raises(NetworkModelError, match="cannot read EPANET file"):
        water_model_from_inp("/nonexistent/town.inp")


def test_wntr_model_from_cim_record_matches_the_inp(tmp_path: pytest.TempPathFactory) -> None:
    from lifelines.engine.water import water_model_from_record
    from twin.engine.epanet import read_epanet

    path = tmp_path / "town.inp"  # type: ignore[operator]
    wntr.network.write_inpfile(water_model(), str(path))
    record = read_epanet(path, epsg=32650)
    from_record = water_service(water_model_from_record(record))
    from_inp = water_service(water_model_from_inp(path))
    assert np.allclose(from_record.pressure_m, from_inp.pressure_m, atol=1e-3)
    with pytest.raises(NetworkModelError, match="head-curve pump"):
        water_model_from_record(read_epanet(NET3, epsg=32650))
