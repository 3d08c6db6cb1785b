"""Compiled batch kernel: agreement with the original numpy formulation, per-system independence,
non-convergence flags that match OpenSees' Newton, and input errors."""

from __future__ import annotations

from collections import defaultdict

import numba.core.caching
import numpy as np
import pytest

from structures.engine.response import GroundMotion, run_batch, run_time_history
from structures.engine.response import shear_model_from_building as build
from structures.engine.response.batch import pack_motions
from structures.engine.response.batch_kernel import _compiled, steel01
from structures.engine.response.inputs import G_M_S2
from structures.engine.response.shear_model import ShearModel
from tests.structures.engine.response.batch_reference import reference_pairs
from tests.structures.engine.response.test_response import make

# Both formulations stop each step at ||du|| < 1e-10 m, the reference after extra lockstep
# iterations, so converged peaks differ by rounding-level amounts (measured 1.5e-13).
FORMULATION_RTOL = 1e-9


def varied_pairs(records: list[GroundMotion], count: int) -> tuple[list[ShearModel], list]:  # type: ignore[type-arg]
    """``count`` buildings (1-4 storeys, every 10th isolated), each with a 6 s scaled window of a
    record (time steps 0.01 and 0.02 s)."""
    rng = np.random.default_rng(7)
    models = [build(make(i, rng)) for i in range(count)]
    motions = []
    for k in range(count):
        rec = records[k % len(records)]
        start = int(rng.integers(0, rec.acc_m_s2.size // 3))
        acc = rec.acc_m_s2[start : start + int(6.0 / rec.dt_s) + 1] * rng.uniform(1.0, 3.0)
        motions.append(GroundMotion(rec.dt_s, acc, f"{rec.name}@{start}"))
    return models, motions


def test_kernel_reproduces_the_original_numpy_formulation(records: list[GroundMotion]) -> None:
    models, motions = varied_pairs(records, 60)
    batch = run_batch(models, motions, [(k, k) for k in range(60)])
    groups: dict[tuple[int, float], list[int]] = defaultdict(list)
    for k, (x, g) in enumerate(zip(models, motions, strict=True)):
        groups[(x.n_dof, g.dt_s)].append(k)
    assert len(groups) >= 8  # mixed DOF counts and time steps in one kernel call
    yielded = 0
    for members in groups.values():
        peak_d, peak_a, final, ok = reference_pairs(
            [models[k] for k in members], [motions[k] for k in members]
        )
        assert ok.all() and batch.converged[members].all()
        for row, k in enumerate(members):
            x = models[k]
            s, n = int(x.isolated), x.n_storeys
            h = x.heights_m[s:]
            np.testing.assert_allclose(
                batch.peak_drift_ratio[k, :n], peak_d[row, s:] / h, rtol=FORMULATION_RTOL
            )
            np.testing.assert_allclose(
                batch.peak_floor_acc_m_s2[k, :n], peak_a[row, s:], rtol=FORMULATION_RTOL
            )
            residual = np.diff(np.concatenate([[0.0], final[row]]))[s:] / h
            np.testing.assert_allclose(
                batch.residual_drift_ratio[k, :n],
                residual,
                rtol=0,
                atol=FORMULATION_RTOL * batch.peak_drift_ratio[k, :n].max(),
            )
            if x.isolated:
                assert batch.peak_isolator_disp_m[k] == pytest.approx(peak_d[row, 0], rel=1e-9)
            else:
                assert np.isnan(batch.peak_isolator_disp_m[k])
            yielded += int(np.any(peak_d[row] * x.k0_n_m > x.fy_n))
    assert yielded >= 50  # the comparison covers the nonlinear branch, not only elastic response


def test_results_do_not_depend_on_which_systems_share_a_kernel_call(
    records: list[GroundMotion],
) -> None:
    models, motions = varied_pairs(records, 24)
    pairs = [(k, k) for k in range(24)]
    together = run_batch(models, motions, pairs)
    in_threes = run_batch(models, motions, pairs, chunk=3)
    alone = [run_batch([models[k]], [motions[k]]) for k in range(24)]
    for field in ("peak_drift_ratio", "peak_floor_acc_m_s2", "residual_drift_ratio"):
        a, b = getattr(together, field), getattr(in_threes, field)
        np.testing.assert_array_equal(a, b)
        for k, single in enumerate(alone):
            n = models[k].n_storeys
            np.testing.assert_array_equal(a[k, :n], getattr(single, field)[0, :n])
    assert together.converged.all()


def stiff_weak_oscillator(period_s: float) -> ShearModel:
    """Single storey, 2.5 t, yield at 0.05 g, post-yield ratio 0.003, 5 % Rayleigh damping."""
    mass, w = 2500.0, 2 * np.pi / period_s
    return ShearModel(
        f"sdof-T{period_s}",
        np.array([mass]),
        np.array([mass * w * w]),
        np.array([0.05 * mass * G_M_S2]),
        np.array([0.003]),
        np.array([3.0]),
        False,
        (0.05 * w, 0.05 / w),
    )


def test_non_convergence_is_flagged_where_opensees_newton_also_fails(
    el_centro: GroundMotion,
) -> None:
    """A yielding oscillator with a period of only two time steps (0.04 s at dt 0.02 s) makes full
    Newton cycle between the yield branches: 50 iterations are not enough, in OpenSees too."""
    stiff, regular = stiff_weak_oscillator(0.04), stiff_weak_oscillator(0.3)
    batch = run_batch([stiff, regular], [el_centro])
    assert batch.converged.tolist() == [False, True]
    assert np.isfinite(batch.peak_drift_ratio).all()  # a Newton cycle, not an overflow
    assert run_time_history(stiff, el_centro, log_path="/dev/null").strategy != "Newton"
    ops_regular = run_time_history(regular, el_centro, log_path="/dev/null")
    assert ops_regular.strategy == "Newton"
    assert batch.peak_drift_ratio[1, 0] == pytest.approx(ops_regular.peak_drift_ratio[0], rel=1e-8)
    assert batch.peak_drift_ratio[1, 0] * 3.0 > regular.fy_n[0] / regular.k0_n_m[0]  # yielded


def test_default_pairs_are_every_model_with_every_motion(el_centro: GroundMotion) -> None:
    short = el_centro.truncated(3.0)
    models = [stiff_weak_oscillator(t) for t in (0.2, 0.5)]
    motions = [short, GroundMotion(short.dt_s, short.acc_m_s2 * 2.0, "x2")]
    batch = run_batch(models, motions)
    assert batch.building_index.tolist() == [0, 0, 1, 1]
    assert batch.motion_index.tolist() == [0, 1, 0, 1]
    single = run_batch([models[1]], [motions[1]])
    assert batch.peak_drift_ratio[3, 0] == single.peak_drift_ratio[0, 0]


def test_a_pair_outside_the_inputs_is_refused_with_its_position(el_centro: GroundMotion) -> None:
    model = stiff_weak_oscillator(0.3)
    with pytest.raises(ValueError, match=r"pair 1 = \(0, 2\).*1 models and 1 motions"):
        run_batch([model], [el_centro], [(0, 0), (0, 2)])
    with pytest.raises(ValueError, match="chunk must be >= 1"):
        run_batch([model], [el_centro], chunk=0)


def test_no_pairs_give_empty_results() -> None:
    batch = run_batch([], [])
    assert batch.peak_drift_ratio.shape == (0, 0) and batch.converged.size == 0


def test_the_kernel_compiles_without_a_writable_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no cache location numba refuses ``cache=True``; the kernel then compiles uncached."""
    monkeypatch.setattr(numba.core.caching.CacheImpl, "_locator_classes", [])
    monkeypatch.setattr(numba.core.config, "CACHE_LOCATOR_CLASSES", "")
    with pytest.raises(RuntimeError, match="no locator available"):
        numba.njit(cache=True)(steel01.py_func)  # type: ignore[attr-defined]
    uncached = _compiled(steel01.py_func)  # type: ignore[attr-defined]
    assert type(uncached._cache).__name__ == "NullCache"
    # 1 mm on k0 = 1 MN/m, b = 0.01, fy = 500 N: clipped to b k0 d + (1 - b) fy, tangent b k0
    assert uncached(1e-3, 0.0, 0.0, 1e6, 1e6, 1e4, 495.0) == (505.0, 1e4)
    assert uncached(1e-4, 0.0, 0.0, 1e6, 1e6, 1e4, 495.0) == (100.0, 1e6)


def test_a_record_shared_by_many_pairs_is_stored_once(el_centro: GroundMotion) -> None:
    short = el_centro.truncated(2.0)
    other = GroundMotion(0.01, np.linspace(0.0, 1.0, 7), "ramp")
    packed = pack_motions([short, other, short, short])
    assert packed.row_of.tolist() == [0, 1, 0, 0]
    assert packed.ag.size == short.acc_m_s2.size + 7 and packed.start.tolist() == [0, 101]
    assert packed.n_steps.tolist() == [100, 6] and packed.dt.tolist() == [0.02, 0.01]
