"""Chunked, resumable fan-out of time histories; motions for them (no database)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from structures import execution
from structures.engine.hazard.stochastic import (
    effective_distance_km,
    fourier_amplitude,
    stochastic_motion,
)
from structures.engine.response import BuildingModelInput, GroundMotion
from structures.engine.response.motions import hazus_sa_g, psa_batch_g, stochastic_motions

TYPES = ("C1L", "S1M", "W1", "RM1L")


def buildings(n: int) -> list[BuildingModelInput]:
    return [
        BuildingModelInput(
            f"b{i}", TYPES[i % 4], (3.0,) * (2 + i % 4), (4e5,) * (2 + i % 4), design_level="MC"
        )
        for i in range(n)
    ]


def motions(n: int, per: int = 2, seconds: float = 6.0) -> list[list[GroundMotion]]:
    return [
        [
            GroundMotion(
                0.01, 3.0 * stochastic_motion(6.5, 15.0, seed=10 * i + r), f"m{i}-{r}"
            ).truncated(seconds)
            for r in range(per)
        ]
        for i in range(n)
    ]


def same(a: dict, b: dict) -> bool:  # type: ignore[type-arg]
    keys = set(a) - {"chunks_computed"}
    return keys == set(b) - {"chunks_computed"} and all(
        np.array_equal(a[k], b[k], equal_nan=a[k].dtype.kind == "f") for k in keys
    )


def test_one_and_two_local_workers_and_in_process_give_identical_arrays(tmp_path: Path) -> None:
    bs, ms = buildings(6), motions(6)
    serial = execution.analyse_buildings(
        bs, ms, directory=tmp_path / "a", chunk_size=2, scheduler="inprocess"
    )
    assert serial["ok"].all() and serial["chunks_computed"] == 3
    with execution.dask_client(n_workers=1) as one:
        in_one = execution.run_tasks(
            execution.make_tasks(bs, ms, chunk_size=2),
            directory=tmp_path / "b",
            step="s",
            scheduler=one.scheduler.address,
        )[0]
    with execution.dask_client(n_workers=2) as two:
        in_two = execution.run_tasks(
            execution.make_tasks(bs, ms, chunk_size=2),
            directory=tmp_path / "c",
            step="s",
            scheduler=two.scheduler.address,
        )[0]
    for k in range(3):
        assert same(in_one[k], in_two[k])
    merged = {key: np.concatenate([p[key] for p in in_two]) for key in in_two[0]}
    assert same(serial, merged)


def test_an_interrupted_run_resumes_without_redoing_finished_chunks(tmp_path: Path) -> None:
    bs, ms = buildings(5), motions(5)
    reference = execution.analyse_buildings(
        bs, ms, directory=tmp_path / "ref", chunk_size=2, scheduler="inprocess"
    )

    def interrupt(fraction: float, message: str) -> None:
        raise KeyboardInterrupt(message)  # the worker dies after the first chunk is stored

    with pytest.raises(KeyboardInterrupt):
        execution.analyse_buildings(
            bs, ms, directory=tmp_path, chunk_size=2, scheduler="inprocess", progress=interrupt
        )
    first = execution.chunk_path(tmp_path, "buildings", 0)
    stamp = first.stat().st_mtime_ns
    resumed = execution.analyse_buildings(
        bs, ms, directory=tmp_path, chunk_size=2, scheduler="inprocess"
    )
    assert resumed["chunks_computed"] == 2 and first.stat().st_mtime_ns == stamp
    assert same(resumed, reference)
    changed = [list(row) for row in ms]
    changed[0][0] = GroundMotion(0.01, 2.0 * ms[0][0].acc_m_s2, "stronger")
    again = execution.analyse_buildings(
        bs, changed, directory=tmp_path, chunk_size=2, scheduler="inprocess"
    )
    assert again["chunks_computed"] == 1  # a stale chunk (other inputs) is recomputed


def test_the_batch_solver_path_agrees_with_opensees_and_cross_checks(tmp_path: Path) -> None:
    bs, ms = buildings(4), motions(4)
    ops = execution.analyse_buildings(
        bs, ms, directory=tmp_path / "o", solver="opensees", scheduler="inprocess"
    )
    batch = execution.analyse_buildings(
        bs, ms, directory=tmp_path / "b", solver="batch", scheduler="inprocess"
    )
    assert (batch["solver"] == 1).all() and (ops["solver"] == 0).all()
    np.testing.assert_allclose(batch["peak_drift_ratio"], ops["peak_drift_ratio"], rtol=1e-6)
    assert batch["crosscheck_rel_diff"][0] < 1e-6


def test_a_bad_building_or_diverging_motion_is_reported_not_raised(tmp_path: Path) -> None:
    bs, ms = buildings(3), motions(3)
    bs[1] = BuildingModelInput("bad", "C1L", (3.0, -1.0), (4e5, 4e5), design_level="MC")
    broken = np.full(200, np.nan)
    ms[2][1] = GroundMotion(0.01, broken, "nan record")
    out = execution.analyse_buildings(bs, ms, directory=tmp_path, scheduler="inprocess")
    assert out["ok"][0].all() and not out["ok"][1].any() and not out["ok"][2].all()
    assert "storey heights" in out["reason"][1] and "nan record" in out["reason"][2]


def test_stochastic_motions_follow_the_target_spectrum_and_are_seeded() -> None:
    m, r, dt = 6.5, 20.0, 0.01
    ratios = []
    for seed in range(40):
        acc = stochastic_motion(m, r, dt_s=dt, seed=seed)
        f = np.fft.rfftfreq(acc.size, dt)[1:]
        fas = np.abs(np.fft.rfft(acc))[1:] * dt
        ratios.append(fas / fourier_amplitude(f, m, effective_distance_km(m, r)))
    rms = np.sqrt(np.mean(np.square(ratios), axis=0))
    band = (f > 0.5) & (f < 25.0)
    assert abs(np.log(rms[band]).mean()) < 0.05  # mean-square FAS matches the target
    a = stochastic_motion(m, r, seed=3)
    assert np.array_equal(a, stochastic_motion(m, r, seed=3))
    assert not np.array_equal(a, stochastic_motion(m, r, seed=4))
    assert 0.05 < np.abs(a).max() / 9.80665 < 0.5  # a plausible PGA (g) for M 6.5 at 20 km


def test_motions_are_scaled_to_site_sa_at_t1_with_capped_factors() -> None:
    period = np.array([0.4, 1.2])
    sa03, sa10 = np.array([[0.6, 0.5], [0.3, 0.2]]), np.array([[0.3, 0.25], [0.1, 0.08]])
    made = stochastic_motions(6.5, np.array([10.0, 20.0]), period, sa03, sa10, seed=1)
    target = hazus_sa_g(period[None, :], sa03, sa10).T
    np.testing.assert_allclose(made.target_sa_g, target)
    inside = (made.scale_factor > 0.25) & (made.scale_factor < 4.0)
    np.testing.assert_allclose(made.achieved_sa_g[inside], target[inside], rtol=1e-9)
    acc = made.motions[1][0].acc_m_s2
    achieved = psa_batch_g(acc[:, None], 0.01, period[1:])[0]
    assert achieved == pytest.approx(made.achieved_sa_g[1, 0], rel=1e-9)


def test_weak_sites_get_a_stochastic_motion_where_no_record_scales_down_far_enough() -> None:
    """El Centro scaled by the smallest factor (0.25) still overshoots a weak site's Sa(T1)
    (0.024 g) several times; that pair takes the building's stochastic motion (on target), the strong site keeps
    the record, and a subset's stochastic motions equal the whole town's."""
    from structures.engine.hazard.records import read_record
    from structures.engine.response.motions import (
        library_motions,
        off_target,
        replace_motions,
    )

    record = read_record(execution.SHARED_RECORDS / "elCentro_1940_NS_Peknold_OpenSees.at2")
    library = [GroundMotion(record.dt_s, np.asarray(record.acceleration_m_s2), "el centro")]
    period = np.array([0.5, 0.5])
    sa03, sa10 = np.array([[0.03, 0.8]]), np.array([[0.012, 0.4]])
    chosen = library_motions(library, period, sa03, sa10)
    missed = off_target(chosen)
    assert missed.tolist() == [[True], [False]]
    assert chosen.target_sa_g[0, 0] == pytest.approx(0.024)
    assert chosen.scale_factor[0, 0] == 0.25 and chosen.achieved_sa_g[0, 0] > 3 * 0.024
    rows = np.flatnonzero(missed.any(axis=1))
    whole = stochastic_motions(6.0, np.array([60.0, 60.0]), period, sa03, sa10, seed=9)
    part = stochastic_motions(
        6.0,
        np.array([60.0]),
        period[rows],
        sa03[:, rows],
        sa10[:, rows],
        seed=9,
        building_index=rows,
    )
    assert np.array_equal(part.motions[0][0].acc_m_s2, whole.motions[0][0].acc_m_s2)
    assert not off_target(part)[0, 0]
    mixed = replace_motions(chosen, part, rows, np.array([[True]]))
    assert mixed.source.tolist() == [["stochastic"], ["el centro"]]
    assert mixed.motions[0][0] is part.motions[0][0] and mixed.motions[1][0] is chosen.motions[1][0]
    assert mixed.achieved_sa_g[0, 0] == pytest.approx(
        0.005 * 2.5 if False else mixed.target_sa_g[0, 0]
    )
    assert not off_target(mixed).any()
