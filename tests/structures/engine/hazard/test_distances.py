"""Distances against hand-computed geometry, including a dipping fault; WC94 scaling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from structures.engine.hazard.distances import Sites, compute_distances, project_sites
from structures.engine.hazard.errors import HazardInputError
from structures.engine.hazard.sources import (
    FiniteRupture,
    PointSource,
    mechanism_from_rake,
    wells_coppersmith_1994,
)

#: Absolute tolerance (km) of distance checks; tmerc scale error within 30 km is < 1e-5.
DIST_ATOL_KM = 2e-3


def sites_at(
    x_km: list[float], y_km: list[float], lon0: float = 103.0, lat0: float = 30.0
) -> Sites:
    """Sites at east/north offsets (km) from (lon0, lat0), placed by inverting the projection."""
    from structures.engine.hazard.distances import local_transformer

    lon, lat = local_transformer(lon0, lat0).transform(
        np.array(x_km) * 1000.0, np.array(y_km) * 1000.0, direction="INVERSE"
    )
    return Sites(np.asarray(lon), np.asarray(lat), np.full(len(x_km), 760.0))


def test_projection_round_trip_is_metric() -> None:
    sites = sites_at([10.0, -25.0], [0.0, 40.0])
    x, y = project_sites(103.0, 30.0, sites.lon, sites.lat)
    np.testing.assert_allclose(x, [10.0, -25.0], atol=1e-9)
    np.testing.assert_allclose(y, [0.0, 40.0], atol=1e-9)


def test_dipping_reverse_fault_matches_hand_geometry() -> None:
    # strike north, dip 45° east, 20 km × 10 km, hypocentre 10 km deep at mid-plane:
    # ztor = 10 − 5 sin45 = 6.464 km; top trace at x = −5 cos45 = −3.536 km, y ∈ [−10, 10].
    rup = FiniteRupture(
        103.0, 30.0, 10.0, 6.5, strike=0.0, dip=45.0, rake=90.0, length_km=20.0, width_km=10.0
    )
    top_x, ztor = -5 * math.cos(math.radians(45)), 10 - 5 * math.sin(math.radians(45))
    d = compute_distances(rup, sites_at([0.0, 8.0, -12.0, 0.0], [0.0, 0.0, 0.0, 25.0]))
    # site 0 (epicentre): nearest point is the top edge → sqrt(3.536² + 6.464²)
    # site 1 (x=8, hanging wall): the plane is z − x = 10, the foot of the perpendicular
    #   (−1, 9) lies inside the rectangle, so Rrup = |−8 − 10| / √2
    # site 2 (x=−12, footwall): nearest point on the top edge
    # site 3 (y=25): beyond the north end by 15 km, top edge at the corner
    expected_rrup = [
        math.hypot(top_x, ztor),
        18 / math.sqrt(2),
        math.hypot(-12 - top_x, ztor),
        math.sqrt(15**2 + top_x**2 + ztor**2),
    ]
    np.testing.assert_allclose(d.rrup, expected_rrup, atol=DIST_ATOL_KM)
    np.testing.assert_allclose(d.rjb, [0.0, 8 + top_x, 12 + top_x, 15.0], atol=DIST_ATOL_KM)
    np.testing.assert_allclose(d.rx, [-top_x, 8 - top_x, -12 - top_x, -top_x], atol=DIST_ATOL_KM)
    np.testing.assert_allclose(d.ry0, [0.0, 0.0, 0.0, 15.0], atol=DIST_ATOL_KM)
    np.testing.assert_allclose(d.repi, [0.0, 8.0, 12.0, 25.0], atol=DIST_ATOL_KM)
    np.testing.assert_allclose(d.rhypo, np.hypot([0.0, 8.0, 12.0, 25.0], 10.0), atol=DIST_ATOL_KM)


def test_vertical_strike_slip_fault_is_symmetric() -> None:
    rup = FiniteRupture(
        103.0,
        30.0,
        8.0,
        6.5,
        strike=90.0,
        dip=90.0,
        rake=0.0,
        length_km=30.0,
        width_km=12.0,
        hypo_down_dip=0.5,
    )
    d = compute_distances(rup, sites_at([0.0, 0.0, 20.0], [5.0, -5.0, 0.0]))
    np.testing.assert_allclose(d.rjb, [5.0, 5.0, 5.0], atol=DIST_ATOL_KM)
    np.testing.assert_allclose(
        d.rrup, [math.hypot(5.0, 2.0)] * 2 + [math.hypot(5.0, 2.0)], atol=DIST_ATOL_KM
    )
    np.testing.assert_allclose(np.abs(d.rx), [5.0, 5.0, 0.0], atol=DIST_ATOL_KM)


def test_point_source_distances() -> None:
    d = compute_distances(PointSource(103.0, 30.0, 12.0, 6.0), sites_at([3.0], [4.0]))
    np.testing.assert_allclose(
        [d.repi[0], d.rjb[0], d.rhypo[0], d.rrup[0]], [5, 5, 13, 13], atol=DIST_ATOL_KM
    )


def test_wells_coppersmith_table_2a() -> None:
    area, width = wells_coppersmith_1994(7.0, "SS")
    assert area == pytest.approx(10 ** (-3.42 + 0.90 * 7.0))
    assert width == pytest.approx(10 ** (-0.76 + 0.27 * 7.0))
    with pytest.raises(HazardInputError, match=r"4\.8–7\.9"):
        wells_coppersmith_1994(8.5)


def test_rupture_from_magnitude_keeps_area_and_stays_underground() -> None:
    src = PointSource(103.0, 30.0, 5.0, 7.5, rake=90.0)
    rup = FiniteRupture.from_magnitude(src, strike=30.0, dip=30.0, seismogenic_bottom_km=20.0)
    area, _ = wells_coppersmith_1994(7.5, "R")
    assert rup.length_km * rup.width_km == pytest.approx(area)
    assert rup.ztor_km >= -1e-9 and rup.zbot_km <= 20.0 + 1e-9


@pytest.mark.parametrize(
    ("rake", "mech"), [(0, "SS"), (180, "SS"), (90, "R"), (-90, "N"), (None, "U"), (-170, "SS")]
)
def test_mechanism_bins(rake: float | None, mech: str) -> None:
    assert mechanism_from_rake(rake) == mech


def test_rupture_above_ground_is_rejected() -> None:
    with pytest.raises(HazardInputError, match="above ground"):
        FiniteRupture(103.0, 30.0, 2.0, 6.5, strike=0, dip=90, rake=0, length_km=20, width_km=10)
