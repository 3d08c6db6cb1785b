"""Modal analysis through openseespy: eigenvalues, periods, shapes, mass participation."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from structures.engine.response.commands import OpsCommand, apply_commands
from structures.engine.response.errors import AnalysisFailed


@dataclass(frozen=True, slots=True)
class ModalResult:
    """Modes of a model.

    Attributes
    ----------
    eigenvalues : NDArray[np.float64]
        omega^2 (rad^2/s^2, in the model's units), ascending.
    periods_s : NDArray[np.float64]
        2 pi / omega (s).
    nodes : tuple[int, ...]
        Node tags (rows of ``shapes``).
    shapes : NDArray[np.float64]
        Mode shapes in ``dof`` at ``nodes`` (n_nodes, n_modes), as returned by OpenSees.
    mass_participation : NDArray[np.float64]
        Effective modal mass ratio of each mode in the global X direction (OpenSees
        ``modalProperties``; sums to 1 over all modes).
    """

    eigenvalues: NDArray[np.float64]
    periods_s: NDArray[np.float64]
    nodes: tuple[int, ...]
    shapes: NDArray[np.float64]
    mass_participation: NDArray[np.float64]


def modal_analysis(
    commands: Sequence[OpsCommand], n_modes: int, *, dof: int = 1, full_solver: bool = True
) -> ModalResult:
    """Build the model from ``commands`` and compute ``n_modes`` modes.

    Parameters
    ----------
    commands : Sequence[OpsCommand]
        Model definition (e.g. ``shear_model_commands``).
    n_modes : int
        Number of modes.
    dof : int
        Degree of freedom for shapes and participation (1 = horizontal).
    full_solver : bool
        Use ``-fullGenLapack`` (all modes of small models); otherwise the default ARPACK solver.
    """
    import openseespy.opensees as ops

    ops.logFile(os.devnull, "-noEcho")  # the LAPACK solver's speed warning is noise here
    apply_commands(commands)
    w2 = ops.eigen("-fullGenLapack", n_modes) if full_solver else ops.eigen(n_modes)
    w2 = np.atleast_1d(np.asarray(w2, dtype=float))
    if w2.size != n_modes or np.any(w2 <= 0):
        raise AnalysisFailed(f"eigen returned {w2}", 0.0)
    nodes = tuple(ops.getNodeTags())
    shapes = np.array([[ops.nodeEigenvector(t, k + 1, dof) for k in range(n_modes)] for t in nodes])
    props = ops.modalProperties("-return")  # Petracca et al.'s DomainModalProperties
    ratios = np.asarray(props["partiMassRatiosMX"], dtype=float) / 100.0
    ops.wipe()
    return ModalResult(w2, 2.0 * np.pi / np.sqrt(w2), nodes, shapes, ratios)
