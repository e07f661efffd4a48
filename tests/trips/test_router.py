"""The trips API on committed data: fixes through the real pipeline, then GET /trips,
/trips/{id} with its GeoJSON track, /stops and the stop rule; bad input is a 4xx, never a 500;
another tenant's trip is a 404."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetyard.auth.roles import Role
from fleetyard.db import Database
from tests.telematics.conftest import Tracked, register_tracked
from tests.trips.feeding import Feeder
from tests.trips.tracks import drive, generate, idle, park

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
DAY = [park(300), idle(30), drive(600, 50, 30), park(600), drive(300, 40, 250), park(300)]


@pytest.fixture
async def driven(feeder: Feeder, tracked: Tracked) -> Tracked:
    await feeder.feed(tracked, generate(T0, DAY))
    return tracked


async def get(
    client: httpx.AsyncClient, tracked: Tracked, path: str, **params: Any
) -> httpx.Response:
    """GET as a viewer (every role reads trips)."""
    headers = tracked.tenant.as_(Role.VIEWER)
    return await client.get(f"/api/v1{path}", params=params, headers=headers)


async def test_a_vehicles_trips_latest_first_with_places(
    live_client: httpx.AsyncClient, driven: Tracked
) -> None:
    response = await get(live_client, driven, "/trips", vehicle_id=str(driven.vehicle_id))
    assert response.status_code == 200, response.text
    page = response.json()
    second, first = page["items"]
    assert first["started_at"] < second["started_at"]
    assert first["status"] == "completed" and first["vehicle_id"] == str(driven.vehicle_id)
    assert first["distance_source"] == "odometer" and first["distance_m"] > 8000
    assert set(first["start"]) == {"latitude", "longitude", "place"}
    assert first["end"]["latitude"] == pytest.approx(second["start"]["latitude"], abs=0.01)
    one = await get(live_client, driven, "/trips", vehicle_id=str(driven.vehicle_id), limit=1)
    assert len(one.json()["items"]) == 1 and one.json()["next_cursor"]
    rest = await get(
        live_client,
        driven,
        "/trips",
        vehicle_id=str(driven.vehicle_id),
        limit=1,
        cursor=one.json()["next_cursor"],
    )
    assert [t["id"] for t in rest.json()["items"]] == [first["id"]]


async def test_a_trip_with_its_track_as_geojson(
    live_client: httpx.AsyncClient, driven: Tracked
) -> None:
    listed = (await get(live_client, driven, "/trips")).json()["items"]
    response = await get(live_client, driven, f"/trips/{listed[-1]['id']}")
    assert response.status_code == 200, response.text
    track = response.json()["track"]
    assert track["type"] == "Feature" and track["geometry"]["type"] == "LineString"
    coordinates = track["geometry"]["coordinates"]
    assert len(coordinates) == len(track["properties"]["times"]) > 100
    assert coordinates[0] == pytest.approx(
        [listed[-1]["start"]["longitude"], listed[-1]["start"]["latitude"]]
    )


async def test_stops_and_the_window(live_client: httpx.AsyncClient, driven: Tracked) -> None:
    response = await get(live_client, driven, "/stops", vehicle_id=str(driven.vehicle_id))
    assert response.status_code == 200, response.text
    stops = response.json()["items"]
    assert [s["status"] for s in stops] == ["open", "completed", "completed"]
    assert stops[1]["duration_s"] == pytest.approx(600, abs=10)
    stop = await get(live_client, driven, f"/stops/{stops[1]['id']}")
    assert stop.json() == stops[1]
    later = (T0 + timedelta(hours=2)).isoformat()
    empty = await get(live_client, driven, "/trips", **{"from": later})
    assert empty.json()["items"] == []


async def test_another_tenants_trip_is_not_found(
    live_client: httpx.AsyncClient, driven: Tracked, app_database: Database
) -> None:
    other = await register_tracked(app_database, "trips-other")
    trip_id = (await get(live_client, driven, "/trips")).json()["items"][0]["id"]
    assert (await get(live_client, other, f"/trips/{trip_id}")).status_code == 404
    assert (await get(live_client, other, "/trips")).json()["items"] == []
    listed = await get(live_client, other, "/trips", vehicle_id=str(driven.vehicle_id))
    assert listed.json()["items"] == []
    anonymous = await live_client.get(f"/api/v1/trips/{trip_id}")
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {"vehicle_id": "not-a-uuid"},
        {"vehicle_id": str(uuid.uuid4()), "driver_id": str(uuid.uuid4())},
        {"from": "2026-01-02T00:00:00+00:00", "to": "2026-01-01T00:00:00+00:00"},
        {"from": "2026-01-01T00:00:00"},  # no offset
        {"from": "2025-01-01T00:00:00+00:00", "to": "2026-01-01T00:00:00+00:00"},  # > 93 days
        {"limit": "0"},
        {"limit": "501"},
        {"cursor": "%%%"},
    ],
)
async def test_bad_input_is_a_422(
    live_client: httpx.AsyncClient, driven: Tracked, params: dict[str, str]
) -> None:
    for path in ("/trips", "/stops"):
        response = await get(live_client, driven, path, **params)
        assert response.status_code == 422, (path, params, response.text)
        assert set(response.json()["error"]) >= {"code", "message"}
    assert (await get(live_client, driven, "/trips/nope")).status_code == 422


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["vehicle_id", "driver_id", "from", "to", "limit", "cursor"]),
    value=st.text(max_size=60),
)
async def test_no_query_string_is_a_500(
    live_client: httpx.AsyncClient, driven: Tracked, name: str, value: str
) -> None:
    response = await get(live_client, driven, "/trips", **{name: value})
    assert response.status_code < 500, response.text


async def test_the_stop_rule_is_read_by_all_and_set_by_admins(
    live_client: httpx.AsyncClient, tracked: Tracked
) -> None:
    read = await get(live_client, tracked, "/trips/settings")
    assert read.json() == {"stop_after_s": 180}
    url = "/api/v1/trips/settings"
    viewer = await live_client.put(
        url, json={"stop_after_s": 300}, headers=tracked.tenant.as_(Role.VIEWER)
    )
    assert viewer.status_code == 403
    for bad in ({"stop_after_s": 5}, {"stop_after_s": "x"}, {"stop": 300}):
        refused = await live_client.put(url, json=bad, headers=tracked.tenant.owner)
        assert refused.status_code == 422, bad
    changed = await live_client.put(url, json={"stop_after_s": 300}, headers=tracked.tenant.owner)
    assert changed.status_code == 200 and changed.json() == {"stop_after_s": 300}
    assert (await get(live_client, tracked, "/trips/settings")).json() == {"stop_after_s": 300}
