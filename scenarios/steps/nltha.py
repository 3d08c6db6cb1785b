"""The NLTHA branch of the buildings step: OpenSees time histories of every building.

For each building and the first ``n`` realisations of the hazard (``n`` = the scenario option
``nltha_realisations``, default ``N_NLTHA``), a motion (record library or Boore 2003 stochastic
motion) is scaled to the site's Sa(T1) and run through the building's MDOF shear model on the Dask
fan-out (``structures.execution``); storey peaks become damage states through ``response_losses``.
Realisations beyond ``n`` and buildings whose analysis failed keep the fragility result (recorded
in ``nltha-failures.json``); counts and wall time of the analyses go to ``nltha-stats.json``.
docs/structures/execution.md.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from scenarios.models import Scenario
from scenarios.pipeline import RunContext, StepFailed
from structures import execution
from structures.engine.response import (
    BuildingModelInput,
    LossRealisations,
    StructuralModelError,
    model_script,
    response_losses,
    shear_model_from_building,
)
from structures.engine.response import chunk as chunk_solver
from structures.engine.response.losses import building_casualties
from structures.engine.response.motions import (
    MotionSet,
    library_motions,
    load_library,
    off_target,
    replace_motions,
    stochastic_motions,
)
from structures.engine.response.shear_model import ShearModel, chain_modes
from structures.engine.response.time_history import ResponseResult
from structures.selectors import TownBuildings

N_NLTHA = 5
#: Scenario option: time-history realisations per building (``N_NLTHA`` when absent).
REALISATIONS_OPTION = "nltha_realisations"
FALLBACK_PERIOD_S = 1.0  # only to scale a motion for a building whose model fails anyway
EARTH_RADIUS_KM = 6371.0


def nltha_losses(
    ctx: RunContext,
    town: TownBuildings,
    hazard: dict,
    fragility: LossRealisations,  # type: ignore[type-arg]
) -> LossRealisations:
    """``fragility`` with the first ``n`` realisations of analysed buildings replaced.

    ``n`` is ``nltha_realisations(scenario)`` capped at the scenario's hazard realisations.
    """
    n = min(int(hazard["building_pga_g"].shape[0]), nltha_realisations(ctx.scenario))
    if not town.inputs:
        raise StepFailed("the town has no buildings to analyse: import or build them first")
    models = [_model(b) for b in town.inputs]
    period = np.array([_period_s(m) for m in models])
    motions = _motions(ctx, hazard, period, n)
    ctx.progress(0.1, f"{len(models)} buildings x {n} motions ({motions.source[0, 0]})")
    started = time.perf_counter()
    arrays = execution.analyse_buildings(
        town.inputs,
        motions.motions,
        directory=ctx.directory,
        step="buildings",
        progress=lambda f, msg: ctx.progress(0.1 + 0.8 * f, msg),
    )
    seconds = time.perf_counter() - started
    analysed = arrays["ok"].all(axis=1) & (arrays["reason"] == "")
    _write_scripts(ctx, models, motions)
    losses = _combine(ctx, town.inputs, arrays, analysed, fragility, n)
    ctx.save_arrays(
        "nltha",
        building_id=np.asarray(town.ids),
        period_s=period,
        analysed=analysed,
        peak_drift_ratio=arrays["peak_drift_ratio"],
        peak_floor_acc_m_s2=arrays["peak_floor_acc_m_s2"],
        residual_drift_ratio=arrays["residual_drift_ratio"],
        solver=arrays["solver"],
        motion_source=motions.source,
        scale_factor=motions.scale_factor,
        target_sa_g=motions.target_sa_g,
        achieved_sa_g=motions.achieved_sa_g,
        crosscheck_rel_diff=arrays["crosscheck_rel_diff"],
    )
    failures = {
        b.id: str(reason)
        for b, reason, ok in zip(town.inputs, arrays["reason"], analysed, strict=True)
        if not ok
    }
    ctx.save_json("nltha-failures", failures)
    ctx.save_json("nltha-stats", analysis_stats(arrays, n, seconds))
    return losses


def nltha_realisations(scenario: Scenario) -> int:
    """Time-history realisations per building asked by the scenario (``N_NLTHA`` by default).

    Raises
    ------
    StepFailed
        The option is not a whole number of at least 1 (the message names the option).
    """
    value = (scenario.options or {}).get(REALISATIONS_OPTION, N_NLTHA)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise StepFailed(
            f"scenario option {REALISATIONS_OPTION} must be a whole number of at least 1 "
            f"(time histories per building), got {value!r}"
        )
    return value


def analysis_stats(arrays: dict, n: int, seconds: float) -> dict[str, float]:  # type: ignore[type-arg]
    """Counts and wall time of a run's time histories (``nltha-stats.json``).

    ``analyses_opensees`` / ``analyses_batch`` count the building-motion pairs each solver
    completed; ``seconds`` is the wall time of the fan-out (s), ``chunks_computed`` how many
    chunks were computed rather than loaded from an earlier attempt of the run.
    """
    solver, ok = arrays["solver"], arrays["ok"]
    return {
        "realisations": float(n),
        "buildings": float(ok.shape[0]),
        "analyses_opensees": float((ok & (solver == chunk_solver.OPENSEES)).sum()),
        "analyses_batch": float((ok & (solver == chunk_solver.BATCH)).sum()),
        "seconds": float(seconds),
        "chunks_computed": float(arrays["chunks_computed"]),
    }


def _model(b: BuildingModelInput) -> ShearModel | None:
    """The building's shear model; None when it cannot be built (the worker reports why)."""
    try:
        return shear_model_from_building(b)
    except StructuralModelError:
        return None


def _period_s(model: ShearModel | None) -> float:
    """Fundamental period (s) of the model's initial stiffness (its modal analysis)."""
    if model is None:
        return FALLBACK_PERIOD_S
    w2, _ = chain_modes(model.k0_n_m, model.masses_kg)
    return float(2.0 * np.pi / np.sqrt(w2[0]))


def _motions(ctx: RunContext, hazard: dict, period: NDArray[np.float64], n: int) -> MotionSet:  # type: ignore[type-arg]
    sa03, sa10 = hazard["building_sa03_g"][:n], hazard["building_sa10_g"][:n]
    try:
        folder = execution.records_directory()
    except FileNotFoundError as exc:
        raise StepFailed(str(exc)) from exc
    scenario = ctx.scenario
    b = period.size
    r_km = _epicentral_km(
        hazard["lon"][:b], hazard["lat"][:b], scenario.epicentre.x, scenario.epicentre.y
    )
    r_km = np.hypot(r_km, scenario.depth_km)

    def stochastic(rows: NDArray[np.int64]) -> MotionSet:
        return stochastic_motions(
            scenario.magnitude,
            r_km[rows],
            period[rows],
            sa03[:, rows],
            sa10[:, rows],
            seed=ctx.seed_for("motions"),
            building_index=rows,
        )

    if folder is not None:
        library, _ = load_library(folder)
        if len(library) >= n:
            return _library_or_stochastic(library_motions(library, period, sa03, sa10), stochastic)
    return stochastic(np.arange(b))


def _library_or_stochastic(
    chosen: MotionSet, stochastic: Callable[[NDArray[np.int64]], MotionSet]
) -> MotionSet:
    """Library motions, except where no record scales to the site's Sa(T1) within the scale
    limits (weak sites: the records are strong) and the building's stochastic motion comes
    closer: that pair gets the stochastic motion."""
    missed = off_target(chosen)
    rows = np.flatnonzero(missed.any(axis=1))
    if rows.size == 0:
        return chosen
    fallback = stochastic(rows)
    miss = lambda m: np.abs(np.log(m.achieved_sa_g / m.target_sa_g))  # noqa: E731
    take = missed[rows] & (miss(fallback) < miss(chosen)[rows])
    return replace_motions(chosen, fallback, rows, take)


def _epicentral_km(
    lon: NDArray[np.float64], lat: NDArray[np.float64], lon0: float, lat0: float
) -> NDArray[np.float64]:
    """Great-circle (haversine) epicentral distance (km)."""
    p1, p2 = np.radians(lat), np.radians(lat0)
    dl = np.radians(lon - lon0)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def script_name(global_id: str) -> str:
    """File name of a building's model script (characters outside [A-Za-z0-9_-] become '_')."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", global_id) + ".py"


def _write_scripts(ctx: RunContext, models: list[ShearModel | None], motions: MotionSet) -> None:
    """``<run dir>/models/<global id>.py``: the model under its first motion, standalone."""
    folder = ctx.directory / "models"
    folder.mkdir(exist_ok=True)
    for model, row in zip(models, motions.motions, strict=True):
        if model is not None:
            (folder / script_name(model.id)).write_text(model_script(model, row[0]))


def _combine(
    ctx: RunContext,
    buildings: list[BuildingModelInput],
    arrays: dict,  # type: ignore[type-arg]
    analysed: NDArray[np.bool_],
    fragility: LossRealisations,
    n: int,
) -> LossRealisations:
    ds = fragility.damage_state.copy()
    cost, time = fragility.repair_cost_ratio.copy(), fragility.repair_time_d.copy()
    injury, death = fragility.injury_rate.copy(), fragility.death_rate.copy()
    base = ctx.seed_for("buildings-nltha")
    for i in np.flatnonzero(analysed):
        b = buildings[i]
        k = b.storeys
        results = [
            ResponseResult(
                b.id,
                str(r),
                arrays["peak_drift_ratio"][i, r, :k],
                arrays["peak_floor_acc_m_s2"][i, r, :k],
                arrays["residual_drift_ratio"][i, r, :k],
                None,
                "",
            )
            for r in range(n)
        ]
        seed = int(np.random.SeedSequence([base, int(i)]).generate_state(1)[0])
        one = response_losses(b, results, n_samples=1, seed=seed)
        ds[i, :n], cost[i, :n], time[i, :n] = (
            one.damage_state[0],
            one.repair_cost_ratio[0],
            one.repair_time_d[0],
        )
        injury[i, :n], death[i, :n] = one.injury_rate[0], one.death_rate[0]
    return LossRealisations(ds, cost, time, injury, death, building_casualties(buildings, ds))
