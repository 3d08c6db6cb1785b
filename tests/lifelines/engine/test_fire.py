"""Fire spread: BFS equivalence, wind property, proximity graph, ignitions, reproducibility."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifelines.engine.buildings import BuildingState, building_arrays
from lifelines.engine.errors import FireModelError
from lifelines.engine.fire import (
    Wind,
    hamada_times_min,
    ignition_rate_per_million_ft2,
    proximity_graph,
    sample_ignitions,
    spread_times_s,
)
from lifelines.engine.fire_spread import fire_arrival_times, simulate_fire

TIME_TOLERANCE_S = 1e-6


def grid(
    rows: int,
    cols: int,
    spacing: float = 12.0,
    side: float = 10.0,
    holes: frozenset[int] = frozenset(),
) -> list[BuildingState]:
    return [
        BuildingState(str(r * cols + c), c * spacing, r * spacing, side**2)
        for r in range(rows)
        for c in range(cols)
        if r * cols + c not in holes
    ]


@settings(max_examples=25, deadline=None)
@given(rows=st.integers(2, 9), cols=st.integers(2, 9), data=st.data())
def test_probability_one_and_no_wind_equals_bfs_hops(
    rows: int, cols: int, data: st.DataObject
) -> None:
    holes = frozenset(data.draw(st.sets(st.integers(0, rows * cols - 1), max_size=rows)))
    houses = grid(rows, cols, holes=holes)
    if not houses:
        return
    arrays = building_arrays(houses)
    graph = proximity_graph(arrays, max_separation_m=2.5)  # gaps: 2 m sides, 6.97 m diagonals
    start = data.draw(st.integers(0, len(houses) - 1))
    hops = nx.single_source_shortest_path_length(graph.to_networkx(), start)
    step = spread_times_s(graph, arrays, Wind())
    assert np.ptp(step) < TIME_TOLERANCE_S if step.size else True
    t = float(step[0]) if step.size else 1.0
    expected = np.array([hops.get(i, np.inf) * t for i in range(len(houses))])
    fast = fire_arrival_times(graph, arrays, [start], wind=Wind(), burn_duration_s=1e9)
    run = simulate_fire(
        graph, arrays, [start], wind=Wind(), seed=1, horizon_s=1e9, burn_duration_s=1e9
    )
    assert np.allclose(fast, expected, atol=TIME_TOLERANCE_S, equal_nan=True)
    assert np.allclose(run.ignition_s, expected, atol=TIME_TOLERANCE_S)


@settings(max_examples=25, deadline=None)
@given(speed=st.floats(0.5, 20.0), half=st.integers(2, 6), rows=st.integers(1, 5))
def test_wind_spreads_faster_downwind(speed: float, half: int, rows: int) -> None:
    cols = 2 * half + 1
    arrays = building_arrays(grid(rows, cols))
    graph = proximity_graph(arrays, max_separation_m=2.5)
    start = (rows // 2) * cols + half
    east = fire_arrival_times(graph, arrays, [start], wind=Wind(speed, 270.0), burn_duration_s=1e9)
    for k in range(1, half + 1):
        downwind, upwind = east[start + k], east[start - k]
        assert downwind < upwind


def test_hamada_downwind_faster_than_crosswind_faster_than_upwind() -> None:
    t_d, t_s, t_u = hamada_times_min(np.array([10.0]), np.array([5.0]), 8.0, np.array([0.3]))
    assert t_d[0] < t_s[0] < t_u[0]


def test_proximity_graph_matches_brute_force_for_square_footprints() -> None:
    rng = np.random.default_rng(4)
    houses = [
        BuildingState(str(i), x, y, a)
        for i, (x, y, a) in enumerate(
            zip(
                rng.uniform(0, 300, 300),
                rng.uniform(0, 300, 300),
                rng.uniform(30, 900, 300),
                strict=True,
            )
        )
    ]
    arrays = building_arrays(houses)
    graph = proximity_graph(arrays, max_separation_m=10.0)
    half = np.sqrt(arrays.footprint_area_m2) / 2
    d = np.hypot(*(arrays.xy_m[:, None, :] - arrays.xy_m[None, :, :]).transpose(2, 0, 1))
    gap = np.maximum(d - half[:, None] - half[None, :], 0)
    expected = {(i, j) for i in range(300) for j in range(i + 1, 300) if gap[i, j] <= 10.0}
    found = set(zip(graph.source.tolist(), graph.target.tolist(), strict=True))
    assert {(i, j) for i, j in found if i < j} == expected


def test_exact_footprints_give_polygon_gaps() -> None:
    houses = grid(1, 2, spacing=15.0, side=10.0)
    wkt = ["POLYGON((-5 -5,5 -5,5 5,-5 5,-5 -5))", "POLYGON((10 -5,20 -5,20 5,10 5,10 -5))"]
    graph = proximity_graph(building_arrays(houses), footprints_wkt=wkt)
    assert graph.separation_m.tolist() == [5.0, 5.0]


def test_hazus_ignition_regression_values() -> None:
    rates = ignition_rate_per_million_ft2(np.array([0.0, 0.04, 0.5, 1.0]))
    assert rates[0] == 0.0 and rates[1] == 0.0  # negative below PGA 0.0506 g → clipped
    assert rates[2] == pytest.approx(0.581895 * 0.25 - 0.029444 * 0.5)
    assert rates[3] == pytest.approx(0.552451)


def test_ignitions_are_seeded_and_grow_with_shaking() -> None:
    area = np.full(20_000, 1000.0)
    weak = sample_ignitions(area, np.full(area.size, 0.2), seed=5)
    strong = sample_ignitions(area, np.full(area.size, 0.8), seed=5)
    assert np.array_equal(weak, sample_ignitions(area, np.full(area.size, 0.2), seed=5))
    assert strong.size > weak.size > 0


def test_timeline_frames_partition_buildings() -> None:
    arrays = building_arrays(grid(5, 5))
    graph = proximity_graph(arrays)
    run = simulate_fire(
        graph, arrays, [12], wind=Wind(5, 0), seed=2, horizon_s=7200.0, step_s=600.0
    )
    frames = run.timeline()
    assert len(frames) == 13 and frames[0].burning.tolist() == [12]
    assert all(np.intersect1d(f.burning, f.burnt).size == 0 for f in frames)
    assert run.burning_counts().tolist() == [f.burning.size for f in frames]
    burnt = run.burnt
    hops = nx.single_source_shortest_path_length(graph.to_networkx(), 12)
    assert all(int(b) in hops for b in burnt)  # burned buildings are reachable from an ignition


def test_bad_fire_inputs_have_specific_messages() -> None:
    arrays = building_arrays(grid(2, 2))
    graph = proximity_graph(arrays)
    with pytest.raises(FireModelError, match="ignition index 9"):
        simulate_fire(graph, arrays, [9], wind=Wind(), seed=1)
    with pytest.raises(FireModelError, match="no positive footprint"):
        building_arrays([BuildingState("x", 0, 0, 0.0)])


def test_proximity_graph_of_a_few_far_apart_buildings_with_one_large_one() -> None:
    """A large building with no neighbour in reach used to crash the pair merge (regression)."""
    from lifelines.engine.buildings import BuildingState, building_arrays
    from lifelines.engine.fire import proximity_graph

    states = [
        BuildingState(id="small-a", x_m=0.0, y_m=0.0, footprint_area_m2=100.0),
        BuildingState(id="small-b", x_m=10.0, y_m=0.0, footprint_area_m2=100.0),
        BuildingState(id="large", x_m=5000.0, y_m=0.0, footprint_area_m2=4000.0),
    ]
    graph = proximity_graph(building_arrays(states))
    assert sorted(zip(graph.source.tolist(), graph.target.tolist(), strict=True)) == [
        (0, 1),
        (1, 0),
    ]
