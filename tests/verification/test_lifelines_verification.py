"""Verification of the lifeline engines against hand calculations and published values
(VERIFICATION.md §7; closed forms; a plain WNTR script)."""

from __future__ import annotations

import math
import os
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import wntr

from lifelines.engine.chemical import briggs_sigmas, plume_concentration
from lifelines.engine.damage import PipeDamage, repair_rate_pgv
from lifelines.engine.metrics import connectivity_loss, efficiency_loss, global_efficiency
from lifelines.engine.water import water_model_from_inp, water_service

RR_TOLERANCE = 5e-6  # published values are rounded to 5 decimals
PRESSURE_TOLERANCE_M = 1e-6
NET3 = os.path.join(os.path.dirname(wntr.__file__), "library", "networks", "Net3.inp")


@pytest.mark.parametrize(
    ("pgv", "brittle", "ductile"),
    [(10.0, 0.01778, 0.00533), (30.0, 0.21063, 0.06319), (60.0, 1.00194, 0.30058)],
)
def test_hazus_repair_rates_section_7(pgv: float, brittle: float, ductile: float) -> None:
    assert repair_rate_pgv(pgv, False) == pytest.approx(brittle, abs=RR_TOLERANCE)
    assert repair_rate_pgv(pgv, True) == pytest.approx(ductile, abs=RR_TOLERANCE)


def two_source_graph() -> nx.Graph:
    """S1 – A – B – C – S2 with a spur A – D (6 nodes, hand-computed below)."""
    return nx.Graph([("S1", "A"), ("A", "B"), ("B", "C"), ("C", "S2"), ("A", "D")])


def test_connectivity_loss_hand_computed() -> None:
    intact = two_source_graph()
    demand = ["A", "B", "C", "D"]
    cut = intact.copy()
    cut.remove_edge("B", "C")  # every demand node keeps 1 of 2 sources
    assert connectivity_loss(intact, cut, ["S1", "S2"], demand)[:2] == (0.5, 0.0)
    cut.remove_edge("C", "S2")  # C has none: 1 − (½+½+0+½)/4 = 0.625; complete loss ¼
    cl, ccl, lost = connectivity_loss(intact, cut, ["S1", "S2"], demand)
    assert (cl, ccl, lost) == (0.625, 0.25, ("C",))


def test_efficiency_loss_hand_computed_path_of_five() -> None:
    path = nx.path_graph(5)
    # Σ 1/d over unordered pairs = 4·1 + 3·½ + 2·⅓ + 1·¼ = 77/12; E = 2·(77/12)/20 = 77/120
    assert global_efficiency(path) == pytest.approx(77 / 120, abs=1e-15)
    cut = path.copy()
    cut.remove_edge(1, 2)  # pairs left: (0,1)=1, (2,3)=1, (3,4)=1, (2,4)=½ → E = 42/120
    assert efficiency_loss(path, cut) == pytest.approx(5 / 11, abs=1e-15)
    assert global_efficiency(path) == pytest.approx(nx.global_efficiency(path), abs=1e-15)


def test_efficiency_matches_networkx_on_a_random_graph() -> None:
    graph = nx.gnm_random_graph(7, 9, seed=4)
    assert global_efficiency(graph) == pytest.approx(nx.global_efficiency(graph), abs=1e-12)


def test_net3_one_broken_pipe_agrees_with_plain_wntr_script(tmp_path: Path) -> None:
    engine_wn = water_model_from_inp(NET3)
    pipe = next(
        p
        for p in engine_wn.pipe_name_list
        if {engine_wn.get_link(p).start_node_name, engine_wn.get_link(p).end_node_name}
        <= set(engine_wn.junction_name_list)
        and engine_wn.get_link(p).diameter >= 0.3
    )
    index = engine_wn.pipe_name_list.index(pipe)
    damage = PipeDamage(
        keys=tuple(engine_wn.pipe_name_list),
        repair_rate_per_km=np.zeros(len(engine_wn.pipe_name_list)),
        expected_repairs=np.zeros(len(engine_wn.pipe_name_list)),
        leaks=np.zeros(0, np.int64),
        breaks=np.zeros(0, np.int64),
        repair_pipe=np.array([index]),
        repair_fraction=np.array([0.5]),
        repair_is_break=np.array([True]),
        unknown_material=(),
    )
    engine = water_service(engine_wn, damage, required_pressure_m=20.0)

    wn = wntr.network.WaterNetworkModel(NET3)  # the plain script
    wn.options.time.duration = 0
    wn.options.hydraulic.demand_model = "PDD"
    wn.options.hydraulic.required_pressure = 20.0
    wn.options.hydraulic.minimum_pressure = 0.0
    link = wn.get_link(pipe)
    link.initial_status = wntr.network.LinkStatus.Closed
    for name in (link.start_node_name, link.end_node_name):
        wn.get_node(name).emitter_coefficient = (
            0.75 * math.pi * link.diameter**2 / 4 * math.sqrt(2 * 9.81)
        )
    results = wntr.sim.EpanetSimulator(wn).run_sim(file_prefix=str(tmp_path / "plain"))
    plain = results.node["pressure"].loc[0, wn.junction_name_list].to_numpy()
    assert engine.method == "pdd"
    assert np.max(np.abs(engine.pressure_m - plain)) < PRESSURE_TOLERANCE_M


def test_plume_closed_form_ground_centreline_class_d_rural() -> None:
    # σy = 0.08·1000·(1.1)^-½ = 76.2770 m; σz = 0.06·1000·(2.5)^-½ = 37.9473 m (Briggs 1973)
    sy, sz = briggs_sigmas(np.array([1000.0]), "D")
    assert sy[0] == pytest.approx(76.27700, abs=1e-4)
    assert sz[0] == pytest.approx(37.94733, abs=1e-4)
    c = plume_concentration(
        1.0, np.array([1000.0]), np.array([0.0]), 0.0, wind_m_s=5.0, stability="D"
    )
    assert c[0] == pytest.approx(1.0 / (math.pi * 5.0 * 76.27700 * 37.94733), rel=1e-6)
    assert c[0] == pytest.approx(2.199405e-5, rel=1e-6)  # 1/(π·5·2894.5532)


def test_plume_closed_form_off_axis_elevated() -> None:
    sy, sz = briggs_sigmas(np.array([500.0]), "F", urban=False)
    # at y = σy, z = 0, H = σz: Q/(2π u σy σz) · e^{-½} · 2 e^{-½}
    c = plume_concentration(
        2.0, np.array([500.0]), sy, 0.0, wind_m_s=2.0, stability="F", release_height_m=float(sz[0])
    )
    expected = 2.0 / (2 * math.pi * 2.0 * sy[0] * sz[0]) * math.exp(-0.5) * 2 * math.exp(-0.5)
    assert c[0] == pytest.approx(expected, rel=1e-12)
