"""Town-scale fragility path: the bulk (column) form gives the per-building form's results."""

from __future__ import annotations

import numpy as np

from structures.engine.response import BuildingModelInput, fragility_losses
from structures.engine.response.losses import BuildingColumns, fragility_losses_bulk


def test_bulk_fragility_losses_equal_the_per_building_ones() -> None:
    buildings = [
        BuildingModelInput(
            f"f{i}",
            ("C1M", "W1", "URML", "S1L")[i % 4],
            (3.0,) * 3,
            (5e5,) * 3,
            code_edition=("1989", "2001", "2010")[i % 3],
            intensity=(7.0, 8.0)[i % 2],
            occupancy=("RES1", "COM4", "IND1")[i % 3],
            day_population=50.0 + i % 7,
            night_population=5.0,
        )
        for i in range(600)
    ]
    pga = np.random.default_rng(0).lognormal(np.log(0.3), 0.6, (600, 7))
    each = fragility_losses(buildings, pga, seed=3)
    bulk = fragility_losses_bulk(BuildingColumns.of(buildings), pga, seed=3)
    for name in ("damage_state", "repair_cost_ratio", "repair_time_d", "injury_rate", "death_rate"):
        assert np.array_equal(getattr(each, name), getattr(bulk, name)), name
    np.testing.assert_allclose(bulk.casualties, each.casualties, rtol=1e-12, atol=1e-12)
