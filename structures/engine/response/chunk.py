"""One unit of fan-out work: the time histories of a chunk of buildings, as plain arrays.

``analyse_chunk`` is a pure function of its ``ChunkTask`` (no files, clock, database or global
state besides the OpenSees domain it wipes), so a scheduler may run it twice, on any worker, and
get the same bytes: this is what makes the Dask fan-out resumable and retry-safe.

Solver per chunk: OpenSees (``run_time_history``, one analysis at a time in the worker process),
or the vectorised ``run_batch`` when the chunk holds at least ``BATCH_MIN_PAIRS`` building-motion
pairs (``solver="auto"``) or when asked (``solver="batch"``). Batch pairs that do not converge are
rerun in OpenSees (which has fallbacks), and one converged pair per chunk is cross-checked against
OpenSees; the relative peak-drift difference is returned.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from structures.engine.response.batch import run_batch
from structures.engine.response.errors import AnalysisFailed, StructuralModelError
from structures.engine.response.inputs import BuildingModelInput, GroundMotion
from structures.engine.response.shear_model import ShearModel, shear_model_from_building
from structures.engine.response.time_history import ResponseResult, run_time_history

SOLVERS: tuple[str, ...] = ("opensees", "batch", "auto")
# "auto" keeps smaller chunks on OpenSees, the reference (docs/structures/execution.md).
BATCH_MIN_PAIRS = 400
REASON_CHARS = 300
OPENSEES, BATCH = 0, 1


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """Buildings ``index * size ...`` of a run with their motions (``motions[b][r]``).

    ``width`` is the storey count of the run's tallest building, so every chunk's arrays stack.
    """

    index: int
    buildings: tuple[BuildingModelInput, ...]
    motions: tuple[tuple[GroundMotion, ...], ...]
    width: int
    solver: str = "auto"

    def digest(self) -> str:
        """sha256 of everything the result depends on (stale chunk files are recomputed)."""
        h = hashlib.sha256(f"{self.index}|{self.width}|{self.solver}".encode())
        for b, row in zip(self.buildings, self.motions, strict=True):
            h.update(repr(b).encode())
            for m in row:
                h.update(f"|{m.dt_s!r}|".encode())
                h.update(np.ascontiguousarray(m.acc_m_s2, dtype=np.float64).tobytes())
        return h.hexdigest()


def _empty(task: ChunkTask) -> dict[str, NDArray]:  # type: ignore[type-arg]
    nb, nm = len(task.buildings), max((len(r) for r in task.motions), default=0)
    storey = np.full((nb, nm, task.width), np.nan)
    return {
        "peak_drift_ratio": storey,
        "peak_floor_acc_m_s2": storey.copy(),
        "residual_drift_ratio": storey.copy(),
        "ok": np.zeros((nb, nm), dtype=bool),
        "solver": np.full((nb, nm), -1, dtype=np.int8),
        "strategy": np.full((nb, nm), "", dtype=f"U{REASON_CHARS // 4}"),
        "reason": np.full(nb, "", dtype=f"U{REASON_CHARS}"),
        "crosscheck_rel_diff": np.full(1, np.nan),
    }


def _store(out: dict[str, NDArray], b: int, r: int, res: ResponseResult, solver: int) -> None:  # type: ignore[type-arg]
    n = res.peak_drift_ratio.size
    out["peak_drift_ratio"][b, r, :n] = res.peak_drift_ratio
    out["peak_floor_acc_m_s2"][b, r, :n] = res.peak_floor_acc_m_s2
    out["residual_drift_ratio"][b, r, :n] = res.residual_drift_ratio
    out["ok"][b, r] = True
    out["solver"][b, r] = solver
    out["strategy"][b, r] = res.strategy[: REASON_CHARS // 4]


def _opensees(out: dict[str, NDArray], b: int, r: int, model: ShearModel, m: GroundMotion) -> bool:  # type: ignore[type-arg]
    """Run one OpenSees analysis into ``out``; on failure record the reason and return False."""
    import openseespy.opensees as ops

    try:
        _store(out, b, r, run_time_history(model, m, log_path=os.devnull), OPENSEES)
    except (AnalysisFailed, ops.OpenSeesError) as exc:
        out["reason"][b] = f"motion {r} ({m.name}): {exc}"[:REASON_CHARS]
        return False
    return True


def analyse_chunk(task: ChunkTask) -> dict[str, NDArray]:  # type: ignore[type-arg]
    """Peak drift, floor acceleration and residual drift of every building x motion of a chunk.

    Returns arrays (buildings, motions, width) NaN-padded, ``ok`` (buildings, motions), the
    solver used per pair (0 OpenSees, 1 batch), the OpenSees strategy, a failure ``reason`` per
    building ("" when every motion ran) and ``crosscheck_rel_diff`` (NaN without a batch run).
    A building whose model cannot be built or whose analysis fails is reported, never raised.
    """
    if task.solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}, got {task.solver!r}")
    out = _empty(task)
    models: dict[int, ShearModel] = {}
    for b, building in enumerate(task.buildings):
        try:
            models[b] = shear_model_from_building(building)
        except StructuralModelError as exc:
            out["reason"][b] = f"model: {exc}"[:REASON_CHARS]
    pairs = [(b, r) for b in models for r in range(len(task.motions[b]))]
    use_batch = task.solver == "batch" or (task.solver == "auto" and len(pairs) >= BATCH_MIN_PAIRS)
    if use_batch and pairs:
        _batch(task, models, pairs, out)
        return out
    for b, model in models.items():
        for r, m in enumerate(task.motions[b]):
            if not _opensees(out, b, r, model, m):
                break  # the building falls back as a whole; skip its other motions
    return out


def _batch(
    task: ChunkTask,
    models: dict[int, ShearModel],
    pairs: list[tuple[int, int]],
    out: dict[str, NDArray],  # type: ignore[type-arg]
) -> None:
    flat = [task.motions[b][r] for b, r in pairs]
    order = list(models)
    res = run_batch(
        [models[b] for b in order], flat, [(order.index(b), k) for k, (b, _) in enumerate(pairs)]
    )
    checked = False
    for k, (b, r) in enumerate(pairs):
        if not res.converged[k]:
            _opensees(out, b, r, models[b], flat[k])
            continue
        n = models[b].n_storeys
        out["peak_drift_ratio"][b, r, :n] = res.peak_drift_ratio[k, :n]
        out["peak_floor_acc_m_s2"][b, r, :n] = res.peak_floor_acc_m_s2[k, :n]
        out["residual_drift_ratio"][b, r, :n] = res.residual_drift_ratio[k, :n]
        out["ok"][b, r], out["solver"][b, r], out["strategy"][b, r] = True, BATCH, "batch"
        if not checked:
            checked = True
            ref = run_time_history(models[b], flat[k], log_path=os.devnull).peak_drift_ratio
            diff = np.abs(res.peak_drift_ratio[k, :n] - ref).max() / max(ref.max(), 1e-300)
            out["crosscheck_rel_diff"][0] = diff
    for b in models:
        if not out["ok"][b].all():
            out["ok"][b] = False  # a building falls back as a whole
            if not out["reason"][b]:
                out["reason"][b] = "batch solver did not converge on some motions"
