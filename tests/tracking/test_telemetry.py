"""GET /vehicles/{id}/telemetry over fixes stored by the real ingest pipeline: buckets, the
readings kept and left out, the window rules, and who may ask."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fleetyard.auth.roles import ROLE_PERMISSIONS, Permission, Role
from fleetyard.db import Database, with_user
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position
from fleetyard.tracking.service import bucket_width
from tests.conftest import Tenants
from tests.telematics.conftest import Tracked, register_tracked
from tests.tracking.conftest import store

WIDTH = timedelta(minutes=10)  # a one-hour window in 6 buckets
HOUR = timedelta(hours=1)


@dataclass
class Telemetry:
    tracked: Tracked
    t0: datetime  # start of the one-hour window the buckets are checked in
    times: list[datetime]  # every stored fix, in and around the window

    @property
    def headers(self) -> dict[str, str]:
        return self.tracked.tenant.owner

    @property
    def url(self) -> str:
        return f"/api/v1/vehicles/{self.tracked.vehicle_id}/telemetry"


def reading(
    unique_id: str,
    at: datetime,
    speed: float | None,
    *,
    where: tuple[float, float] = (60.17, 24.94),
    **readings: Any,
) -> Position:
    return Position(
        unique_id=unique_id,
        protocol="teltonika",
        fix_time=at,
        latitude=where[0],
        longitude=where[1],
        speed_kmh=speed,
        attributes=readings,
    )


def fixes(unique_id: str, t0: datetime) -> list[Position]:
    """Window [t0, t0 + 1 h) in 10-minute buckets; see the expectations in the tests."""

    def at(seconds: int) -> datetime:
        return t0 + timedelta(seconds=seconds)

    def fix(seconds: int, speed: float | None, **readings: Any) -> Position:
        return reading(unique_id, at(seconds), speed, **readings)

    fuel, coolant, rpm = attr.FUEL_LEVEL_PCT, attr.COOLANT_TEMP_C, attr.RPM
    return [
        fix(-1, 99.0, **{fuel: 1.0}),  # just before the window
        # bucket 0: three valid fixes and one at null island (speed left out, readings kept)
        fix(0, 10.0, **{fuel: 50.0, coolant: 80.0, rpm: 1000}),
        fix(60, 20.0, **{fuel: 48.0, coolant: 90.0, rpm: 2000}),
        fix(120, 30.0, **{fuel: 46.0, coolant: 100.0, rpm: 3000}),
        reading(unique_id, at(180), 300.0, where=(0.0, 0.0), **{fuel: 40, coolant: 70, rpm: 500}),
        # bucket 1: nothing. Bucket 2: readings that are no numbers, or absurd ones
        fix(1200, 50.0, **{fuel: True, coolant: None, rpm: "fast"}),
        fix(1260, 60.0, **{fuel: "12", coolant: {"value": 1}, rpm: 1500}),
        fix(1320, 70.0, **{fuel: [1], coolant: -(10**400), rpm: 10**400}),
        fix(1380, 80.0, **{fuel: 1e13}),
        # bucket 3: a fix without speed or readings; bucket 4: nothing
        fix(1800, None),
        # bucket 5: a standstill is a reading of zero, not a missing one
        fix(3000, 0.0, **{fuel: 45.5}),
        fix(3600, 99.0, **{fuel: 1.0}),  # 'to' is exclusive
    ]


@pytest.fixture(scope="module")
async def telemetry(database_url: str, app_database: Database) -> Telemetry:
    tracked = await register_tracked(app_database, "telemetry")
    t0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=3)
    positions = fixes(tracked.unique_id, t0)
    pool = await asyncpg.create_pool(
        with_user(database_url, "fleetyard_app"), min_size=1, max_size=2
    )
    try:
        await store(pool, tracked.unique_id, positions)
    finally:
        await pool.close()
    return Telemetry(tracked, t0, [p.fix_time for p in positions])


def iso(moment: datetime) -> str:
    return moment.isoformat()


async def get(
    client: httpx.AsyncClient,
    seeded: Telemetry,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> httpx.Response:
    return await client.get(seeded.url, params=params, headers=headers or seeded.headers)


def hour_from(t0: datetime, buckets: int = 6) -> dict[str, Any]:
    return {"from": iso(t0), "to": iso(t0 + HOUR), "buckets": buckets}


def spread(avg: float, low: float, high: float, count: int) -> dict[str, Any]:
    return {"avg": pytest.approx(avg), "min": low, "max": high, "count": count}


async def test_buckets_hold_avg_min_max_per_metric(
    live_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    response = await get(live_client, telemetry, **hour_from(telemetry.t0))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["vehicle_id"] == str(telemetry.tracked.vehicle_id)
    assert datetime.fromisoformat(body["from"]) == telemetry.t0
    assert datetime.fromisoformat(body["to"]) == telemetry.t0 + HOUR
    assert body["bucket_seconds"] == 600
    starts = [datetime.fromisoformat(b["start"]) for b in body["buckets"]]
    # buckets 1 and 4 held no fix: left out, so the client draws a gap
    assert starts == [telemetry.t0 + k * WIDTH for k in (0, 2, 3, 5)]
    first, second, third, last = body["buckets"]
    assert first == {
        "start": first["start"],
        "fixes": 4,
        "speed_kmh": spread(20, 10, 30, 3),  # the null-island fix's 300 km/h left out
        "fuel_level_pct": spread(46, 40, 50, 4),  # its readings kept
        "coolant_temp_c": spread(85, 70, 100, 4),
        "rpm": spread(1625, 500, 3000, 4),
    }
    assert second["fixes"] == 4
    assert second["speed_kmh"] == spread(65, 50, 80, 4)
    assert second["rpm"] == spread(1500, 1500, 1500, 1)  # "fast" and 10**400 left out
    assert second["fuel_level_pct"] is None  # true, "12", [1], 1e13: nothing usable
    assert second["coolant_temp_c"] is None  # null, an object, -10**400
    assert third == {
        "start": third["start"],
        "fixes": 1,
        "speed_kmh": None,
        "fuel_level_pct": None,
        "coolant_temp_c": None,
        "rpm": None,
    }
    assert last["speed_kmh"] == spread(0, 0, 0, 1)
    assert last["fuel_level_pct"] == spread(45.5, 45.5, 45.5, 1)


async def test_default_window_is_the_last_24_hours(
    live_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    response = await get(live_client, telemetry)
    assert response.status_code == 200, response.text
    body = response.json()
    start, end = datetime.fromisoformat(body["from"]), datetime.fromisoformat(body["to"])
    assert end - start == timedelta(hours=24)
    assert abs(end - datetime.now(UTC)) < timedelta(minutes=1)
    assert body["bucket_seconds"] == 24 * 3600 // 120
    assert sum(b["fixes"] for b in body["buckets"]) == len(telemetry.times)


async def test_one_bucket_over_the_whole_window(
    live_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    response = await get(live_client, telemetry, **hour_from(telemetry.t0, buckets=1))
    (only,) = response.json()["buckets"]
    assert response.json()["bucket_seconds"] == 3600
    assert datetime.fromisoformat(only["start"]) == telemetry.t0
    assert only["fixes"] == 10
    assert only["speed_kmh"]["count"] == 8  # valid fixes with a speed
    assert (only["speed_kmh"]["min"], only["speed_kmh"]["max"]) == (0, 80)


async def test_empty_window_has_no_buckets(
    live_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    empty = telemetry.t0 - timedelta(days=2)
    response = await get(live_client, telemetry, **hour_from(empty))
    assert response.status_code == 200, response.text
    assert response.json()["buckets"] == []
    assert response.json()["bucket_seconds"] == 600


async def test_seven_days_is_the_widest_window(
    live_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    end = telemetry.t0 + HOUR
    response = await get(
        live_client, telemetry, **{"from": iso(end - timedelta(days=7)), "to": iso(end)}
    )
    assert response.status_code == 200, response.text
    assert response.json()["bucket_seconds"] == 7 * 24 * 3600 // 120


@pytest.mark.parametrize(
    ("params", "details"),
    [
        ({"from": "2024-01-01T00:00:00"}, {"loc": ["query", "from"]}),  # no offset
        ({"to": "2024-01-01T00:00:00"}, {"loc": ["query", "to"]}),
        ({"from": "yesterday"}, {"loc": ["query", "from"]}),
        (
            {"from": "2024-01-02T00:00:00Z", "to": "2024-01-01T00:00:00Z"},
            {"field": "from"},
        ),
        ({"from": "2024-01-01T00:00:00Z", "to": "2024-01-01T00:00:00Z"}, {"field": "from"}),
        (
            {"from": "2024-01-01T00:00:00Z", "to": "2024-01-08T00:00:01Z"},
            {"field": "from", "max_days": 7},
        ),
        ({"buckets": "0"}, {"loc": ["query", "buckets"]}),
        ({"buckets": "1001"}, {"loc": ["query", "buckets"]}),
        ({"buckets": "many"}, {"loc": ["query", "buckets"]}),
    ],
)
async def test_bad_parameters_are_422(
    live_client: httpx.AsyncClient,
    telemetry: Telemetry,
    params: dict[str, str],
    details: dict[str, Any],
) -> None:
    response = await get(live_client, telemetry, **params)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    if "loc" in details:
        assert [e["loc"] for e in error["details"]["errors"]] == [details["loc"]]
    else:
        assert error["details"] == details


async def test_a_vehicle_id_that_is_no_uuid_is_422(
    live_client: httpx.AsyncClient, telemetry: Telemetry
) -> None:
    response = await live_client.get(
        "/api/v1/vehicles/not-a-uuid/telemetry", headers=telemetry.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


async def test_other_tenant_and_unknown_vehicle_get_404(
    live_client: httpx.AsyncClient, telemetry: Telemetry, live_tenants: Tenants
) -> None:
    other = await get(live_client, telemetry, headers=live_tenants.b.owner)
    assert other.status_code == 404, other.text
    assert other.json()["error"] == {
        "code": "not_found",
        "message": "No such vehicle.",
        "details": {"entity_type": "vehicle", "id": str(telemetry.tracked.vehicle_id)},
    }
    unknown = await live_client.get(
        f"/api/v1/vehicles/{uuid.uuid4()}/telemetry", headers=telemetry.headers
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"


async def test_anonymous_is_refused(live_client: httpx.AsyncClient, telemetry: Telemetry) -> None:
    response = await live_client.get(telemetry.url)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


async def test_role_without_vehicles_read_is_refused(
    live_client: httpx.AsyncClient, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every role reads vehicles today; take the permission away to see the guard work
    monkeypatch.setitem(
        ROLE_PERMISSIONS,
        Role.VIEWER,
        ROLE_PERMISSIONS[Role.VIEWER] - {Permission.VEHICLES_READ},
    )
    viewer = telemetry.tracked.tenant.as_(Role.VIEWER)
    refused = await get(live_client, telemetry, headers=viewer)
    assert refused.status_code == 403
    assert refused.json()["error"]["details"] == {"required": "vehicles:read"}
    driver = await get(live_client, telemetry, headers=telemetry.tracked.tenant.as_(Role.DRIVER))
    assert driver.status_code == 200


@given(
    window=st.integers(min_value=1, max_value=7 * 24 * 3600 * 10**6),
    buckets=st.integers(min_value=1, max_value=1000),
)
def test_bucket_width_is_the_narrowest_whole_second_that_fits(window: int, buckets: int) -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    span = timedelta(microseconds=window)
    width = bucket_width(start, start + span, buckets)
    assert width >= timedelta(seconds=1)
    assert width.microseconds == 0
    assert math.ceil(span / width) <= buckets
    if width > timedelta(seconds=1):  # a second narrower would need too many buckets
        assert math.ceil(span / (width - timedelta(seconds=1))) > buckets


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    offset=st.integers(min_value=-600, max_value=3600),
    span=st.integers(min_value=1, max_value=5 * 3600),
    buckets=st.integers(min_value=1, max_value=1000),
)
async def test_any_window_fits_its_buckets_and_counts_every_fix(
    live_client: httpx.AsyncClient, telemetry: Telemetry, offset: int, span: int, buckets: int
) -> None:
    start = telemetry.t0 + timedelta(seconds=offset)
    end = start + timedelta(seconds=span)
    params = {"from": iso(start), "to": iso(end), "buckets": buckets}
    response = await get(live_client, telemetry, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    width = timedelta(seconds=body["bucket_seconds"])
    assert len(body["buckets"]) <= buckets
    starts = [datetime.fromisoformat(b["start"]) for b in body["buckets"]]
    assert starts == sorted(set(starts))
    for bucket_start in starts:
        assert start <= bucket_start < end
        assert (bucket_start - start) % width == timedelta(0)
    in_window = [t for t in telemetry.times if start <= t < end]
    assert sum(b["fixes"] for b in body["buckets"]) == len(in_window)
