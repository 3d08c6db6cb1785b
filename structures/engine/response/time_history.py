"""Nonlinear time-history analysis of shear models with openseespy.

One ``analyze(n)`` call drives the whole record (a Python loop of ``analyze(1)`` is 2.2x slower
here); envelopes come from OpenSees envelope recorders. When a step fails the remainder is retried
with the step halved, then with other algorithms (ModifiedNewton, KrylovNewton,
NewtonLineSearch); the strategy that finished the record is reported.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from structures.engine.response.commands import OpsCommand, apply_commands, shear_model_commands
from structures.engine.response.errors import AnalysisFailed
from structures.engine.response.inputs import GroundMotion
from structures.engine.response.shear_model import ShearModel

NEWMARK_GAMMA = 0.5  # average acceleration (unconditionally stable)
NEWMARK_BETA = 0.25
DISP_TOLERANCE_M = 1e-10  # NormDispIncr tolerance, shared with the batch solver
MAX_ITERATIONS = 50
# (algorithm arguments, step divisor) tried in order on the remainder of the record.
FALLBACKS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("Newton",), 2),
    (("Newton",), 4),
    (("ModifiedNewton", "-initial"), 4),
    (("KrylovNewton",), 4),
    (("NewtonLineSearch",), 4),
    (("Newton",), 16),
)


@dataclass(frozen=True, slots=True)
class ResponseResult:
    """Peak responses of one building to one motion.

    Attributes
    ----------
    peak_drift_ratio : NDArray[np.float64]
        Peak inter-storey drift ratio of each storey, ground up (-).
    peak_floor_acc_m_s2 : NDArray[np.float64]
        Peak absolute acceleration of each floor above ground (m/s^2).
    residual_drift_ratio : NDArray[np.float64]
        Inter-storey drift ratio at the end of the record (-), signed.
    peak_isolator_disp_m : float | None
        Peak isolation-layer deformation (m); None for a fixed base.
    strategy : str
        "Newton" or the fallback that completed the record.
    """

    building_id: str
    motion_name: str
    peak_drift_ratio: NDArray[np.float64]
    peak_floor_acc_m_s2: NDArray[np.float64]
    residual_drift_ratio: NDArray[np.float64]
    peak_isolator_disp_m: float | None
    strategy: str


def analysis_commands(model: ShearModel, motion: GroundMotion) -> list[OpsCommand]:
    """Loading, damping and solver commands that follow ``shear_model_commands``."""
    a0, a1 = model.rayleigh
    return [
        OpsCommand(
            "timeSeries",
            (
                "Path",
                1,
                "-dt",
                motion.dt_s,
                "-values",
                *map(float, motion.acc_m_s2),
                "-factor",
                1.0,
            ),
        ),
        OpsCommand("pattern", ("UniformExcitation", 1, 1, "-accel", 1)),
        OpsCommand("rayleigh", (a0, 0.0, a1, 0.0)),  # initial-stiffness proportional term
        OpsCommand("constraints", ("Plain",)),
        OpsCommand("numberer", ("Plain",)),
        OpsCommand("system", ("BandGeneral",)),
        OpsCommand("test", ("NormDispIncr", DISP_TOLERANCE_M, MAX_ITERATIONS)),
        OpsCommand("algorithm", ("Newton",)),
        OpsCommand("integrator", ("Newmark", NEWMARK_GAMMA, NEWMARK_BETA)),
        OpsCommand("analysis", ("Transient",)),
    ]


def recorder_commands(model: ShearModel, folder: Path) -> list[OpsCommand]:
    """Envelope recorders: spring deformations and absolute floor accelerations."""
    eles = tuple(range(1, model.n_dof + 1))
    nodes = tuple(range(1, model.n_dof + 1))
    return [
        OpsCommand(
            "recorder",
            (
                "EnvelopeElement",
                "-file",
                str(folder / "def.out"),
                "-precision",
                12,
                "-ele",
                *eles,
                "deformation",
            ),
        ),
        OpsCommand(
            "recorder",
            (
                "EnvelopeNode",
                "-file",
                str(folder / "acc.out"),
                "-precision",
                12,
                "-timeSeries",
                1,
                "-node",
                *nodes,
                "-dof",
                1,
                "accel",
            ),
        ),
    ]


def _run(n_steps: int, dt: float) -> str:
    """Analyse ``n_steps`` of ``dt``; on failure walk through ``FALLBACKS`` for the remainder."""
    import openseespy.opensees as ops

    t_end = n_steps * dt
    if ops.analyze(n_steps, dt) == 0:
        return "Newton"
    tried = []
    for algorithm, divisor in FALLBACKS:
        remaining = t_end - ops.getTime()
        ops.algorithm(*algorithm)
        sub = dt / divisor
        tried.append(f"{'/'.join(algorithm)} dt/{divisor}")
        if ops.analyze(max(1, math.ceil(remaining / sub - 1e-9)), sub) == 0:
            return tried[-1]
    raise AnalysisFailed("no convergence after " + ", ".join(tried), float(ops.getTime()))


def _read_envelope(path: Path) -> NDArray[np.float64]:
    rows = np.loadtxt(path, ndmin=2)
    return rows[-1]  # min, max, absmax rows: absmax


def run_time_history(
    model: ShearModel, motion: GroundMotion, *, log_path: str | None = None
) -> ResponseResult:
    """Nonlinear response of a shear model to a ground motion (Newmark average acceleration).

    Raises
    ------
    AnalysisFailed
        Every fallback failed; ``reason`` lists what was tried, ``time_s`` where it stopped.
    """
    import openseespy.opensees as ops

    with tempfile.TemporaryDirectory(prefix="ops-th-") as tmp:
        folder = Path(tmp)
        ops.wipe()
        ops.logFile(log_path or str(folder / "ops.log"), "-noEcho")
        apply_commands(shear_model_commands(model))
        apply_commands(analysis_commands(model, motion) + recorder_commands(model, folder))
        try:
            strategy = _run(motion.acc_m_s2.size - 1, motion.dt_s)
            final = np.array([ops.nodeDisp(i + 1, 1) for i in range(model.n_dof)])
        finally:
            ops.wipe()  # flushes and closes the envelope recorders
        deform = _read_envelope(folder / "def.out")
        acc = _read_envelope(folder / "acc.out")
    return _result(model, motion, deform, acc, final, strategy)


def _result(
    model: ShearModel,
    motion: GroundMotion,
    deform: NDArray[np.float64],
    acc: NDArray[np.float64],
    final: NDArray[np.float64],
    strategy: str,
) -> ResponseResult:
    s = int(model.isolated)
    h = model.heights_m[s:]
    residual = np.diff(np.concatenate([[0.0], final]))[s:] / h
    return ResponseResult(
        model.id,
        motion.name,
        deform[s:] / h,
        acc[s:],
        residual,
        float(deform[0]) if model.isolated else None,
        strategy,
    )


def model_script(model: ShearModel, motion: GroundMotion | None = None) -> str:
    """Standalone openseespy script of a shear model, rendered from the same command list.

    Without ``motion`` it prints the periods (s) as JSON; with it, it runs the record with one
    ``analyze`` call and prints the peak spring deformations (m) read from envelope recorders
    written next to the script.
    """
    from structures.engine.response.commands import render_script

    cmds = shear_model_commands(model)
    if motion is None:
        epilogue = (
            f"import json, math\nw2 = ops.eigen('-fullGenLapack', {model.n_dof})\n"
            "print(json.dumps([2.0 * math.pi / math.sqrt(x) for x in w2]))\n"
        )
        return render_script(cmds, epilogue)
    cmds += analysis_commands(model, motion) + recorder_commands(model, Path("."))
    epilogue = (
        f"print('analyze returned', ops.analyze({motion.acc_m_s2.size - 1}, {motion.dt_s!r}))\n"
        "ops.wipe()\nprint(open('def.out').read().splitlines()[-1])\n"
    )
    return render_script(cmds, epilogue)
