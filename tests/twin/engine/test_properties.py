"""Property-based invariants of imputation and placement (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from twin.engine.imputation import ATTRIBUTES, impute
from twin.engine.placement import LocalPlane, point_mapper
from twin.engine.records import BuildingRecord
from twin.vocabulary import DESIGN_ERAS, HAZUS_BUILDING_TYPES, HAZUS_OCCUPANCIES

SQUARE = "POLYGON ((0 0, 12 0, 12 10, 0 10, 0 0))"  # 120 m² in a local metric CRS
TAGS = ["house", "residential", "apartments", "school", "hospital", "industrial", "yes", "retail"]

buildings = st.builds(
    lambda height, storeys, tag, year: BuildingRecord(
        global_id="b",
        name="",
        footprint_wkt=SQUARE,
        footprint_epsg=32648,
        height_m=height,
        storeys_above_ground=storeys,
        source_attributes={k: v for k, v in {"building": tag, "year": year}.items() if v},
    ),
    st.one_of(st.none(), st.floats(2.5, 200.0)),
    st.one_of(st.none(), st.integers(1, 60)),
    st.sampled_from([*TAGS, None]),
    st.one_of(st.none(), st.integers(1900, 2025).map(str)),
)


@settings(max_examples=150, deadline=None)
@given(buildings)
def test_imputation_keeps_given_values_and_marks_every_filled_one(record: BuildingRecord) -> None:
    result = impute(record)
    for attribute in ATTRIBUTES:
        before, after = getattr(record, attribute), getattr(result, attribute)
        if before is not None:
            assert after == before and attribute not in result.imputed
        elif after is not None:
            assert attribute in result.imputed
    assert result.storeys_above_ground is not None and result.storeys_above_ground >= 1
    assert result.structural_system in HAZUS_BUILDING_TYPES
    assert result.occupancy in HAZUS_OCCUPANCIES and result.design_era in DESIGN_ERAS
    assert result.floor_area_m2 == pytest.approx(120.0 * result.storeys_above_ground)
    assert (result.day_population or 0) >= 0 and (result.replacement_cost or 0) > 0


@settings(max_examples=100, deadline=None)
@given(
    lat=st.floats(-60, 60),
    lon=st.floats(-179, 179),
    rotation=st.floats(-360, 360),
    unit=st.sampled_from([1.0, 0.001, 0.3048]),
    xy=st.lists(st.floats(-4000, 4000), min_size=2, max_size=2),
)
def test_local_plane_preserves_distance_and_bearing(
    lat: float, lon: float, rotation: float, unit: float, xy: list[float]
) -> None:
    mapper = point_mapper(plane=LocalPlane(lat, lon, rotation, unit))
    lons, lats = mapper(np.array([0.0, xy[0] / unit]), np.array([0.0, xy[1] / unit]))
    azimuth, _, distance = Geod(ellps="WGS84").inv(lons[0], lats[0], lons[1], lats[1])
    expected = math.hypot(*xy)
    assert distance == pytest.approx(expected, rel=1e-5, abs=1e-6)
    if expected > 1.0:
        local_bearing = math.degrees(math.atan2(xy[0], xy[1]))  # clockwise from local +y
        turn = (azimuth - local_bearing - rotation + 540.0) % 360.0 - 180.0
        assert abs(turn) < 0.05
