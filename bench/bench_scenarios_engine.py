"""Benchmarks of the scenarios engine: scoring, recovery Monte Carlo, evacuation flow.

Run: ``.venv/bin/python bench/bench_scenarios_engine.py``; results are copied to
docs/benchmarks.md by hand.
Inputs are synthetic and seeded; times are the best of ``REPEATS`` runs (time.perf_counter).
"""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scenarios.engine.comparison import rank_towns
from scenarios.engine.drills.flow import allocate
from scenarios.engine.indicator_tree import load_tree
from scenarios.engine.recovery import CrewPool, RepairTask
from scenarios.engine.recovery_mc import recovery_monte_carlo
from scenarios.engine.scoring import score_run

REPEATS = 3
SEED = 20250101


def best_of(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_scoring(n_towns: int = 10, n_scenarios: int = 20) -> str:
    tree = load_tree()
    rng = np.random.default_rng(SEED)
    runs = {}
    for t in range(n_towns):
        runs[f"town{t}"] = []
        for s in range(n_scenarios):
            out = {k: float(rng.uniform(0, 1)) for k in tree.outputs}
            out.update(
                {
                    "town.population": 2e4,
                    "town.built_area_m2": 6e5,
                    "power.customers": 8e3,
                    "gas.customers": 5e3,
                }
            )
            runs[f"town{t}"].append((f"t{t}s{s}", out))

    def go() -> None:
        cards = {town: [score_run(tree, o, run_id=r) for r, o in rs] for town, rs in runs.items()}
        rank_towns(tree, cards)

    sec = best_of(go)
    n = n_towns * n_scenarios
    return (
        f"| scoring + ranking | {n_towns} towns x {n_scenarios} scenarios, 21 leaves "
        f"| {sec * 1e3:.1f} ms | {sec / n * 1e6:.0f} us/run |"
    )


def bench_recovery(n_tasks: int = 2000, n_real: int = 200) -> str:
    rng = np.random.default_rng(SEED)
    systems = ("water", "gas", "power", "roads", "buildings")
    tasks = [
        RepairTask(
            f"c{i}",
            systems[i % 5],
            float(rng.uniform(0.2, 5.0)),
            float(rng.uniform(1, 50)),
            ("hospital", "shelter", "fire_water", "housing", "other")[int(rng.integers(5))],
        )
        for i in range(n_tasks)
    ]
    crews = {s: CrewPool(s, 20, 1.0) for s in systems}
    totals = {s: 50.0 * n_tasks for s in systems}
    sec = best_of(
        lambda: recovery_monte_carlo([tasks], crews, totals, n_realisations=n_real, seed=SEED)
    )
    return (
        f"| recovery Monte Carlo | {n_tasks} repair tasks, 5 systems x 20 crews, "
        f"{n_real} realisations "
        f"| {sec:.2f} s | {n_real / sec:.0f} realisations/s |"
    )


def bench_evacuation(
    rows: int = 70, cols: int = 72, n_origins: int = 300, n_shelters: int = 25
) -> str:
    rng = np.random.default_rng(SEED)
    g = nx.convert_node_labels_to_integers(nx.grid_2d_graph(rows, cols))
    for u, v in g.edges:
        g.edges[u, v]["travel_s"] = float(rng.uniform(20, 120))
    closed = rng.choice(g.number_of_edges(), size=g.number_of_edges() // 20, replace=False)
    edges = list(g.edges)
    g.remove_edges_from([edges[i] for i in closed])
    nodes = rng.permutation(g.number_of_nodes())
    supplies = {int(n): int(rng.integers(10, 200)) for n in nodes[:n_origins]}
    cap = int(sum(supplies.values()) * 0.9 / n_shelters)
    dests = {
        f"S{k}": (int(n), cap) for k, n in enumerate(nodes[n_origins : n_origins + n_shelters])
    }
    result = {}

    def go() -> None:
        result["a"] = allocate(g, supplies, dests)

    sec = best_of(go)
    a = result["a"]
    return (
        f"| evacuation min-cost flow | {g.number_of_nodes()} nodes, {g.number_of_edges()} roads, "
        f"{n_origins} origins ({sum(supplies.values())} persons), {n_shelters} shelters; "
        f"{len(a.routes)} routes, {sum(a.unmet.values())} unmet | {sec:.2f} s | |"
    )


if __name__ == "__main__":
    print(f"{platform.python_version()} numpy {np.__version__} networkx {nx.__version__}")
    print("| benchmark | size | time | rate |\n|---|---|---|---|")
    for line in (bench_scoring(), bench_recovery(), bench_evacuation()):
        print(line, flush=True)
