"""MDOF shear-building models: lumped floor masses joined by nonlinear storey springs.

Storey springs follow a bilinear kinematic-hardening backbone (OpenSees ``Steel01`` with no
isotropic hardening) derived from the Hazus capacity curve of the building's type and design level,
after the MDOF shear model of Lu et al. (MDOF-LU, as implemented in SimCenter rWHALE ``createSAM``).

References
----------
Lu XZ, Han B, Hori M, Xiong C, Xu Z (2014). A coarse-grained parallel approach for seismic damage
simulations of urban areas based on refined models and GPU/CPU cooperative computing.
Advances in Engineering Software 70:90-103. doi:10.1016/j.advengsoft.2014.01.010
Xiong C, Lu XZ, Lin XC, Xu Z, Ye LP (2017). Parameter determination and damage assessment for
THA-based regional seismic damage prediction of multi-story buildings. Journal of Earthquake
Engineering 21(3):461-485. doi:10.1080/13632469.2016.1160009
FEMA, Hazus Earthquake Model Technical Manual, Chapter 5 (capacity curves, Tables 5.7a-d).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
from numpy.typing import NDArray

from structures.engine.response.design_levels import building_design_level
from structures.engine.response.errors import StructuralModelError
from structures.engine.response.inputs import G_M_S2, BuildingModelInput, validate_building
from structures.engine.response.tables import capacity_curve, sd_fragility

DEFAULT_DAMPING_RATIO = 0.05
# Period-height exponent x of T = Ct h^x (ASCE 7-16 Table 12.8-2, "all other structural systems"):
# scales the Hazus period of the type's typical height to the building's height.
PERIOD_HEIGHT_EXPONENT = 0.75
MIN_HARDENING_RATIO = 1e-3  # keeps the tangent positive definite after yield


@dataclass(frozen=True, slots=True)
class ShearModel:
    """A chain of masses and springs from a fixed base (spring i joins DOF i-1 and DOF i).

    Parameters
    ----------
    id : str
        Building identifier.
    masses_kg : NDArray[np.float64]
        Lumped masses, bottom up (kg); the first is the base slab when ``isolated``.
    k0_n_m, fy_n, hardening : NDArray[np.float64]
        Initial stiffness (N/m), yield force (N, ``inf`` = elastic) and post-yield stiffness ratio
        of each spring.
    heights_m : NDArray[np.float64]
        Storey height of each spring (m); 0 for the isolation layer.
    isolated : bool
        Spring 0 is a lead-rubber isolation layer (excluded from stiffness-proportional damping).
    rayleigh : tuple[float, float]
        Mass and initial-stiffness proportional coefficients (a0 in 1/s, a1 in s).
    """

    id: str
    masses_kg: NDArray[np.float64]
    k0_n_m: NDArray[np.float64]
    fy_n: NDArray[np.float64]
    hardening: NDArray[np.float64]
    heights_m: NDArray[np.float64]
    isolated: bool
    rayleigh: tuple[float, float]

    @property
    def n_dof(self) -> int:
        """Number of lumped masses."""
        return int(self.masses_kg.size)

    @property
    def n_storeys(self) -> int:
        """Number of superstructure storeys."""
        return self.n_dof - int(self.isolated)

    @property
    def damped_stiffness_mask(self) -> NDArray[np.float64]:
        """1 for springs in the stiffness-proportional damping, 0 for the isolation layer."""
        mask = np.ones(self.n_dof)
        if self.isolated:
            mask[0] = 0.0
        return mask


def chain_stiffness(k: NDArray[np.float64]) -> NDArray[np.float64]:
    """Stiffness matrix (N/m) of springs ``k`` in series from a fixed base."""
    n = k.size
    kk = np.zeros((n, n))
    for i in range(n):
        kk[i, i] += k[i]
        if i > 0:
            kk[i - 1, i - 1] += k[i]
            kk[i - 1, i] -= k[i]
            kk[i, i - 1] -= k[i]
    return kk


def chain_modes(
    k: NDArray[np.float64], m: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Eigenvalues omega^2 (rad^2/s^2, ascending) and mass-normalised shapes of a spring chain."""
    w2, phi = scipy.linalg.eigh(chain_stiffness(k), np.diag(m))
    return w2, phi


def rayleigh_coefficients(w2: NDArray[np.float64], zeta: float) -> tuple[float, float]:
    """Rayleigh a0, a1 giving ``zeta`` at modes 1 and 3 (modes 1 and n when n < 3).

    a0 = 2 zeta wi wj / (wi + wj), a1 = 2 zeta / (wi + wj) (Chopra, Dynamics of Structures, 11.4).
    """
    wi, wj = np.sqrt(w2[0]), np.sqrt(w2[min(2, w2.size - 1)])
    return float(2.0 * zeta * wi * wj / (wi + wj)), float(2.0 * zeta / (wi + wj))


def _target_period_s(b: BuildingModelInput, level: str) -> tuple[float, float, float]:
    """Fundamental period (s), Ay (g) and post-yield ratio from the Hazus capacity curve."""
    cap = capacity_curve(b.structural_system, level)
    t_hazus = 2.0 * np.pi * np.sqrt(cap.dy_m / (cap.ay_g * G_M_S2))
    typical_height = sd_fragility(b.structural_system, level).roof_height_m
    height = float(np.sum(b.storey_heights_m))
    period = t_hazus * (height / typical_height) ** PERIOD_HEIGHT_EXPONENT
    ratio = (cap.au_g / cap.ay_g - 1.0) / (cap.du_m / cap.dy_m - 1.0)
    return float(period), cap.ay_g, max(float(ratio), MIN_HARDENING_RATIO)


def _storey_springs(
    m: NDArray[np.float64], h: NDArray[np.float64], period_s: float, ay_g: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Storey stiffness and yield force so that mode 1 has ``period_s`` and all storeys yield
    together at spectral acceleration ``ay_g`` under a first-mode force pattern."""
    z = np.cumsum(h)
    shape = np.cumsum((m * z)[::-1])[::-1]  # design storey shear of an inverted-triangle load
    w2, phi = chain_modes(shape, m)
    k = shape * (2.0 * np.pi / period_s) ** 2 / w2[0]
    p1 = phi[:, 0] * np.sign(phi[-1, 0])
    alpha1 = float((m @ p1) ** 2 / (p1 @ (m * p1)) / m.sum())  # modal mass ratio of mode 1
    storey_share = np.cumsum((m * p1)[::-1])[::-1] / float(m @ p1)
    fy = alpha1 * ay_g * G_M_S2 * m.sum() * storey_share
    return k, fy


def shear_model_from_building(
    b: BuildingModelInput, *, damping_ratio: float = DEFAULT_DAMPING_RATIO
) -> ShearModel:
    """Build the MDOF shear model of a building (module docstring; docs/structures/mdof-model.md).

    Raises
    ------
    StructuralModelError
        Invalid input (zero storeys, non-positive heights, missing masses, unknown type/level).
    """
    validate_building(b)
    level = building_design_level(b)
    period, ay_g, ratio = _target_period_s(b, level)
    m = np.asarray(b.storey_masses_kg, dtype=float)
    h = np.asarray(b.storey_heights_m, dtype=float)
    k, fy = _storey_springs(m, h, period, ay_g)
    hard = np.full(m.size, ratio)
    if b.isolator is not None:
        iso = b.isolator
        m = np.concatenate([[iso.base_mass_kg], m])
        k = np.concatenate([[iso.initial_stiffness_n_m], k])
        fy = np.concatenate([[iso.yield_force_n], fy])
        hard = np.concatenate([[iso.post_yield_stiffness_n_m / iso.initial_stiffness_n_m], hard])
        h = np.concatenate([[0.0], h])
    w2, _ = chain_modes(k, m)
    return ShearModel(
        b.id, m, k, fy, hard, h, b.isolator is not None, rayleigh_coefficients(w2, damping_ratio)
    )


def elastic_chain_model(
    model_id: str,
    k_n_m: NDArray[np.float64],
    masses_kg: NDArray[np.float64],
    heights_m: NDArray[np.float64] | None = None,
    *,
    damping_ratio: float = DEFAULT_DAMPING_RATIO,
) -> ShearModel:
    """A linear spring chain from explicit storey stiffnesses and masses (verification cases)."""
    k = np.asarray(k_n_m, dtype=float)
    m = np.asarray(masses_kg, dtype=float)
    if k.size == 0 or k.shape != m.shape or np.any(k <= 0) or np.any(m <= 0):
        raise StructuralModelError(f"model {model_id!r}: need equal-length positive k and m")
    h = np.ones_like(k) if heights_m is None else np.asarray(heights_m, dtype=float)
    w2, _ = chain_modes(k, m)
    return ShearModel(
        model_id,
        m,
        k,
        np.full(k.size, np.inf),
        np.zeros(k.size),
        h,
        False,
        rayleigh_coefficients(w2, damping_ratio),
    )


def with_springs(
    model: ShearModel, fy_n: NDArray[np.float64], hardening: NDArray[np.float64]
) -> ShearModel:
    """Copy of ``model`` with new yield forces and hardening ratios (batch cross-checks)."""
    return ShearModel(
        model.id,
        model.masses_kg,
        model.k0_n_m,
        np.asarray(fy_n, dtype=float),
        np.asarray(hardening, dtype=float),
        model.heights_m,
        model.isolated,
        model.rayleigh,
    )
