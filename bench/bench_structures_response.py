"""Bench: structural response per core - pipeline vs bare openseespy, batch solver, fragility path.

Run: .venv/bin/python bench/bench_structures_response.py   (results go to docs/benchmarks.md by hand)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from structures.engine.response import (
    BuildingModelInput,
    apply_commands,
    fragility_losses,
    run_batch,
    run_time_history,
    shear_model_commands,
    shear_model_from_building,
)
from structures.engine.response.time_history import analysis_commands
from tests.structures.engine.response.conftest import MOTIONS, read_at2

N_MODELS = int(os.environ.get("BENCH_N", "40"))


def models() -> list:
    rng = np.random.default_rng(1)
    types = ["C1L", "C1M", "C2M", "S1M", "W1", "RM1L", "PC2M", "S2L"]
    out = []
    for i in range(N_MODELS):
        n = int(rng.integers(2, 7))
        b = BuildingModelInput(
            f"b{i}",
            types[i % 8],
            (3.2,) * n,
            (5e5,) * n,
            design_level=("HC", "MC", "LC", "PC")[i % 4],
        )
        out.append(shear_model_from_building(b))
    return out


def bare(model, motion) -> float:
    import openseespy.opensees as ops

    ops.wipe()
    ops.logFile("/dev/null", "-noEcho")
    apply_commands(shear_model_commands(model) + analysis_commands(model, motion))
    ops.analyze(motion.acc_m_s2.size - 1, motion.dt_s)
    top = ops.nodeDisp(model.n_dof, 1)
    ops.wipe()
    return top


def main() -> None:
    motion = read_at2(MOTIONS / "elCentro_1940_NS_Peknold_OpenSees.at2")
    ms = models()
    t = time.perf_counter()
    for m in ms:
        bare(m, motion)
    t_bare = time.perf_counter() - t
    t = time.perf_counter()
    for m in ms:
        run_time_history(m, motion)
    t_pipe = time.perf_counter() - t
    print(
        f"models={len(ms)} motion=El Centro {motion.duration_s:.1f} s ({motion.acc_m_s2.size} pts)"
    )
    print(f"bare openseespy : {len(ms) / t_bare:8.2f} runs/s")
    print(f"pipeline        : {len(ms) / t_pipe:8.2f} runs/s  ratio {t_bare / t_pipe:.2f} of bare")
    run_batch(ms[:1], [motion])  # warm-up: numba compile / cache load is not timed below
    for reps in (1, 25, 100):
        batch_models = ms * reps
        t = time.perf_counter()
        run_batch(batch_models, [motion])
        t_b = time.perf_counter() - t
        print(
            f"batch x{len(batch_models):5d}   : {len(batch_models) / t_b:8.1f} runs/s "
            f"= {len(batch_models) / t_b / (len(ms) / t_pipe):6.1f} x pipeline"
        )
    bs = [
        BuildingModelInput(
            f"f{i}",
            "C1M",
            (3.0,) * 5,
            (5e5,) * 5,
            design_level="MC",
            occupancy="COM4",
            day_population=50,
            night_population=5,
        )
        for i in range(2000)
    ]
    pga = np.random.default_rng(0).lognormal(np.log(0.3), 0.6, (2000, 2000))
    fragility_losses(bs[:10], pga[:10, :10], seed=0)
    t = time.perf_counter()
    fragility_losses(bs, pga, seed=1)
    t_f = time.perf_counter() - t
    print(f"fragility path  : {pga.size / t_f / 1e6:8.2f} M building-realisations/s ({pga.shape})")


if __name__ == "__main__":
    main()
