"""Many devices at once, as a vendor connection hands them in (a page of a whole fleet): routes
looked up together under one tenant's row-level security, and positions submitted together,
checked per device and stored in one batch. Through the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from fleetyard.db import Database
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.position import Position
from tests.telematics.conftest import Tracked, register_tracked

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def fix(tracked: Tracked, seconds: int, lat: float = 60.17, lon: float = 24.94) -> Position:
    return Position(
        unique_id=tracked.unique_id,
        protocol="geotab",
        fix_time=T0 + timedelta(seconds=seconds),
        latitude=lat,
        longitude=lon,
        speed_kmh=40.0,
    )


async def stored(pool: asyncpg.Pool, tracked: Tracked) -> list[tuple[datetime, bool]]:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tracked.tenant.id))
        rows = await conn.fetch(
            "select fix_time, valid from positions where device_id = $1 order by fix_time",
            tracked.device_id,
        )
    return [(row["fix_time"], row["valid"]) for row in rows]


async def test_routes_of_many_devices_come_from_the_tenant_named_only(
    ingest_pool: asyncpg.Pool, app_database: Database
) -> None:
    ours = await register_tracked(app_database, "many-ours")
    theirs = await register_tracked(app_database, "many-theirs")
    directory = DeviceDirectory(ingest_pool)
    # another tenant's device, already cached by the gateway's lookup, is still not ours
    assert await directory.resolve(theirs.unique_id) is not None

    routes = await directory.resolve_many(
        ours.tenant.id, [ours.unique_id, theirs.unique_id, "no-such-device"]
    )

    assert set(routes) == {ours.unique_id, theirs.unique_id, "no-such-device"}
    found = routes[ours.unique_id]
    assert found is not None
    assert (found.tenant_id, found.device_id, found.vehicle_id) == (
        ours.tenant.id,
        ours.device_id,
        ours.vehicle_id,
    )
    assert routes[theirs.unique_id] is None
    assert routes["no-such-device"] is None
    # what was found is cached for the gateway's lookups too; misses are not
    assert await directory.resolve(ours.unique_id) == found
    assert "no-such-device" not in directory._cache


async def test_many_devices_are_checked_each_against_its_own_fix_and_stored_in_one_batch(
    ingest_pool: asyncpg.Pool, app_database: Database
) -> None:
    first = await register_tracked(app_database, "batch-a")
    second = await register_tracked(app_database, "batch-b")
    directory = DeviceDirectory(ingest_pool)
    route_a = await directory.resolve(first.unique_id)
    route_b = await directory.resolve(second.unique_id)
    assert route_a is not None and route_b is not None
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.001)
    await pipeline.start()
    try:
        page = [
            # 60 km apart, one second apart: neither is a teleport, they are two vehicles
            (route_a, [fix(first, 1), fix(first, 2, lat=60.1701)]),
            (route_b, [fix(second, 1, lat=60.71), fix(second, 2, lat=0.0, lon=0.0)]),
        ]
        await pipeline.submit_many(page)
        batches = pipeline.stats.batches
        await pipeline.submit_many(page)  # the page read again: nothing new
        await pipeline.drain()
    finally:
        await pipeline.stop()

    assert batches == 1
    assert pipeline.stats.fresh == 4
    assert await stored(ingest_pool, first) == [
        (T0 + timedelta(seconds=1), True),
        (T0 + timedelta(seconds=2), True),
    ]
    assert await stored(ingest_pool, second) == [
        (T0 + timedelta(seconds=1), True),
        (T0 + timedelta(seconds=2), False),  # null island, flagged and kept
    ]


async def test_a_submission_of_nothing_returns_at_once(ingest_pool: asyncpg.Pool) -> None:
    pipeline = IngestPipeline(ingest_pool)
    await pipeline.submit_many([])  # not started: it would hang if it queued anything
    assert pipeline.stats.batches == 0
