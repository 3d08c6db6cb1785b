"""Buildings step: damage, losses and casualties of every building; GB/T 38591 star ratings."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scenarios.pipeline import RunContext
from scenarios.steps.nltha import nltha_losses
from structures import selectors as structure_selectors
from structures.engine.response import (
    fragility_losses,
    indicators_at_guarantee,
    rate_building,
)
from structures.engine.response.losses import TIMES_OF_DAY
from structures.engine.response.rating import INDICATORS

# GB 50011-2010 table 5.1.2-2: peak ground acceleration for time-history analysis (cm/s²) at the
# design-basis (设防) and rare (罕遇) earthquake levels, by fortification intensity.
CODE_PGA_GAL = {
    6.0: (50.0, 125.0),
    7.0: (100.0, 220.0),
    7.5: (150.0, 310.0),
    8.0: (200.0, 400.0),
    8.5: (300.0, 510.0),
    9.0: (400.0, 620.0),
}
RATING_SAMPLES = 200
RED_TAG_STATE = 3  # Hazus extensive and worse: unsafe to occupy
COLLAPSE_STATE = 5


def buildings_step(ctx: RunContext) -> dict[str, float]:
    """Damage per realisation (fragility, or time histories for ``nltha``), casualties."""
    town = structure_selectors.town_buildings(ctx.town)
    # A what-if run's retrofit acts on the inputs only (scenarios/whatif.py).
    town = structure_selectors.apply_retrofit(town, (ctx.scenario.options or {}).get("retrofit"))
    hazard = ctx.load_arrays("hazard")
    pga = hazard["building_pga_g"].T  # (B, R)
    losses = fragility_losses(town.inputs, pga, seed=ctx.seed_for("buildings"))
    if ctx.scenario.analysis == "nltha":
        losses = nltha_losses(ctx, town, hazard, losses)
    ctx.progress(0.5, "damage states sampled")
    stars, by_indicator = _star_ratings(town.inputs, ctx.seed_for("ratings"))
    replacement = np.array([b.replacement_cost for b in town.inputs])
    cost = (losses.repair_cost_ratio * replacement[:, None]).sum(axis=0)  # per realisation
    when = TIMES_OF_DAY.index(ctx.scenario.time_of_day)
    casualties = losses.casualties[:, when, :]  # (B, 4 severities), mean over realisations
    night = np.array([b.night_population for b in town.inputs])
    ds = losses.damage_state
    ctx.save_arrays(
        "buildings",
        building_id=np.asarray(town.ids),
        damage_state=ds,
        repair_cost_ratio=losses.repair_cost_ratio,
        repair_time_d=losses.repair_time_d,
        casualties=casualties,
        stars=stars,
        mean_damage_state=ds.mean(axis=1),
        collapse_probability=(ds >= COLLAPSE_STATE).mean(axis=1),
    )
    ctx.save_arrays("ratings", building_id=np.asarray(town.ids), stars=stars, **by_indicator)
    ctx.save_json("buildings-skipped", {str(k): v for k, v in town.skipped.items()})
    return {
        "buildings.count": float(len(town.ids)),
        "buildings.skipped": float(len(town.skipped)),
        "buildings.collapse_share": float((ds >= COLLAPSE_STATE).mean()),
        "buildings.red_tagged_share": float((ds >= RED_TAG_STATE).mean()),
        "buildings.repair_cost_ratio_p84": float(
            np.percentile(cost, 84) / max(replacement.sum(), 1.0)
        ),
        "buildings.repair_time_p84_days": float(np.percentile(losses.repair_time_d, 84)),
        "buildings.share_two_star_or_better": float((stars >= 2).mean()),
        "casualties.deaths": float(casualties[:, 3].sum()),
        "casualties.serious_injuries": float(casualties[:, 1:3].sum()),
        "people.displaced": float((night[:, None] * (ds >= RED_TAG_STATE)).sum(axis=0).mean()),
        "town.built_area_m2": float(sum(b.floor_area_m2 for b in town.inputs)),
        "town.population": float(night.sum()),
    }


def _star_ratings(
    buildings: list,  # type: ignore[type-arg]
    seed: int,
) -> tuple[NDArray[np.int64], dict[str, NDArray[np.int64]]]:
    """GB/T 38591 stars of each building at its code's design-basis and rare levels.

    Returns the overall stars and the stars of each indicator (``INDICATORS``), one per building.
    """
    levels = np.array([CODE_PGA_GAL[_intensity(b.intensity)] for b in buildings]) / 980.665
    samples = np.ones((1, RATING_SAMPLES))
    design = fragility_losses(buildings, levels[:, :1] * samples, seed=seed)
    rare = fragility_losses(buildings, levels[:, 1:] * samples, seed=seed + 1)
    ratings = [
        rate_building(indicators_at_guarantee(rare, i), indicators_at_guarantee(design, i))
        for i in range(len(buildings))
    ]
    overall = np.array([r.overall for r in ratings], dtype=np.int64)
    return overall, {k: np.array([r.stars[k] for r in ratings], dtype=np.int64) for k in INDICATORS}


def _intensity(value: float | None) -> float:
    """The fortification intensity, or 6 where a building has none recorded."""
    return value if value in CODE_PGA_GAL else 6.0
