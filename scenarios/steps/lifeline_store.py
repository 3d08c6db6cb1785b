"""Arrays and repair tasks the lifelines step leaves in the run directory (layout in
docs/scenarios/run-chain.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from scenarios.pipeline import RunContext
from scenarios.steps.lifeline_links import link_arrays
from scenarios.steps.lifeline_town import LifelineTown
from scenarios.steps.repairs import task_to_json

CRITICAL_KINDS = ("hospital", "shelter", "fire_station", "command_centre")


def save_results(
    ctx: RunContext,
    town: LifelineTown,
    rows: list[dict[str, Any]],
    damages: list[Any],
    crews: dict[str, Any],
    facility_served: Callable[..., dict[str, np.ndarray]],
) -> None:
    """Write lifelines.npz, fire.npz, chemical.npz and repairs.json."""
    ids = town.building_ids
    service: dict[str, np.ndarray] = {}
    for system in ("water", "gas", "power"):
        if rows and system in rows[0]["day0"].served:
            for day in ("day0", "day3"):
                service[f"{system}_served_{day}"] = np.array(
                    [row[day].served[system] for row in rows]
                )
    for kind in ("water", "gas"):
        pipes = [d.pipes[kind] for d in damages if kind in d.pipes]
        if pipes:
            service[f"{kind}_pipe_key"] = np.array(pipes[0].keys)
            service[f"{kind}_pipe_leaks"] = np.array([p.leaks for p in pipes], dtype=np.int32)
            service[f"{kind}_pipe_breaks"] = np.array([p.breaks for p in pipes], dtype=np.int32)
    if "road" in town.nets:
        keys = [k.key for k in town.nets["road"].record.links]
        service["road_link_key"] = np.array(keys)
        service["road_blocked_day0"] = np.array(
            [np.isin(keys, row["day0"].blocked) for row in rows]
        )
        service["road_slowed_day0"] = np.array([np.isin(keys, row["day0"].slowed) for row in rows])
    service.update(link_arrays(town, [row["day0"] for row in rows], damages))
    sites = [f for f in town.facilities if f.kind in CRITICAL_KINDS]
    index = {int(b): k for k, b in enumerate(ids)}
    points = np.array([(f.x_m, f.y_m) for f in sites]).reshape(-1, 2)
    ok = (
        [
            np.all(
                np.array(
                    list(facility_served(town, row["day3"], points).values())
                    or [np.ones(len(sites), bool)]
                ),
                axis=0,
            )
            for row in rows
        ]
        if sites
        else []
    )
    ctx.save_arrays(
        "lifelines",
        building_id=ids,
        **service,
        residents=town.arrays.population_night,
        building_serves=np.array(building_serves(town), dtype=str),
        facility_id=np.array([f.id for f in sites], dtype=str),
        facility_building_index=np.array(
            [index.get(f.building or -1, -1) for f in sites], dtype=np.int64
        ),
        facility_network_served_day3=np.array(ok, dtype=bool).reshape(len(rows), len(sites)),
    )
    _save_fire(ctx, ids, rows)
    chems = [row["chemical"] for row in rows]
    ctx.save_arrays(
        "chemical",
        building_id=ids,
        level=np.array([c.level for c in chems], dtype=np.int8),
        ppm=np.array([c.ppm for c in chems], dtype=np.float32),
        arrival_s=np.array([c.arrival_s for c in chems]),
    )
    ctx.save_json(
        "repairs",
        {
            "crews": {k: [p.crews, p.mobilisation_days] for k, p in sorted(crews.items())},
            "totals": _totals(town),
            "sets": [[task_to_json(t) for t in row["tasks"]] for row in rows],
            "notes": town.notes + [p for c in chems for p in c.problems],
        },
    )


def building_serves(town: LifelineTown) -> list[str]:
    """Restoration class of each building: the facility it houses, else housing or other."""
    index = {int(b): k for k, b in enumerate(town.building_ids)}
    out = ["housing" if b.occupancy.upper().startswith("RES") else "other" for b in town.states]
    for f in sorted(town.facilities, key=lambda f: f.kind != "hospital"):
        k = index.get(f.building or -1)
        if k is not None and f.kind in ("hospital", "shelter") and out[k] != "hospital":
            out[k] = f.kind
    return out


def _save_fire(ctx: RunContext, ids: np.ndarray, rows: list[dict[str, Any]]) -> None:
    fires = [row["fire"] for row in rows]
    times = fires[0].step_times_s if fires else np.zeros(0)
    ign = np.array([f.ignition_s for f in fires]).reshape(len(fires), len(ids))
    end = np.array([f.end_s for f in fires]).reshape(len(fires), len(ids))
    t = times[None, :, None]
    state = np.where((ign[:, None, :] <= t) & (end[:, None, :] > t), 1, 0)
    state = np.where(end[:, None, :] <= t, 2, state).astype(np.int8)
    ctx.save_arrays(
        "fire",
        building_id=ids,
        times_s=times,
        state=state,
        ignition_s=ign,
        end_s=end,
        power_served=np.array([f.power_served for f in fires]),
        water_served=np.array([f.water_served for f in fires]),
        hydrant_water=np.array([f.hydrant_water for f in fires]),
        burning=np.array([f.burning for f in fires]),
        burnt=np.array([f.burnt for f in fires]),
    )


def _totals(town: LifelineTown) -> dict[str, float]:
    totals = {"buildings": float(max(town.arrays.population_night.sum(), 1.0))}
    if town.wn is not None:
        totals["water"] = totals["buildings"]
    for kind in ("gas", "power"):
        if kind in town.nets:
            totals[kind] = float(len(town.states))
    if "road" in town.nets:
        totals["roads"] = float(sum(k.length_m for k in town.nets["road"].record.links)) or 1.0
    return totals
