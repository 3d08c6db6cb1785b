"""Ground motions for time histories: a record library or seeded stochastic motions, scaled to
each building's site Sa(T1).

Target spectrum at a site (Hazus standard shape, FEMA Hazus Technical Manual ch. 4): the
short-period plateau SA(0.3 s) up to T_AV = SA(1.0) / SA(0.3), then SA(1.0) / T. A motion is
scaled so its 5 %-damped PSA at the building's T1 equals the target, the factor clipped to
``SCALE_LIMITS`` (0.25-4, as ``hazard.selection``); where clipped, the motion under- or overshoots
the target and the achieved Sa is recorded. Library records are chosen per building and
realisation by the log-spectral misfit at 0.3 s, 1.0 s and T1 after scaling (Baker 2011, as
``hazard.selection.select_records``, anchored at T1), never repeating a record for one building.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from structures.engine.hazard.errors import RecordFormatError
from structures.engine.hazard.records import read_record
from structures.engine.hazard.selection import SCALE_LIMITS
from structures.engine.hazard.spectra import DAMPING, _nj_coefficients, sdof_displacement_peaks
from structures.engine.hazard.stochastic import stochastic_motion
from structures.engine.response.inputs import G_M_S2, GroundMotion

F64 = NDArray[np.float64]
#: A scaled motion within this share of the site's Sa(T1) is on target (``off_target``).
SA_TOLERANCE = 0.10
STOCHASTIC_DT_S = 0.01
RECORD_SUFFIXES = (".at2", ".dat", ".txt", ".acc")
_SOURCES_DT = re.compile(r"\bdt\s*=?\s*([0-9]*\.?[0-9]+)\s*s\b", re.I)


@dataclass(frozen=True, slots=True)
class MotionSet:
    """Scaled motions of B buildings x N realisations.

    Attributes
    ----------
    motions : tuple[tuple[GroundMotion, ...], ...]
        ``motions[b][r]``, acceleration in m/s^2.
    source : NDArray[np.str_]
        (B, N) record name or ``stochastic``.
    scale_factor, target_sa_g, achieved_sa_g : NDArray[np.float64]
        (B, N) applied factor, site Sa(T1) and PSA(T1) of the scaled motion (g).
    """

    motions: tuple[tuple[GroundMotion, ...], ...]
    source: NDArray[np.str_]
    scale_factor: F64
    target_sa_g: F64
    achieved_sa_g: F64


def _dt_from_sources(directory: Path, filename: str) -> float | None:
    """The ``dt = X s`` stated in SOURCES.md's section on ``filename`` (header-less files)."""
    sources = directory / "SOURCES.md"
    if not sources.is_file():
        return None
    for section in sources.read_text(encoding="utf-8").split("\n## ")[1:]:
        if section.split("\n", 1)[0].strip() == filename:
            found = _SOURCES_DT.search(section)
            return float(found.group(1)) if found else None
    return None


def load_library(directory: Path) -> tuple[list[GroundMotion], dict[str, str]]:
    """Every readable record in ``directory`` (sorted by name) and the files skipped, with why.

    Header-less single-column files take their time step from ``SOURCES.md`` (the Tabas files:
    dt = 0.02 s).
    """
    motions: list[GroundMotion] = []
    skipped: dict[str, str] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() not in RECORD_SUFFIXES or not path.is_file():
            continue
        try:
            record = read_record(path, _dt_from_sources(directory, path.name))
        except RecordFormatError as exc:
            skipped[path.name] = str(exc)
            continue
        motions.append(GroundMotion(record.dt_s, np.array(record.acceleration_m_s2), path.stem))
    return motions, skipped


def hazus_sa_g(period_s: F64, sa03_g: F64, sa10_g: F64) -> F64:
    """Site Sa(T) (g) of the Hazus standard spectrum shape from SA(0.3 s) and SA(1.0 s)."""
    t = np.asarray(period_s, dtype=float)
    return np.minimum(np.asarray(sa03_g, dtype=float), np.asarray(sa10_g, dtype=float) / t)


def psa_batch_g(acc_m_s2: F64, dt_s: float, periods_s: F64, damping: float = DAMPING) -> F64:
    """PSA (g) of M motions (T, M), each at its own period (M,) (Nigam-Jennings, as spectra)."""
    periods = np.asarray(periods_s, dtype=float)
    a, b, c, d, a1, b1, c1, d1 = _nj_coefficients(2 * np.pi / periods, damping, dt_s)
    p = -np.asarray(acc_m_s2, dtype=float)
    u = np.zeros(periods.size)
    v = np.zeros(periods.size)
    peak = np.zeros(periods.size)
    for i in range(p.shape[0] - 1):
        u, v = a * u + b * v + c * p[i] + d * p[i + 1], a1 * u + b1 * v + c1 * p[i] + d1 * p[i + 1]
        np.maximum(peak, np.abs(u), out=peak)
    return (2 * np.pi / periods) ** 2 * peak / G_M_S2


def _clip(factor: F64) -> F64:
    return np.clip(factor, SCALE_LIMITS[0], SCALE_LIMITS[1])


def library_motions(
    library: Sequence[GroundMotion], period_s: F64, sa03_g: F64, sa10_g: F64
) -> MotionSet:
    """Select and scale library records for B buildings x N realisations.

    ``period_s`` is (B,); ``sa03_g`` and ``sa10_g`` are (N, B) site values from the hazard step.
    Needs at least N records (no record is used twice for one building).
    """
    t1 = np.asarray(period_s, dtype=float)
    n_real, n_b = np.shape(sa03_g)
    if len(library) < n_real:
        raise ValueError(f"the record library has {len(library)} records; {n_real} are needed")
    grid = np.concatenate([[0.3, 1.0], t1])
    spectra = np.stack(
        [
            (2 * np.pi / grid) ** 2 * sdof_displacement_peaks(m.acc_m_s2, m.dt_s, grid) / G_M_S2
            for m in library
        ]
    )  # (J, 2 + B)
    target = hazus_sa_g(t1[None, :], sa03_g, sa10_g)  # (N, B)
    motions, source = [], np.empty((n_b, n_real), dtype="U64")
    factor, achieved = np.ones((n_b, n_real)), np.ones((n_b, n_real))
    for b in range(n_b):
        lib_sa = spectra[:, [0, 1, 2 + b]]  # (J, 3)
        used: set[int] = set()
        row = []
        for r in range(n_real):
            tgt = np.log([sa03_g[r, b], sa10_g[r, b], target[r, b]])
            ln_s = np.log(_clip(target[r, b] / lib_sa[:, 2]))
            misfit = np.sqrt(np.mean((tgt - np.log(lib_sa) - ln_s[:, None]) ** 2, axis=1))
            misfit[list(used)] = np.inf
            j = int(np.argmin(misfit))
            used.add(j)
            factor[b, r] = float(np.exp(ln_s[j]))
            achieved[b, r] = float(lib_sa[j, 2] * factor[b, r])
            source[b, r] = library[j].name
            m = library[j]
            row.append(
                GroundMotion(m.dt_s, m.acc_m_s2 * factor[b, r], f"{m.name} x{factor[b, r]:.4g}")
            )
        motions.append(tuple(row))
    return MotionSet(tuple(motions), source, factor, target.T.copy(), achieved)


def stochastic_motions(
    magnitude: float,
    r_hypo_km: F64,
    period_s: F64,
    sa03_g: F64,
    sa10_g: F64,
    *,
    seed: int,
    building_index: NDArray[np.int64] | None = None,
) -> MotionSet:
    """Boore (2003) stochastic motions for B buildings x N realisations, scaled to Sa(T1).

    Motion (b, r) is seeded by ``SeedSequence([seed, building_index[b], r])`` (``building_index``
    defaults to 0..B-1) so it does not depend on the order of generation or on the other
    buildings: the motions of a subset of a town's buildings are those of the whole town.
    """
    t1 = np.asarray(period_s, dtype=float)
    n_real, n_b = np.shape(sa03_g)
    index = np.arange(n_b) if building_index is None else np.asarray(building_index)
    target = hazus_sa_g(t1[None, :], sa03_g, sa10_g).T  # (B, N)
    raw = [
        [
            stochastic_motion(
                magnitude,
                float(r_hypo_km[b]),
                dt_s=STOCHASTIC_DT_S,
                seed=int(np.random.SeedSequence([seed, int(index[b]), r]).generate_state(1)[0]),
            )
            for r in range(n_real)
        ]
        for b in range(n_b)
    ]
    flat = [a for row in raw for a in row]
    stack = np.zeros((max(a.size for a in flat), len(flat)))
    for k, a in enumerate(flat):
        stack[: a.size, k] = a
    psa = psa_batch_g(stack, STOCHASTIC_DT_S, np.repeat(t1, n_real)).reshape(n_b, n_real)
    factor = _clip(target / psa)
    motions = tuple(
        tuple(
            GroundMotion(
                STOCHASTIC_DT_S, raw[b][r] * factor[b, r], f"stochastic x{factor[b, r]:.4g}"
            )
            for r in range(n_real)
        )
        for b in range(n_b)
    )
    source = np.full((n_b, n_real), "stochastic", dtype="U64")
    return MotionSet(motions, source, factor, target, psa * factor)


def off_target(motions: MotionSet, tolerance: float = SA_TOLERANCE) -> NDArray[np.bool_]:
    """(B, N) True where the scaled motion misses the site's Sa(T1) by more than ``tolerance``
    (relative): its scale factor hit ``SCALE_LIMITS``."""
    return np.abs(np.log(motions.achieved_sa_g / motions.target_sa_g)) > np.log1p(tolerance)


def replace_motions(
    primary: MotionSet, fallback: MotionSet, rows: NDArray[np.int64], take: NDArray[np.bool_]
) -> MotionSet:
    """``primary`` with motion (rows[k], r) replaced by ``fallback``'s (k, r) where ``take[k, r]``.

    ``fallback`` holds the motions of the buildings ``rows`` of ``primary`` (same realisations).
    """
    motions = [list(row) for row in primary.motions]
    arrays = {
        name: getattr(primary, name).copy()
        for name in ("source", "scale_factor", "target_sa_g", "achieved_sa_g")
    }
    for k, r in zip(*np.nonzero(take), strict=True):
        b = int(rows[k])
        motions[b][r] = fallback.motions[k][r]
        for name, values in arrays.items():
            values[b, r] = getattr(fallback, name)[k, r]
    return MotionSet(tuple(tuple(row) for row in motions), **arrays)
