"""The WebSocket end to end: a real device over TCP, the real gateway and PostgreSQL, the
hub, and a real WebSocket client — per scenario: anonymous, foreign origin, other tenant,
malformed messages, and what a subscriber receives (positions, record events, alerts)."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from fleetyard.auth.roles import Role
from fleetyard.db import Database
from tests.factories import PASSWORD
from tests.realtime.support import (
    COOLANT_IO,
    RunningApp,
    Socket,
    Tracker,
    bearer,
    record,
    refused,
)
from tests.telematics.conftest import Tracked, register_tracked

T0 = int(time.time() * 1000) - 60_000  # fix times a minute ago, one second apart


async def test_anonymous_is_refused_with_401(live_app: RunningApp) -> None:
    status, error = await refused(live_app.ws_url)
    assert status == 401
    assert error["code"] == "not_authenticated"


async def test_a_wrong_key_is_refused_with_401(live_app: RunningApp) -> None:
    status, error = await refused(live_app.ws_url, **bearer("fy_nope"))
    assert status == 401
    assert error["code"] == "not_authenticated"


async def test_positions_reach_a_fleet_subscriber_in_order(
    live_app: RunningApp, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "ws-order")
    async with Socket.open(live_app.ws_url, **bearer(tracked.tenant.keys[Role.VIEWER].key)) as ws:
        welcome = await ws.wait_for(lambda m: m["type"] == "welcome")
        assert welcome["payload"]["tenant_id"] == str(tracked.tenant.id)
        await ws.subscribe(fleet=True, min_interval_ms=0)
        tracker = await Tracker.connect(live_app.ports["teltonika"], tracked.unique_id)
        for i in range(5):
            await tracker.send(record(T0 + i * 1000, 60.17 + i * 0.0001, 24.94))
        await ws.wait_for(lambda _: len(ws.positions()) >= 5)
        await tracker.close()
    positions = ws.positions()
    assert [p["latitude"] for p in positions] == pytest.approx(
        [60.17 + i * 0.0001 for i in range(5)]
    )
    assert {p["vehicle_id"] for p in positions} == {str(tracked.vehicle_id)}
    assert all(p["device_id"] == str(tracked.device_id) for p in positions)
    seqs = [p["seq"] for p in positions]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5


async def test_by_default_one_position_per_vehicle_per_second(
    live_app: RunningApp, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "ws-throttle")
    async with Socket.open(live_app.ws_url, **bearer(tracked.tenant.keys[Role.VIEWER].key)) as ws:
        await ws.subscribe(fleet=True)  # default: at most one per vehicle per second
        tracker = await Tracker.connect(live_app.ports["teltonika"], tracked.unique_id)
        started = time.monotonic()
        for i in range(6):  # six fixes within a fraction of a second
            await tracker.send(record(T0 + i * 1000, 60.2, 24.9 + i * 0.0001))
        await ws.wait_for(lambda _: any(p["longitude"] > 24.90049 for p in ws.positions()))
        elapsed = time.monotonic() - started
        await tracker.close()
    positions = ws.positions()
    assert len(positions) == 2  # the first at once, then the latest (coalesced) a second later
    assert positions[-1]["longitude"] == pytest.approx(24.9005)
    assert elapsed >= 0.9


async def test_a_vehicle_subscription_sees_only_that_vehicle(
    live_app: RunningApp, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "ws-one")
    other = await _second_vehicle(live_app, tracked)
    async with Socket.open(live_app.ws_url, **bearer(tracked.tenant.keys[Role.VIEWER].key)) as ws:
        await ws.subscribe(vehicles=[str(tracked.vehicle_id)], min_interval_ms=0)
        mine = await Tracker.connect(live_app.ports["teltonika"], tracked.unique_id)
        theirs = await Tracker.connect(live_app.ports["teltonika"], other)
        for i in range(3):
            await theirs.send(record(T0 + i * 1000, 60.3, 24.8))
            await mine.send(record(T0 + i * 1000, 60.1, 24.7))
        await ws.wait_for(lambda _: len(ws.positions()) >= 3)
        await asyncio.sleep(0.2)
        await mine.close()
        await theirs.close()
    assert {p["vehicle_id"] for p in ws.positions()} == {str(tracked.vehicle_id)}


async def _second_vehicle(live_app: RunningApp, tracked: Tracked) -> str:
    """Another vehicle with a device in the same tenant, made through the API; its IMEI."""
    imei = str(351000000000000 + uuid.uuid4().int % 10**14)
    async with httpx.AsyncClient(base_url=live_app.base_url, headers=tracked.tenant.owner) as http:
        vehicle = await http.post("/api/v1/vehicles", json={"plate": f"P-{imei[-5:]}"})
        assert vehicle.status_code == 201, vehicle.text
        device = await http.post(
            "/api/v1/devices",
            json={"unique_id": imei, "protocol": "teltonika", "vehicle_id": vehicle.json()["id"]},
        )
        assert device.status_code == 201, device.text
    return imei


async def test_another_tenants_vehicles_are_not_found_and_never_sent(
    live_app: RunningApp, app_database: Database
) -> None:
    a = await register_tracked(app_database, "ws-a")
    b = await register_tracked(app_database, "ws-b")
    async with Socket.open(live_app.ws_url, **bearer(b.tenant.keys[Role.OWNER].key)) as ws:
        await ws.send({"type": "subscribe", "vehicles": [str(a.vehicle_id)], "min_interval_ms": 0})
        error = await ws.wait_for(lambda m: m["type"] == "error")
        assert error["payload"]["code"] == "not_found"
        assert error["payload"]["details"]["vehicles"] == [str(a.vehicle_id)]
        await ws.subscribe(fleet=True, min_interval_ms=0)
        tracker = await Tracker.connect(live_app.ports["teltonika"], a.unique_id)
        await tracker.send(record(T0, 60.0, 24.0))
        await tracker.close()
        async with httpx.AsyncClient(base_url=live_app.base_url, headers=a.tenant.owner) as http:
            patched = await http.patch(f"/api/v1/vehicles/{a.vehicle_id}", json={"name": "A1"})
            assert patched.status_code == 200
        await asyncio.sleep(0.5)
    assert ws.positions() == []
    assert not [m for m in ws.received if m["type"] == "vehicle_updated"]


async def test_malformed_messages_get_errors_and_the_connection_lives_on(
    live_app: RunningApp, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "ws-bad")
    async with Socket.open(live_app.ws_url, **bearer(tracked.tenant.keys[Role.VIEWER].key)) as ws:
        for bad in (
            "not json",
            '{"type": "subscribe", "vehicles": ["not-a-uuid"]}',
            '{"type": "subscribe", "min_interval_ms": -1}',
            '{"type": "launch"}',
            '{"type": "subscribe", "fleet": true, "surprise": 1}',
            "[]",
        ):
            await ws.ws.send(bad)
        await ws.send({"type": "ping", "id": "still-there"})
        pong = await ws.wait_for(lambda m: m["type"] == "pong")
        assert pong["payload"]["id"] == "still-there"
    errors = ws.of_type("error")
    assert len(errors) == 6
    assert {e["payload"]["code"] for e in errors} == {"validation_failed"}


async def test_an_oversized_message_closes_with_1009(
    live_app: RunningApp, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "ws-big")
    async with Socket.open(live_app.ws_url, **bearer(tracked.tenant.keys[Role.VIEWER].key)) as ws:
        await ws.ws.send("x" * (70 * 1024))
        await asyncio.wait_for(ws.ws.wait_closed(), 5)
    assert ws.ws.close_code == 1009


async def test_record_events_follow_the_readers_permissions(
    live_app: RunningApp, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "ws-events")
    keys = tracked.tenant.keys
    async with (
        Socket.open(live_app.ws_url, **bearer(keys[Role.FLEET_MANAGER].key)) as manager,
        Socket.open(live_app.ws_url, **bearer(keys[Role.DRIVER].key)) as driver,
    ):
        await manager.subscribe(fleet=True)
        await driver.subscribe(fleet=True)
        async with httpx.AsyncClient(
            base_url=live_app.base_url, headers=tracked.tenant.owner
        ) as http:
            patched = await http.patch(
                f"/api/v1/vehicles/{tracked.vehicle_id}", json={"name": "Van 7"}
            )
            assert patched.status_code == 200
            created = await http.post(
                "/api/v1/drivers", json={"name": "Ann Driver", "licence_number": "L-1"}
            )
            assert created.status_code == 201, created.text
        for socket in (manager, driver):
            updated = await socket.wait_for(lambda m: m["type"] == "vehicle_updated")
            assert updated["payload"]["entity_id"] == str(tracked.vehicle_id)
            assert updated["payload"]["changes"]["name"]["after"] == "Van 7"
        await manager.wait_for(lambda m: m["type"] == "driver_created")
        await asyncio.sleep(0.3)
    assert driver.of_type("driver_created") == []  # drivers:read is not a driver's


async def test_an_alert_opens_live(live_app: RunningApp, app_database: Database) -> None:
    tracked = await register_tracked(app_database, "ws-alert")
    async with Socket.open(live_app.ws_url, **bearer(tracked.tenant.keys[Role.VIEWER].key)) as ws:
        await ws.subscribe(vehicles=[str(tracked.vehicle_id)])
        tracker = await Tracker.connect(live_app.ports["teltonika"], tracked.unique_id)
        await tracker.send(record(T0, 60.17, 24.94, io={COOLANT_IO: 121}))
        opened = await ws.wait_for(lambda m: m["type"] == "alert.opened")
        await tracker.send(record(T0 + 60_000, 60.17, 24.94, io={COOLANT_IO: 90}))
        cleared = await ws.wait_for(lambda m: m["type"] == "alert.cleared")
        await tracker.close()
    assert opened["payload"]["vehicle_id"] == str(tracked.vehicle_id)
    assert opened["payload"]["severity"] == "critical"
    assert opened["payload"]["state"] == "open"
    assert cleared["payload"]["id"] == opened["payload"]["id"]
    assert cleared["payload"]["state"] == "cleared"
    assert ws.of_type("alert_opened") == []  # carried once, as alert.opened


async def _login_cookie(live_app: RunningApp, tracked: Tracked) -> str:
    async with httpx.AsyncClient(base_url=live_app.base_url) as http:
        response = await http.post(
            "/api/v1/auth/login",
            json={"email": tracked.tenant.owner_email, "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        return "; ".join(f"{k}={v}" for k, v in response.cookies.items())


async def test_a_session_cookie_works_from_our_own_origin_only(
    live_app: RunningApp, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "ws-cookie")
    cookie = await _login_cookie(live_app, tracked)
    own = {"additional_headers": {"Cookie": cookie}, "origin": live_app.base_url}
    async with Socket.open(live_app.ws_url, **own) as ws:  # type: ignore[arg-type]
        welcome = await ws.wait_for(lambda m: m["type"] == "welcome")
        assert welcome["payload"]["tenant_id"] == str(tracked.tenant.id)
    foreign = {"additional_headers": {"Cookie": cookie}, "origin": "http://evil.example"}
    status, error = await refused(live_app.ws_url, **foreign)
    assert status == 403
    assert error["details"] == {"reason": "origin"}


async def test_a_group_subscription_follows_nested_groups_and_moving_vehicles(
    live_app: RunningApp, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "ws-group")
    other_imei = await _second_vehicle(live_app, tracked)
    async with httpx.AsyncClient(base_url=live_app.base_url, headers=tracked.tenant.owner) as http:
        region = (await http.post("/api/v1/groups", json={"name": "Region"})).json()
        depot = await http.post("/api/v1/groups", json={"name": "Depot", "parent_id": region["id"]})
        assert depot.status_code == 201, depot.text
        moved = await http.patch(
            f"/api/v1/vehicles/{tracked.vehicle_id}", json={"group_id": depot.json()["id"]}
        )
        assert moved.status_code == 200
        vehicles = (await http.get("/api/v1/vehicles", params={"limit": 10})).json()["items"]
        other_id = next(v["id"] for v in vehicles if v["id"] != str(tracked.vehicle_id))
        async with Socket.open(
            live_app.ws_url, **bearer(tracked.tenant.keys[Role.VIEWER].key)
        ) as ws:
            await ws.subscribe(groups=[region["id"]], min_interval_ms=0)
            mine = await Tracker.connect(live_app.ports["teltonika"], tracked.unique_id)
            theirs = await Tracker.connect(live_app.ports["teltonika"], other_imei)
            await mine.send(record(T0, 60.4, 24.6))
            await theirs.send(record(T0, 60.5, 24.5))
            await ws.wait_for(lambda _: len(ws.positions()) == 1)
            assert ws.positions()[0]["vehicle_id"] == str(tracked.vehicle_id)
            # the other vehicle joins the depot: its positions follow from then on
            joined = await http.patch(
                f"/api/v1/vehicles/{other_id}", json={"group_id": depot.json()["id"]}
            )
            assert joined.status_code == 200
            await asyncio.sleep(1.0)  # the membership refresh (0.5 s after the change) settles
            await theirs.send(record(T0 + 1000, 60.5001, 24.5))
            await ws.wait_for(lambda _: any(p["vehicle_id"] == other_id for p in ws.positions()))
            await mine.close()
            await theirs.close()
