"""The one geo module: distances and bearings against figures worked out by hand or from
published distances, the flat projection against the sphere, and the SQL haversine against
the Python one on the real PostgreSQL."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from fleetyard.kit.geo import (
    EARTH_RADIUS_M,
    METRES_PER_DEGREE,
    LocalProjection,
    haversine_m,
    haversine_sql,
    heading_change_deg,
    initial_bearing_deg,
    step,
)

latitudes = st.floats(min_value=-80, max_value=80)
longitudes = st.floats(min_value=-179.9, max_value=179.9)


def test_a_degree_of_latitude_is_a_sixtieth_of_a_nautical_degree_circle() -> None:
    assert haversine_m(60.0, 24.0, 61.0, 24.0) == pytest.approx(111_195, rel=1e-4)
    assert pytest.approx(math.pi * EARTH_RADIUS_M / 180) == METRES_PER_DEGREE
    # along the equator a degree of longitude is the same; at 60° N half of it
    assert haversine_m(0.0, 10.0, 0.0, 11.0) == pytest.approx(111_195, rel=1e-4)
    assert haversine_m(60.0, 10.0, 60.0, 11.0) == pytest.approx(55_597, rel=2e-3)


def test_known_city_distances() -> None:
    # Helsinki Central to Tallinn Old Town: ~80.6 km great-circle
    assert haversine_m(60.1719, 24.9414, 59.4370, 24.7536) == pytest.approx(82_000, rel=0.02)
    # Paris to London (Notre-Dame to Big Ben): ~340 km
    assert haversine_m(48.8530, 2.3499, 51.5007, -0.1246) == pytest.approx(341_000, rel=0.01)
    assert haversine_m(60.0, 24.0, 60.0, 24.0) == 0.0
    # antipodes: half the circumference, never a math domain error
    assert haversine_m(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_M)


def test_initial_bearing_of_the_compass_points() -> None:
    assert initial_bearing_deg(60.0, 24.0, 61.0, 24.0) == pytest.approx(0.0, abs=1e-9)
    assert initial_bearing_deg(0.0, 24.0, 0.0, 25.0) == pytest.approx(90.0)
    assert initial_bearing_deg(60.0, 24.0, 59.0, 24.0) == pytest.approx(180.0)
    assert initial_bearing_deg(0.0, 24.0, 0.0, 23.0) == pytest.approx(270.0)
    # a great circle eastward from 60° N leaves north of due east
    assert initial_bearing_deg(60.0, 0.0, 60.0, 10.0) < 90.0
    assert initial_bearing_deg(60.0, 24.0, 60.0, 24.0) == 0.0


def test_heading_change_takes_the_short_way_round() -> None:
    assert heading_change_deg(350.0, 10.0) == pytest.approx(20.0)
    assert heading_change_deg(10.0, 350.0) == pytest.approx(20.0)
    assert heading_change_deg(0.0, 180.0) == pytest.approx(180.0)


@given(latitudes, longitudes, st.floats(0, 360, exclude_max=True), st.floats(1, 500))
def test_a_step_goes_as_far_as_asked_where_it_was_pointed(
    lat: float, lon: float, bearing: float, metres: float
) -> None:
    lat2, lon2 = step(lat, lon, bearing, metres)
    assert haversine_m(lat, lon, lat2, lon2) == pytest.approx(metres, rel=0.01)
    if metres > 50:
        assert heading_change_deg(bearing, initial_bearing_deg(lat, lon, lat2, lon2)) < 1.0


@given(latitudes, longitudes, latitudes, longitudes)
def test_haversine_is_a_symmetric_non_negative_distance(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    there = haversine_m(lat1, lon1, lat2, lon2)
    assert there >= 0
    assert there == pytest.approx(haversine_m(lat2, lon2, lat1, lon1), abs=1e-6)
    assert there <= math.pi * EARTH_RADIUS_M + 1e-6


@given(
    st.floats(-70, 70),
    st.floats(-170, 170),
    st.floats(-20_000, 20_000),
    st.floats(-20_000, 20_000),
)
def test_the_local_projection_matches_the_sphere_within_a_city(
    lat0: float, lon0: float, x: float, y: float
) -> None:
    projection = LocalProjection(lat0, lon0)
    lat, lon = projection.to_lat_lon(x, y)
    back = projection.to_xy(lat, lon)
    assert back == pytest.approx((x, y), abs=1e-6)
    flat = projection.distance_m(lat0, lon0, lat, lon)
    assert flat == pytest.approx(math.hypot(x, y), abs=1e-6)
    # within 20 km of the reference latitude the flat distance is within 1 % of the sphere's
    assert flat == pytest.approx(haversine_m(lat0, lon0, lat, lon), rel=0.01, abs=0.01)


def test_projection_degrees_of_a_distance() -> None:
    projection = LocalProjection.around(60.0, 24.0, 60.2, 24.2)
    assert projection.latitude == pytest.approx(60.1)
    assert projection.degrees_north(METRES_PER_DEGREE) == pytest.approx(1.0)
    assert projection.degrees_east(METRES_PER_DEGREE / 2) == pytest.approx(
        1.0 / (2 * math.cos(math.radians(60.1))) * 1.0, rel=1e-9
    )


async def test_the_sql_haversine_is_the_python_one(connection: AsyncConnection) -> None:
    pairs = [
        (60.1719, 24.9414, 59.4370, 24.7536),
        (48.8530, 2.3499, 51.5007, -0.1246),
        (47.0516249, 7.0389004, 47.0514312, 7.038636),
        (10.0, 10.0, 10.0, 10.0),
    ]
    columns = [f"CAST(:{name} AS float8)" for name in ("lat1", "lon1", "lat2", "lon2")]
    metres = haversine_sql(*columns)
    kilometres = haversine_sql(*columns, unit_m=1000)
    for lat1, lon1, lat2, lon2 in pairs:
        params = {"lat1": lat1, "lon1": lon1, "lat2": lat2, "lon2": lon2}
        row = (
            await connection.execute(text(f"select {metres} as m, {kilometres} as km"), params)
        ).one()
        expected = haversine_m(lat1, lon1, lat2, lon2)
        assert row.m == pytest.approx(expected, rel=1e-9, abs=1e-6)
        assert row.km == pytest.approx(expected / 1000, rel=1e-9, abs=1e-9)
