"""Gas leak consequences and chemical releases: monotonic behaviour and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from lifelines.engine.buildings import BuildingState, building_arrays
from lifelines.engine.chemical import (
    ChemicalSite,
    pasquill_class,
    plume_exposure,
    source_term,
    threat_zone_distance_m,
)
from lifelines.engine.errors import ChemicalReleaseError, GasReleaseError
from lifelines.engine.gas import (
    GasLeak,
    blast_fatality,
    burn_fatality,
    gas_ignited_buildings,
    gas_leak_events,
    jet_fire_flux_w_m2,
    overpressure_pa,
    release_rate_kg_s,
)

LINE = building_arrays(
    [
        BuildingState(str(i), 20.0 * i, 0.0, 100.0, population_day=10, population_night=20)
        for i in range(1, 60)
    ]
)


def test_release_rate_grows_with_pressure_and_hole() -> None:
    small = release_rate_kg_s(GasLeak("a", 0, 0, 4e5, 0.02))
    assert release_rate_kg_s(GasLeak("b", 0, 0, 8e5, 0.02)) > small
    assert release_rate_kg_s(GasLeak("c", 0, 0, 4e5, 0.04)) == pytest.approx(4 * small)
    with pytest.raises(GasReleaseError, match="leak d needs a positive pressure"):
        release_rate_kg_s(GasLeak("d", 0, 0, 0.0, 0.02))


def test_effects_decrease_with_distance() -> None:
    r = np.array([10.0, 50.0, 200.0])
    assert np.all(np.diff(jet_fire_flux_w_m2(5.0, r)) < 0)
    assert np.all(np.diff(overpressure_pa(100.0, r)) < 0)
    assert burn_fatality(np.array([37_500.0]), 60.0)[0] > 0.5
    assert blast_fatality(np.array([5_000.0]))[0] < 1e-6


def test_gas_events_are_seeded_and_feed_fire_ignitions() -> None:
    leaks = [GasLeak(str(k), 20.0 * k, 5.0, 4e6, 0.1) for k in range(1, 40)]
    events = gas_leak_events(leaks, LINE, seed=11)
    again = gas_leak_events(leaks, LINE, seed=11)
    assert [e.kind for e in events] == [e.kind for e in again]
    kinds = {e.kind for e in events}
    assert "none" in kinds and kinds & {"jet_fire", "explosion"}
    index, times = gas_ignited_buildings(events, seed=2)
    assert len(index) == len(times)


def test_source_term_and_threat_zones() -> None:
    site = ChemicalSite("plant", 0.0, 0.0, "chlorine", 10_000.0, damage_state=4)
    term = source_term(site)
    assert term.rate_kg_s == pytest.approx(10_000.0 / 600.0)
    d1 = threat_zone_distance_m(site, 0.5, wind_m_s=3.0, stability="D")
    d3 = threat_zone_distance_m(site, 20.0, wind_m_s=3.0, stability="D")
    assert d1 > d3 > 0
    stable = threat_zone_distance_m(site, 20.0, wind_m_s=3.0, stability="F")
    assert stable > d3


def test_plume_exposure_downwind_only_and_time_stepped() -> None:
    site = ChemicalSite("plant", 0.0, 0.0, "ammonia", 20_000.0, damage_state=3)
    exposed = plume_exposure(site, LINE, wind_m_s=3.0, wind_from_deg=270.0, stability="D")
    assert exposed.level[0] >= exposed.level[-1] and exposed.level.max() >= 2
    assert exposed.evacuate.size > 0 and exposed.exposed_night[1] > 0
    upwind = plume_exposure(site, LINE, wind_m_s=3.0, wind_from_deg=90.0, stability="D")
    assert upwind.level.max() == 0
    assert exposed.ppm_at(0.0).max() == 0.0 and exposed.ppm_at(600.0).max() > 0


def test_chemical_bad_input_messages() -> None:
    with pytest.raises(ChemicalReleaseError, match="plant has no inventory"):
        source_term(ChemicalSite("plant", 0, 0, "chlorine", None, 4))
    with pytest.raises(ChemicalReleaseError, match=r"'phosgene' is not in substances\.csv"):
        source_term(ChemicalSite("plant", 0, 0, "phosgene", 10.0, 4))
    with pytest.raises(ChemicalReleaseError, match="stability class 'G'"):
        threat_zone_distance_m(
            ChemicalSite("p", 0, 0, "chlorine", 1.0, 4), 1.0, wind_m_s=2, stability="G"
        )
    assert pasquill_class(2.5, "strong") == "B" and pasquill_class(2.5, "night_clear") == "F"
