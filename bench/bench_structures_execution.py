"""Bench: time histories through the full pipeline (chunks, persistence, Dask) vs bare openseespy,
2-worker speed-up, batch solver vs OpenSees, and a 1,000,000-building fragility run to npz.

The batch solver is timed after one warm-up call, so numba's compile (or cache load) time is
excluded; the warm-up time is printed. The load average is printed before and after.

Run: .venv/bin/python bench/bench_structures_execution.py   (results go to docs/benchmarks.md)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_structures_response import bare
from structures import execution
from structures.engine.hazard.records import read_record
from structures.engine.response import (
    BuildingModelInput,
    GroundMotion,
    run_batch,
    run_time_history,
    shear_model_from_building,
)
from structures.engine.response.losses import BuildingColumns, fragility_losses_bulk

N_BUILDINGS = int(os.environ.get("BENCH_N", "60"))
CHUNK = 5
RECORDS = execution.SHARED_RECORDS
TYPES = ("C1L", "C1M", "C2M", "S1M", "W1", "RM1L", "PC2M", "S2L")


def buildings(n: int) -> list[BuildingModelInput]:
    rng = np.random.default_rng(1)
    out = []
    for i in range(n):
        k = int(rng.integers(2, 7))
        level = ("HC", "MC", "LC", "PC")[i % 4]
        out.append(BuildingModelInput(f"b{i}", TYPES[i % 8], (3.2,) * k, (5e5,) * k, level))
    return out


def motions() -> list[GroundMotion]:
    out = []
    for name in ("elCentro_1940_NS_Peknold_OpenSees.at2", "ARL360_Northridge_Arleta.at2"):
        r = read_record(RECORDS / name)
        out.append(GroundMotion(r.dt_s, np.array(r.acceleration_m_s2), name))
    return out


def best_of(n: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def pipeline(bs, rows, scheduler: str) -> float:  # type: ignore[no-untyped-def]
    def once() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = execution.analyse_buildings(
                bs,
                rows,
                directory=Path(tmp),
                chunk_size=CHUNK,
                solver="opensees",
                scheduler=scheduler,
            )
            assert out["ok"].all()

    return best_of(3, once)


def time_histories() -> None:
    bs, ms = buildings(N_BUILDINGS), motions()
    rows = [ms] * len(bs)
    pairs = len(bs) * len(ms)
    models = [shear_model_from_building(b) for b in bs]
    t_bare = best_of(3, lambda: [bare(m, g) for m in models for g in ms])
    t_rth = best_of(3, lambda: [run_time_history(m, g) for m in models for g in ms])
    t_inproc = pipeline(bs, rows, execution.INPROCESS)
    with execution.dask_client(n_workers=1) as one:
        t_one = pipeline(bs, rows, one.scheduler.address)
    with execution.dask_client(n_workers=2) as two:
        t_two = pipeline(bs, rows, two.scheduler.address)
    print(f"pairs={pairs} ({len(bs)} buildings x El Centro 31 s + Arleta 40 s), chunks of {CHUNK}")
    for label, t in [
        ("bare openseespy loop", t_bare),
        ("run_time_history loop", t_rth),
        ("pipeline in-process (chunks+npz)", t_inproc),
        ("pipeline Dask, 1 worker", t_one),
        ("pipeline Dask, 2 workers", t_two),
    ]:
        print(f"{label:34s}: {pairs / t:7.2f} runs/s  {t_bare / t:5.2f} of bare (per core)")
    print(f"2-worker speed-up: {t_one / t_two:.2f}x")
    reps = 4000 // len(models) + 1
    batch_models = (models * reps)[:4000]
    t = time.perf_counter()
    run_batch(batch_models[:1], ms[:1])  # warm-up: loads (or compiles) the numba kernel
    t_jit = time.perf_counter() - t
    t_batch = best_of(3, lambda: run_batch(batch_models, ms[:1]))
    t_one_ops = best_of(3, lambda: [run_time_history(m, ms[0]) for m in models])
    ratio = (4000 / t_batch) / (len(models) / t_one_ops)
    print(
        f"batch solver 4000 pairs (El Centro, one core, after a {t_jit:.2f} s warm-up call that "
        f"loads/compiles the kernel): {4000 / t_batch:.1f} runs/s = {ratio:.1f}x OpenSees "
        f"run_time_history ({len(models) / t_one_ops:.1f} runs/s)"
    )


def fragility_million() -> None:
    n = 1_000_000
    rng = np.random.default_rng(0)
    types = np.array(["C1M", "W1", "S1L", "C2L", "RM1L", "S2M", "C1L", "S1M"])
    occ = np.array(["RES1", "RES3", "COM4", "IND1"])
    cols = BuildingColumns(
        types[rng.integers(0, types.size, n)],
        np.array(["HC", "MC", "LC", "PC"])[rng.integers(0, 4, n)],
        occ[rng.integers(0, occ.size, n)],
        rng.uniform(0, 20, n),
        rng.uniform(0, 50, n),
    )
    pga = rng.lognormal(np.log(0.3), 0.6, (n, 1))
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        losses = fragility_losses_bulk(cols, pga, seed=1)
        t_compute = time.perf_counter() - t
        ds = losses.damage_state
        np.savez(
            Path(tmp) / "buildings.npz",
            building_id=np.arange(n),
            damage_state=ds,
            repair_cost_ratio=losses.repair_cost_ratio,
            repair_time_d=losses.repair_time_d,
            casualties=losses.casualties[:, 1, :],
            mean_damage_state=ds.mean(axis=1),
            collapse_probability=(ds >= 5).mean(axis=1),
        )
        t_total = time.perf_counter() - t
        size = (Path(tmp) / "buildings.npz").stat().st_size
    print(
        f"fragility 1,000,000 buildings x 1 realisation: computed {t_compute:.2f} s, "
        f"computed + stored {t_total:.2f} s ({size / 1e6:.0f} MB npz)"
    )


def main() -> None:
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    time_histories()
    fragility_million()
    print("load average at end:   {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
