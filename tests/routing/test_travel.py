"""Travel matrices: haversine, input checks, the cache."""

from __future__ import annotations

import asyncio
import math
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from fleetyard.kit.geo import haversine_m
from fleetyard.routing.travel import (
    InvalidPoint,
    TooFewPoints,
    TooManyPoints,
    TravelInputError,
    TravelSettings,
    haversine_matrix,
    matrix_cache,
    route_geometry,
    travel_matrix,
    with_tenant_overrides,
)

TENANT = uuid.UUID(int=1)
HAVERSINE = TravelSettings(provider="haversine")
SENATE_SQUARE = (60.16952, 24.95253)
KAMPPI = (60.16833, 24.93222)


def test_haversine_matrix_is_the_great_circle_times_the_road_factor() -> None:
    matrix = haversine_matrix([SENATE_SQUARE, KAMPPI], road_factor=1.3, speed_kmh=36.0)
    straight = haversine_m(*SENATE_SQUARE, *KAMPPI)
    assert matrix.distances_m[0][1] == round(straight * 1.3)
    assert matrix.durations_s[0][1] == round(straight * 1.3 / 10.0)
    assert matrix.distances_m[0][0] == matrix.durations_s[1][1] == 0
    assert matrix.distances_m[0][1] == matrix.distances_m[1][0]
    assert matrix.source == "haversine"


async def test_the_haversine_provider_answers_a_square_matrix() -> None:
    matrix = await travel_matrix(
        [SENATE_SQUARE, KAMPPI, (60.2, 24.9)], tenant_id=TENANT, settings=HAVERSINE
    )
    assert [len(row) for row in matrix.distances_m] == [3, 3, 3]
    assert [len(row) for row in matrix.durations_s] == [3, 3, 3]
    assert all(matrix.distances_m[i][i] == 0 for i in range(3))


async def test_a_cache_hit_is_the_same_object() -> None:
    matrix_cache.clear()
    points = [SENATE_SQUARE, KAMPPI]
    first = await travel_matrix(points, tenant_id=TENANT, settings=HAVERSINE)
    second = await travel_matrix(list(points), tenant_id=TENANT, settings=HAVERSINE)
    other_tenant = await travel_matrix(points, tenant_id=uuid.UUID(int=2), settings=HAVERSINE)
    assert second is first
    assert other_tenant is not first
    assert (matrix_cache.hits, matrix_cache.misses) == (1, 2)


@pytest.mark.parametrize(
    ("points", "error", "says"),
    [
        ([], TooFewPoints, "0 point(s) given"),
        ([SENATE_SQUARE], TooFewPoints, "at least 2"),
        ([SENATE_SQUARE, (math.nan, 24.9)], InvalidPoint, "point 1"),
        ([SENATE_SQUARE, (60.1, math.inf)], InvalidPoint, "not finite"),
        ([(91.0, 24.9), SENATE_SQUARE], InvalidPoint, "latitude outside"),
        ([SENATE_SQUARE, (60.1, -180.5)], InvalidPoint, "longitude outside"),
        ([SENATE_SQUARE, (60.1,)], InvalidPoint, "not a (latitude, longitude) pair"),
        ([SENATE_SQUARE, ("60.1", 24.9)], InvalidPoint, "not numbers"),
        ([SENATE_SQUARE, (True, 24.9)], InvalidPoint, "not numbers"),
    ],
)
async def test_nonsense_is_refused_with_a_reason(
    points: list[tuple[float, float]], error: type[TravelInputError], says: str
) -> None:
    with pytest.raises(error, match=None) as raised:
        await travel_matrix(points, tenant_id=TENANT, settings=HAVERSINE)
    assert says in str(raised.value)
    assert isinstance(raised.value, ValueError)
    with pytest.raises(error):
        await route_geometry(points, tenant_id=TENANT, settings=HAVERSINE)


async def test_more_points_than_allowed_are_refused() -> None:
    settings = TravelSettings(provider="haversine", max_points=3)
    with pytest.raises(TooManyPoints, match="4 points given, at most 3"):
        await travel_matrix([SENATE_SQUARE] * 4, tenant_id=TENANT, settings=settings)


async def test_the_event_loop_runs_while_a_matrix_is_computed() -> None:
    points = [(60.0 + i / 1000, 24.0 + (i * 7 % 1000) / 1000) for i in range(800)]
    computing = asyncio.create_task(travel_matrix(points, tenant_id=TENANT, settings=HAVERSINE))
    turns = 0
    while not computing.done():
        await asyncio.sleep(0)  # one turn of the loop, no waiting
        turns += 1
    assert (await computing).size == 800
    assert turns > 100  # a computation on the loop itself would have allowed one or two


def test_haversine_refuses_a_factor_or_speed_that_is_not_positive() -> None:
    with pytest.raises(TravelInputError, match="road_factor"):
        haversine_matrix([SENATE_SQUARE, KAMPPI], road_factor=math.nan)
    with pytest.raises(TravelInputError, match="speed_kmh"):
        haversine_matrix([SENATE_SQUARE, KAMPPI], speed_kmh=0.0)


@pytest.mark.parametrize(
    "settings",
    [
        {"provider": "graphhopper"},
        {"road_factor": 0.5},
        {"speed_kmh": -1},
        {"max_points": 1},
        {"max_points": 100_000},
        {"timeout_s": 0},
    ],
)
def test_nonsense_settings_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        TravelSettings.model_validate(settings)


coordinate = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-1000, max_value=1000),
    st.text(max_size=3),
    st.none(),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.tuples(coordinate, coordinate), st.lists(coordinate, max_size=3)), max_size=6
    )
)
def test_any_points_are_a_matrix_or_a_travel_input_error(points: list[object]) -> None:
    try:
        matrix = haversine_matrix(points)  # type: ignore[arg-type]
    except TravelInputError:
        return
    assert matrix.size == len(points)
    assert all(value >= 0 for row in matrix.distances_m for value in row)


def test_a_tenant_may_choose_its_provider_and_speeds_but_not_the_server() -> None:
    base = TravelSettings(provider="osrm", url="http://osrm.internal:5000", max_points=500)
    mine = with_tenant_overrides({"provider": "haversine", "speed_kmh": 25}, base)
    assert (mine.provider, mine.speed_kmh, mine.url, mine.max_points) == (
        "haversine",
        25.0,
        "http://osrm.internal:5000",
        500,
    )
    with pytest.raises(TravelInputError, match="a tenant cannot set max_points, url"):
        with_tenant_overrides({"url": "http://169.254.169.254/", "max_points": 10_000}, base)
    with pytest.raises(TravelInputError, match="travel settings: "):
        with_tenant_overrides({"road_factor": 0.2}, base)


def test_a_huge_bad_point_is_named_briefly() -> None:
    with pytest.raises(InvalidPoint) as raised:
        haversine_matrix([SENATE_SQUARE, [1.0] * 100_000])  # type: ignore[list-item]
    assert len(str(raised.value)) < 120
