"""The driving-behaviour API on committed data: fixes through the real pipeline, then the
driver's scorecard (its arithmetic worked out again here from the events it lists), the
driving events, the leaderboard; another tenant sees nothing; bad input is a 4xx, never a 500."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.behaviour import scoring
from fleetyard.db import Database, set_tenant
from fleetyard.drivers.schemas import DriverCreate
from fleetyard.drivers.service import DriverService
from fleetyard.kit.ids import TenantId
from tests.behaviour.feeding import Feeder
from tests.behaviour.test_handler import DRIVE, T0
from tests.behaviour.tracks import accelerate, brake, cruise, generate, stand
from tests.telematics.conftest import Tracked, register_tracked


async def add_driver(app_database: Database, tracked: Tracked, name: str) -> uuid.UUID:
    async with app_database.sessionmaker() as session:
        await set_tenant(session, TenantId(tracked.tenant.id))
        actor = Principal.system(TenantId(tracked.tenant.id))
        driver = await DriverService(session, actor).create(
            DriverCreate(name=name, assigned_vehicle_id=tracked.vehicle_id)
        )
        await session.commit()
        return driver.id


@pytest.fixture
async def driven(feeder: Feeder, tracked: Tracked, app_database: Database) -> Tracked:
    await set_zone(app_database, tracked, ZONE)
    await add_driver(app_database, tracked, "Aino Virtanen")
    await feeder.feed(tracked, generate(T0, DRIVE))
    return tracked


def daytime_zone(moment: datetime) -> str:
    """A fixed-offset zone where ``moment`` is around noon: tests run at any hour, and a drive
    at 04:00 UTC would be night driving."""
    offset = (12 - moment.hour + 12) % 24 - 12  # -12 … +11 hours
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


ZONE = daytime_zone(T0)


async def set_zone(app_database: Database, tracked: Tracked, zone: str) -> None:
    async with app_database.sessionmaker() as session:
        await set_tenant(session, TenantId(tracked.tenant.id))
        await session.execute(
            text("update tenants set time_zone = :zone where id = :id"),
            {"zone": zone, "id": tracked.tenant.id},
        )
        await session.commit()


async def get(
    client: httpx.AsyncClient,
    tracked: Tracked,
    path: str,
    *,
    role: Role = Role.VIEWER,
    **params: Any,
) -> httpx.Response:
    return await client.get(f"/api/v1{path}", params=params, headers=tracked.tenant.as_(role))


async def driver_of(feeder: Feeder, tracked: Tracked) -> uuid.UUID:
    rows = await feeder.fetch(
        tracked.tenant.id,
        "select id from drivers where assigned_vehicle_id = $1",
        tracked.vehicle_id,
    )
    driver_id: uuid.UUID = rows[0]["id"]
    return driver_id


async def test_the_scorecard_lists_every_deduction_with_its_events(
    live_client: httpx.AsyncClient, feeder: Feeder, driven: Tracked
) -> None:
    driver_id = await driver_of(feeder, driven)
    response = await get(live_client, driven, f"/drivers/{driver_id}/scorecard", period="day")
    assert response.status_code == 200, response.text
    card = response.json()
    assert card["driver_name"] == "Aino Virtanen" and card["time_zone"] == ZONE
    events = await feeder.events_of(driven)
    trips = await feeder.fetch(
        driven.tenant.id, "select distance_m, driving_s from trips where driver_id = $1", driver_id
    )
    assert trips, "the trips detector attributed the drive to the driver"
    km = sum(t["distance_m"] for t in trips) / 1000
    hours = sum(t["driving_s"] for t in trips) / 3600
    # the arithmetic again, by hand: per 100 km at least 50 km, per hour at least 1 h
    expected = {}
    for event in events:
        if event["kind"] == "idling":
            points = 0.5 * event["duration_s"] / 60 / max(hours, 1.0)
        else:
            weight = scoring.PER_DISTANCE[event["kind"]][event["severity"]]
            minutes = min(5.0, max(1.0, event["duration_s"] / 60))
            factor = minutes if event["kind"] == "speeding" else 1.0
            points = weight * factor * 100 / max(km, 50.0)
        expected[str(event["id"])] = points
    listed = {e["id"]: e for d in card["deductions"] for e in d["events"]}
    assert set(listed) == set(expected)
    for event_id, points in expected.items():
        assert listed[event_id]["points"] == pytest.approx(points, abs=0.01)
    assert card["score"] == pytest.approx(100 - sum(expected.values()), abs=0.06)
    braking = next(d for d in card["deductions"] if d["kind"] == "harsh_braking")
    row = next(e for e in events if e["kind"] == "harsh_braking")
    shown = braking["events"][0]
    assert (shown["latitude"], shown["longitude"]) == (row["latitude"], row["longitude"])
    assert shown["why"].startswith("6.0 (medium) × 100 km")
    assert [p["score"] for p in card["periods"]] == [card["score"]]  # one day
    assert card["method"]["min_distance_km"] == 50.0
    by_trip = await get(live_client, driven, f"/drivers/{driver_id}/scorecard", period="trip")
    assert by_trip.status_code == 200, by_trip.text
    assert all(p["trip_id"] for p in by_trip.json()["periods"])
    weekly = await get(live_client, driven, f"/drivers/{driver_id}/scorecard", period="week")
    assert weekly.json()["score"] == card["score"]


async def test_driving_events_filtered_and_paged(
    live_client: httpx.AsyncClient, feeder: Feeder, driven: Tracked
) -> None:
    everything = await get(
        live_client, driven, "/driving-events", vehicle_id=str(driven.vehicle_id)
    )
    assert everything.status_code == 200, everything.text
    items = everything.json()["items"]
    assert [i["kind"] for i in items] == ["idling", "speeding", "harsh_braking"]  # latest first
    speeding = items[1]
    assert speeding["limit_kmh"] == 50 and speeding["excess_kmh"] == 18
    assert len(speeding["fixes"]) >= 20 and speeding["fixes"][0]["speed_kmh"] > 55
    only = await get(live_client, driven, "/driving-events", kind="harsh_braking")
    assert [i["kind"] for i in only.json()["items"]] == ["harsh_braking"]
    first = await get(live_client, driven, "/driving-events", limit=2)
    rest = await get(
        live_client, driven, "/driving-events", limit=2, cursor=first.json()["next_cursor"]
    )
    ids = [i["id"] for i in first.json()["items"] + rest.json()["items"]]
    assert ids == [i["id"] for i in items]
    one = await get(live_client, driven, f"/driving-events/{items[2]['id']}")
    assert one.json()["peak_g"] == items[2]["peak_g"]
    driver_id = await driver_of(feeder, driven)
    by_driver = await get(live_client, driven, "/driving-events", driver_id=str(driver_id))
    assert len(by_driver.json()["items"]) == 3


async def test_the_leaderboard_ranks_the_tenants_drivers(
    live_client: httpx.AsyncClient, feeder: Feeder, driven: Tracked, app_database: Database
) -> None:
    calm = await register_tracked(app_database, "behaviour-calm")
    # the same tenant: a second vehicle and driver who drives without events
    async with app_database.sessionmaker() as session:
        await set_tenant(session, TenantId(driven.tenant.id))
        from fleetyard.devices.schemas import DeviceCreate
        from fleetyard.devices.service import DeviceService
        from fleetyard.vehicles.schemas import VehicleCreate
        from fleetyard.vehicles.service import VehicleService

        actor = Principal.system(TenantId(driven.tenant.id))
        vehicle = await VehicleService(session, actor).create(VehicleCreate(plate="CALM-1"))
        await DeviceService(session, actor).create(
            DeviceCreate(
                unique_id=calm.unique_id + "1", protocol="teltonika", vehicle_id=vehicle.id
            )
        )
        await DriverService(session, actor).create(
            DriverCreate(name="Calm Driver", assigned_vehicle_id=vehicle.id)
        )
        await session.commit()
    second = Tracked(driven.tenant, vehicle.id, uuid.uuid4(), calm.unique_id + "1")
    calm_drive = [stand(5), accelerate(0, 45, 0.1), cruise(120, 45), brake(45, 0, 0.1), stand(200)]
    await feeder.feed(second, generate(T0, calm_drive))
    day = T0.astimezone(ZoneInfo(ZONE)).date().isoformat()
    response = await get(live_client, driven, "/drivers/leaderboard", period="day", date=day)
    assert response.status_code == 200, response.text
    entries = response.json()["entries"]
    assert [e["name"] for e in entries] == ["Calm Driver", "Aino Virtanen"], entries
    assert entries[0]["score"] == 100 and entries[0]["rank"] == 1, [
        (r["kind"], r["started_at"]) for r in await feeder.events_of(second)
    ]
    assert entries[1]["events"] == 3
    weekly = await get(live_client, driven, "/drivers/leaderboard", period="week", date=day)
    assert [e["name"] for e in weekly.json()["entries"]] == ["Calm Driver", "Aino Virtanen"]


async def test_another_tenant_sees_nothing(
    live_client: httpx.AsyncClient, feeder: Feeder, driven: Tracked, app_database: Database
) -> None:
    other = await register_tracked(app_database, "behaviour-stranger")
    driver_id = await driver_of(feeder, driven)
    event_id = (await feeder.events_of(driven))[0]["id"]
    assert (await get(live_client, other, f"/drivers/{driver_id}/scorecard")).status_code == 404
    assert (await get(live_client, other, f"/driving-events/{event_id}")).status_code == 404
    assert (await get(live_client, other, "/driving-events")).json()["items"] == []
    assert (await get(live_client, other, "/drivers/leaderboard")).json()["entries"] == []


async def test_who_may_read(
    live_client: httpx.AsyncClient, feeder: Feeder, driven: Tracked
) -> None:
    driver_id = await driver_of(feeder, driven)
    anonymous = await live_client.get(f"/api/v1/drivers/{driver_id}/scorecard")
    assert anonymous.status_code == 401
    as_driver = await get(live_client, driven, f"/drivers/{driver_id}/scorecard", role=Role.DRIVER)
    assert as_driver.status_code == 403
    both = await get(
        live_client,
        driven,
        "/driving-events",
        vehicle_id=str(driven.vehicle_id),
        driver_id=str(driver_id),
    )
    assert both.status_code == 422 and both.json()["error"]["code"]
    window: dict[str, Any] = {
        "from": datetime.now(UTC).isoformat(),
        "to": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
    }
    backwards = await get(live_client, driven, f"/drivers/{driver_id}/scorecard", **window)
    assert backwards.status_code == 422


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(["/driving-events", "/drivers/leaderboard", "/drivers/{id}/scorecard"]),
    name=st.sampled_from(
        ["vehicle_id", "driver_id", "kind", "from", "to", "limit", "cursor", "period", "date"]
    ),
    value=st.text(max_size=60),
)
async def test_no_query_string_is_a_500(
    live_client: httpx.AsyncClient, tracked: Tracked, path: str, name: str, value: str
) -> None:
    path = path.replace("{id}", str(uuid.uuid4()))
    params: dict[str, Any] = {name: value}
    response = await get(live_client, tracked, path, **params)
    assert response.status_code < 500, response.text
