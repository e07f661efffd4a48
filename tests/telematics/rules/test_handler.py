"""The after-store handler on the real database: tenants apart, one tenant's failure isolated,
late records unable to clear newer sightings."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from fleetyard.db import Database
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.ingest.directory import DeviceDirectory, DeviceRoute
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.ingest.store import Resolved
from fleetyard.telematics.position import Position
from fleetyard.telematics.rules.handler import AlertRules
from tests.telematics.conftest import Tracked, register_tracked

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)


def reading(tracked: Tracked, seconds: int, **attributes: object) -> Position:
    return Position(
        tracked.unique_id,
        "teltonika",
        T0 + timedelta(seconds=seconds),
        60.17,
        24.94,
        speed_kmh=30.0,
        attributes=dict(attributes),
    )


def resolved(tracked: Tracked, position: Position, vehicle_id: uuid.UUID | None = None) -> Resolved:
    route = DeviceRoute(tracked.tenant.id, tracked.device_id, vehicle_id or tracked.vehicle_id)
    return Resolved(route, position, datetime.now(UTC))


async def open_alerts(pool: asyncpg.Pool, tracked: Tracked) -> list[asyncpg.Record]:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tracked.tenant.id))
        return list(
            await conn.fetch(
                "select * from alerts where vehicle_id = $1 and cleared_at is null order by kind",
                tracked.vehicle_id,
            )
        )


async def test_one_batch_two_tenants_each_gets_its_own_alerts(
    ingest_pool: asyncpg.Pool, app_database: Database
) -> None:
    a = await register_tracked(app_database, "rules-a")
    b = await register_tracked(app_database, "rules-b")
    directory = DeviceDirectory(ingest_pool)
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.02, writers=1)
    pipeline.on_stored.append(AlertRules(ingest_pool))
    await pipeline.start()
    try:
        route_a, route_b = (
            await directory.resolve(a.unique_id),
            await directory.resolve(b.unique_id),
        )
        assert route_a and route_b
        await asyncio.gather(
            pipeline.submit(route_a, [reading(a, 0, **{attr.COOLANT_TEMP_C: 120})]),
            pipeline.submit(route_b, [reading(b, 0, **{attr.FUEL_LEVEL_PCT: 3})]),
        )
        await pipeline.drain()
    finally:
        await pipeline.stop()
    assert pipeline.stats.batches == 1
    assert [r["kind"] for r in await open_alerts(ingest_pool, a)] == ["coolant_high"]
    assert [r["kind"] for r in await open_alerts(ingest_pool, b)] == ["fuel_low"]


async def test_a_failing_tenant_is_logged_and_the_others_still_run(
    ingest_pool: asyncpg.Pool, app_database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    a = await register_tracked(app_database, "rules-fail")
    b = await register_tracked(app_database, "rules-ok")
    vanished = uuid.uuid4()  # a vehicle deleted after its fixes were stored
    batch = [
        resolved(a, reading(a, 0, **{attr.DTCS: ["P0300"]}), vehicle_id=vanished),
        resolved(b, reading(b, 0, **{attr.DTCS: ["P0300"]})),
    ]
    with caplog.at_level(logging.ERROR, logger="fleetyard.telematics.rules.handler"):
        await AlertRules(ingest_pool)(batch)
    assert [r["code"] for r in await open_alerts(ingest_pool, b)] == ["P0300"]
    assert "alert rules failed for a tenant batch" in caplog.text


async def test_a_late_record_cannot_clear_a_newer_sighting(
    ingest_pool: asyncpg.Pool, tracked: Tracked
) -> None:
    rules = AlertRules(ingest_pool)
    await rules([resolved(tracked, reading(tracked, 60, **{attr.COOLANT_TEMP_C: 115}))])
    # a buffered record from before the alert's last sighting arrives late
    await rules([resolved(tracked, reading(tracked, 30, **{attr.COOLANT_TEMP_C: 80}))])
    (alert,) = await open_alerts(ingest_pool, tracked)
    assert alert["last_seen_at"] == T0 + timedelta(seconds=60)
    await rules([resolved(tracked, reading(tracked, 90, **{attr.COOLANT_TEMP_C: 80}))])
    assert await open_alerts(ingest_pool, tracked) == []


async def test_fixes_without_a_vehicle_or_invalid_are_skipped(
    ingest_pool: asyncpg.Pool, tracked: Tracked
) -> None:
    unattached = Resolved(
        DeviceRoute(tracked.tenant.id, tracked.device_id, None),
        reading(tracked, 0, **{attr.FUEL_LEVEL_PCT: 1}),
        datetime.now(UTC),
    )
    invalid = resolved(tracked, reading(tracked, 1, **{attr.FUEL_LEVEL_PCT: 1}))
    invalid.invalid_reason = "teleport"
    await AlertRules(ingest_pool)([unattached, invalid])
    assert await open_alerts(ingest_pool, tracked) == []
