"""Device offline: a vehicle a device_offline rule covers gets an alert (and its owner a
notification) once its tracker has been silent for the rule's minutes, cleared when it
reports again; a vehicle whose rule turns the kind off is never watched."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.notifications.conftest import Desk


async def _reporting(desk: Desk, heard_at: datetime) -> uuid.UUID:
    vehicle = await desk.vehicle(desk.a)
    device = await desk.client.post(
        "/api/v1/devices",
        json={
            "unique_id": str(350000000000000 + uuid.uuid4().int % 10**14),
            "protocol": "teltonika",
            "vehicle_id": str(vehicle),
        },
        headers=desk.a.owner,
    )
    assert device.status_code == 201, device.text
    await _heard(desk, vehicle, uuid.UUID(device.json()["id"]), heard_at)
    return vehicle


async def _heard(desk: Desk, vehicle: uuid.UUID, device: uuid.UUID | None, at: datetime) -> None:
    """The vehicle's latest state, as the ingest pipeline keeps it."""
    await desk.fetch(
        "insert into vehicle_state (tenant_id, vehicle_id, device_id, fix_time, server_time, "
        "latitude, longitude) values ($1, $2, $3, $4, $4, 60.17, 24.94) "
        "on conflict (tenant_id, vehicle_id) do update set server_time = excluded.server_time, "
        "fix_time = excluded.fix_time",
        desk.a.id,
        vehicle,
        device or uuid.uuid4(),
        at,
    )


async def test_a_silent_tracker_raises_device_offline_once_and_clears(desk: Desk) -> None:
    now = datetime.now(UTC)
    watched = await _reporting(desk, now - timedelta(minutes=1))
    ignored = await _reporting(desk, now - timedelta(minutes=1))
    await desk.rule(desk.a, kind="device_offline", thresholds={"after_minutes": 10})
    await desk.rule(desk.a, kind="device_offline", enabled=False, vehicle_ids=[str(ignored)])
    await desk.dispatcher(notification_offline_sweep_s=0.05)
    await desk.settled()
    assert not await _offline_alerts(desk)

    desk.clock.advance(timedelta(minutes=15))
    [alert] = await _sweeps_until(desk, lambda alerts: len(alerts) > 0)
    await desk.settled()
    assert alert["vehicle_id"] == watched and alert["cleared_at"] is None
    assert str(alert["message"]).startswith("No data from the tracker for 16 min")
    assert alert["details"]  # when it was last heard
    [notice] = [r for r in await desk.notifications(desk.a) if r["kind"] == "device_offline"]
    assert notice["title"].startswith("Device offline on ")

    await _heard(desk, watched, None, desk.clock())
    [alert] = await _sweeps_until(desk, lambda alerts: alerts[0]["cleared_at"] is not None)
    assert alert["vehicle_id"] == watched


async def _sweeps_until(
    desk: Desk, done: Callable[[list[dict[str, object]]], bool]
) -> list[dict[str, object]]:
    """Dispatcher rounds until the device_offline alerts satisfy ``done``."""
    async with asyncio.timeout(10):
        while not done(alerts := await _offline_alerts(desk)):
            await desk.rounds(1)
    return alerts


async def _offline_alerts(desk: Desk) -> list[dict[str, object]]:
    rows = await desk.fetch(
        "select vehicle_id, message, details, cleared_at from alerts "
        "where tenant_id = $1 and kind = 'device_offline' order by opened_at",
        desk.a.id,
    )
    return [dict(r) for r in rows]
