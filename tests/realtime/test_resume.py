"""A client that drops its connection catches up without gaps: it resubscribes with the last
``seq`` it saw and gets every event it missed and each vehicle's newest position — or, when
what it missed is no longer buffered, ``resync_required`` and where to fetch a snapshot."""

from __future__ import annotations

import asyncio
import time

import httpx

from fleetyard.auth.roles import Role
from fleetyard.config import Settings
from fleetyard.db import Database
from tests.realtime.support import (
    RunningApp,
    Socket,
    Tracker,
    bearer,
    live_settings,
    record,
    refused,
    running_app,
)
from tests.telematics.conftest import register_tracked

T0 = int(time.time() * 1000) - 120_000


def highest_seq(socket: Socket) -> int:
    return max(m["seq"] for m in socket.received)


async def test_a_reconnecting_client_gets_what_it_missed(
    live_app: RunningApp, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "resume")
    key = tracked.tenant.keys[Role.FLEET_MANAGER].key
    tracker = await Tracker.connect(live_app.ports["teltonika"], tracked.unique_id)
    async with Socket.open(live_app.ws_url, **bearer(key)) as first:
        await first.subscribe(fleet=True, min_interval_ms=0)
        await tracker.send(record(T0, 60.10, 24.90))
        await first.wait_for(lambda m: m["type"] == "vehicle.position")
        last_seen = highest_seq(first)
    # while nobody listens: two moves and two changes
    await tracker.send(record(T0 + 1000, 60.1001, 24.90))
    await tracker.send(record(T0 + 2000, 60.1002, 24.90))
    async with httpx.AsyncClient(base_url=live_app.base_url, headers=tracked.tenant.owner) as http:
        for name in ("Truck 1", "Truck 2"):
            assert (
                await http.patch(f"/api/v1/vehicles/{tracked.vehicle_id}", json={"name": name})
            ).status_code == 200
    await asyncio.sleep(0.2)
    async with Socket.open(live_app.ws_url, **bearer(key)) as second:
        subscribed = await second.subscribe(fleet=True, min_interval_ms=0, since_seq=last_seen)
        assert subscribed["payload"]["resumed"] is True
        await second.wait_for(lambda _: len(second.of_type("vehicle_updated")) == 2)
        await second.wait_for(lambda m: m["type"] == "vehicle.position")
        await tracker.send(record(T0 + 3000, 60.1003, 24.90))  # and live again after that
        await second.wait_for(lambda _: len(second.positions()) == 2)
    await tracker.close()
    names = [m["payload"]["changes"]["name"]["after"] for m in second.of_type("vehicle_updated")]
    assert names == ["Truck 1", "Truck 2"]
    # coalesced: the newest missed position only, then the live one
    assert [p["latitude"] for p in second.positions()] == [60.1002, 60.1003]
    missed = [m["seq"] for m in second.received if m["type"] in ("vehicle_updated",)]
    assert all(seq > last_seen for seq in missed)
    assert second.of_type("resync_required") == []


async def test_a_seq_from_long_ago_is_told_to_resync(
    live_app: RunningApp, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "resync")
    async with Socket.open(live_app.ws_url, **bearer(tracked.tenant.keys[Role.VIEWER].key)) as ws:
        subscribed = await ws.subscribe(fleet=True, since_seq=12345)
        assert subscribed["payload"]["resumed"] is False
        resync = await ws.wait_for(lambda m: m["type"] == "resync_required")
    assert resync["payload"]["snapshot"] == "/api/v1/fleet/state"
    assert resync["payload"]["reason"] in ("too_old", "unknown_seq")


async def test_a_seq_from_the_future_is_told_to_resync(
    live_app: RunningApp, app_database: Database
) -> None:
    """A number the stream never reached: a server restarted since (numbers start anew)."""
    tracked = await register_tracked(app_database, "future")
    async with Socket.open(live_app.ws_url, **bearer(tracked.tenant.keys[Role.VIEWER].key)) as ws:
        welcome = await ws.wait_for(lambda m: m["type"] == "welcome")
        subscribed = await ws.subscribe(fleet=True, since_seq=welcome["seq"] + 1000)
    assert subscribed["payload"]["resumed"] is False


async def test_heartbeats_flow_and_a_silent_client_is_dropped(
    settings: Settings, app_database: Database
) -> None:
    quick = live_settings(settings, live_heartbeat_s=0.3, live_client_timeout_s=1.0)
    tracked = await register_tracked(app_database, "beat")
    async with running_app(quick) as app:
        key = tracked.tenant.keys[Role.VIEWER].key
        async with (
            Socket.open(app.ws_url, **bearer(key)) as talking,
            Socket.open(app.ws_url, **bearer(key)) as silent,
        ):
            await talking.subscribe(fleet=True)
            await silent.wait_for(lambda m: m["type"] == "heartbeat", within_s=3)
            for _ in range(8):  # talking keeps pinging for 1.6 s
                await talking.send({"type": "ping"})
                await asyncio.sleep(0.2)
            await asyncio.wait_for(silent.ws.wait_closed(), 3)
            assert silent.ws.close_code == 4009
            assert silent.ws.close_reason == "heartbeat_timeout"
            await talking.send({"type": "ping", "id": "alive"})
            await talking.wait_for(lambda m: m["type"] == "pong" and m["payload"]["id"] == "alive")


async def test_a_tenants_connection_cap_answers_429(
    settings: Settings, app_database: Database
) -> None:
    capped = live_settings(settings, live_max_connections_per_tenant=1)
    tracked = await register_tracked(app_database, "cap")
    async with running_app(capped) as app:
        key = tracked.tenant.keys[Role.VIEWER].key
        async with Socket.open(app.ws_url, **bearer(key)) as first:
            await first.wait_for(lambda m: m["type"] == "welcome")
            status, error = await refused(app.ws_url, **bearer(key))
            assert status == 429
            assert error["code"] == "too_many_connections"
        await asyncio.sleep(0.1)  # the first one hung up: room again
        async with Socket.open(app.ws_url, **bearer(key)) as again:
            await again.wait_for(lambda m: m["type"] == "welcome")
