"""Benchmark: water service per damage realisation (EPANET via WNTR, PDD, leaks and breaks)
on the largest networks shipped with WNTR. Run: .venv/bin/python bench/bench_lifelines_water.py"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import os
import time

import numpy as np
import wntr

from lifelines.engine.damage import sample_pipe_damage
from lifelines.engine.water import topological_water_service, water_model_from_inp, water_service

NETWORKS = ("Net3", "ky10", "Net6")
PGV_CM_S = 40.0
REALISATIONS = 5


def main() -> None:
    folder = os.path.join(os.path.dirname(wntr.__file__), "library", "networks")
    for name in NETWORKS:
        wn = water_model_from_inp(os.path.join(folder, f"{name}.inp"))
        pipes = wn.pipe_name_list
        length = np.array([wn.get_link(p).length for p in pipes])
        times, topo, served, methods = [], [], [], set()
        for seed in range(REALISATIONS):
            damage = sample_pipe_damage(
                pipes, length, ["CI"] * len(pipes), np.full(len(pipes), PGV_CM_S), seed=seed
            )
            start = time.perf_counter()
            result = water_service(wn, damage)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            topological_water_service(wn, damage)
            topo.append(time.perf_counter() - start)
            served.append(result.demand_served_fraction)
            methods.add(result.method)
        print(
            f"{name}: {wn.num_junctions} junctions, {len(pipes)} pipes; PDD "
            f"{np.median(times):.3f} s median (max {max(times):.3f}); topological "
            f"{np.median(topo):.3f} s; served {np.mean(served):.2f}; methods {sorted(methods)}"
        )


if __name__ == "__main__":
    main()
