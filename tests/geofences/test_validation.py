"""Whatever geometry or JSON arrives, a geofence is either made valid or refused with a 422
in the error envelope: generated rings (crossing, spiky, degenerate, huge), junk values in
every field, and the shape checks themselves, which may refuse but never crash."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetyard.geofences.shapes import GeometryInvalid, circle, polygon
from tests.conftest import Tenants
from tests.geofences.shapes_data import CENTRE

URL = "/api/v1/geofences"
API_EXAMPLES = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# positions near the test centre, from a few metres to tens of kilometres apart
offsets = st.floats(-0.5, 0.5, allow_nan=False) | st.floats(-0.0005, 0.0005, allow_nan=False)
positions = st.tuples(offsets, offsets).map(lambda d: [CENTRE[1] + d[1], CENTRE[0] + d[0]])
open_rings = st.lists(positions, min_size=0, max_size=12)


@st.composite
def rings(draw: st.DrawFn) -> list[list[float]]:
    ring = draw(open_rings)
    if ring and draw(st.booleans()):
        ring = [*ring, ring[0]]  # usually closed, sometimes not
    return ring


JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=600, deadline=None, derandomize=True, database=None)
@given(shell=rings(), holes=st.lists(rings(), max_size=2))
def test_shapes_make_a_valid_polygon_or_refuse_with_a_reason(
    shell: list[list[float]], holes: list[list[list[float]]]
) -> None:
    try:
        shape = polygon([shell, *holes])
    except GeometryInvalid as refused:
        reason = refused.details["reason"]
    else:
        reason = None
    if reason is not None:
        assert reason in {
            "too_few_points",
            "unclosed",
            "self_intersecting",
            "invalid_polygon",
            "too_large",
            "too_small",
        }
        return
    assert shape.polygon is not None
    assert shapely.is_valid(shape.polygon)
    assert shape.area_m2() >= 25
    assert shape.depth_m > 0
    centroid = shape.polygon.representative_point()
    lat, lon = shape.projection.to_lat_lon(centroid.x, centroid.y)
    assert shape.contains(lat, lon)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(radius=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e7, max_value=1e7))
def test_circles_refuse_absurd_radii(radius: float) -> None:
    if not 5 <= radius <= 100_000:
        with pytest.raises(GeometryInvalid) as refused:
            circle([CENTRE[1], CENTRE[0]], radius)
        assert refused.value.details["reason"] == "radius_out_of_range"
        return
    shape = circle([CENTRE[1], CENTRE[0]], radius)
    assert 5 <= radius <= 100_000
    assert math.isclose(shape.area_m2(), math.pi * radius**2)


@API_EXAMPLES
@given(shell=rings())
async def test_the_api_answers_generated_polygons_with_201_or_422(
    client: httpx.AsyncClient, tenants: Tenants, shell: list[list[float]]
) -> None:
    body = {
        "name": f"Fence {abs(hash(str(shell)))}",
        "geometry": {"type": "Polygon", "coordinates": [shell]},
    }
    response = await client.post(URL, json=body, headers=tenants.a.owner)
    assert response.status_code in (201, 409, 422), response.text
    if response.status_code == 422:
        error = response.json()["error"]
        assert set(error) == {"code", "message", "details"}
        assert error["code"] in {"invalid_geometry", "validation_failed"}
    elif response.status_code == 201:
        made = response.json()
        assert made["shape"] == "polygon"
        assert made["area_m2"] >= 25


@API_EXAMPLES
@given(
    field=st.sampled_from(
        [
            "geometry",
            "radius_m",
            "active_hours",
            "group_ids",
            "colour",
            "alert_on",
            "name",
            "speed_limit_kmh",
            "dwell_minutes",
            "all_vehicles",
        ]
    ),
    junk=JUNK,
)
async def test_junk_in_any_field_is_a_422_never_a_500(
    client: httpx.AsyncClient, tenants: Tenants, field: str, junk: Any
) -> None:
    body: dict[str, Any] = {
        "name": "Junk",
        "geometry": {"type": "Point", "coordinates": [CENTRE[1], CENTRE[0]]},
        "radius_m": 100,
        field: junk,
    }
    content = httpx.Request("POST", "http://x", json=body).content if _jsonable(body) else b"{"
    response = await client.post(
        URL, content=content, headers={**tenants.a.owner, "Content-Type": "application/json"}
    )
    assert response.status_code in (201, 409, 422), response.text
    if response.status_code == 422:
        assert set(response.json()["error"]) == {"code", "message", "details"}
    if response.status_code == 201:  # junk that happened to be valid: leave the name free
        await client.delete(f"{URL}/{response.json()['id']}", headers=tenants.a.owner)


def _jsonable(body: Any) -> bool:
    try:
        httpx.Request("POST", "http://x", json=body)
    except ValueError:
        return False
    return True
