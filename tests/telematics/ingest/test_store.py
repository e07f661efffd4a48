"""Storage through the real PostgreSQL: idempotent, tenant-scoped, state from valid fixes only,
any fix time storable."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from fleetyard.db import Database
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.position import Position
from tests.telematics.conftest import Tracked, register_tracked

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def fix(
    unique_id: str, seconds: int, lat: float = 60.17, lon: float = 24.94, **extra: object
) -> Position:
    return Position(
        unique_id=unique_id,
        protocol="teltonika",
        fix_time=T0 + timedelta(seconds=seconds),
        latitude=lat,
        longitude=lon,
        speed_kmh=40.0,
        satellites=9,
        **extra,  # type: ignore[arg-type]
    )


async def count_positions(pool: asyncpg.Pool, tracked: Tracked) -> int:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tracked.tenant.id))
        return int(
            await conn.fetchval(
                "select count(*) from positions where device_id = $1", tracked.device_id
            )
        )


async def test_directory_resolves_registered_and_remembers_unknown(
    ingest_pool: asyncpg.Pool, tracked: Tracked
) -> None:
    directory = DeviceDirectory(ingest_pool)
    route = await directory.resolve(tracked.unique_id)
    assert route is not None
    assert (route.tenant_id, route.device_id, route.vehicle_id) == (
        tracked.tenant.id,
        tracked.device_id,
        tracked.vehicle_id,
    )
    assert await directory.resolve("999999999999999") is None
    await directory.record_unknown("999999999999999", "gt06", "127.0.0.1:5000")
    await directory.record_unknown("999999999999999", "gt06", "127.0.0.1:5001")
    async with ingest_pool.acquire() as conn:
        row = await conn.fetchrow(
            "select attempts from unknown_devices where unique_id = '999999999999999'"
        )
    assert row is not None and row["attempts"] >= 2


async def test_resends_never_duplicate_and_state_follows_latest_valid(
    ingest_pool: asyncpg.Pool, tracked: Tracked
) -> None:
    directory = DeviceDirectory(ingest_pool)
    route = await directory.resolve(tracked.unique_id)
    assert route is not None
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.001)
    await pipeline.start()
    try:
        batch = [fix(tracked.unique_id, s, lat=60.17 + s / 10000) for s in range(10)]
        await pipeline.submit(route, batch)
        await pipeline.submit(route, batch)  # the device resends: nothing new
        await pipeline.submit(route, [fix(tracked.unique_id, 20, lat=0.0, lon=0.0)])  # invalid
    finally:
        await pipeline.stop()
    assert await count_positions(ingest_pool, tracked) == 11
    async with ingest_pool.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tracked.tenant.id))
        state = await conn.fetchrow(
            "select fix_time, latitude from vehicle_state where vehicle_id = $1", tracked.vehicle_id
        )
        flagged = await conn.fetchrow(
            "select valid, invalid_reason from positions where device_id = $1 and fix_time = $2",
            tracked.device_id,
            T0 + timedelta(seconds=20),
        )
    assert state is not None
    assert state["fix_time"] == T0 + timedelta(seconds=9)  # the invalid later fix is kept out
    assert flagged is not None and (flagged["valid"], flagged["invalid_reason"]) == (
        False,
        "null_island",
    )
    assert pipeline.stats.records == 21 and pipeline.stats.fresh == 11


async def test_old_and_future_fix_times_are_stored(
    ingest_pool: asyncpg.Pool, tracked: Tracked
) -> None:
    directory = DeviceDirectory(ingest_pool)
    route = await directory.resolve(tracked.unique_id)
    assert route is not None
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.001)
    await pipeline.start()
    ancient = Position(tracked.unique_id, "teltonika", datetime(2009, 6, 1, tzinfo=UTC), 60.1, 24.9)
    months_old = Position(tracked.unique_id, "teltonika", T0 - timedelta(days=200), 60.1, 24.9)
    future = Position(tracked.unique_id, "teltonika", T0 + timedelta(days=400), 60.1, 24.9)
    try:
        await pipeline.submit(route, [ancient, months_old, future])
    finally:
        await pipeline.stop()
    assert await count_positions(ingest_pool, tracked) == 3


async def test_batches_from_two_tenants_stay_apart(
    ingest_pool: asyncpg.Pool, app_database: Database
) -> None:
    a = await register_tracked(app_database, "ing-a")
    b = await register_tracked(app_database, "ing-b")
    directory = DeviceDirectory(ingest_pool)
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.02, writers=1)
    await pipeline.start()
    try:
        route_a = await directory.resolve(a.unique_id)
        route_b = await directory.resolve(b.unique_id)
        assert route_a and route_b
        await asyncio.gather(
            pipeline.submit(route_a, [fix(a.unique_id, s) for s in range(5)]),
            pipeline.submit(route_b, [fix(b.unique_id, s) for s in range(7)]),
        )
    finally:
        await pipeline.stop()
    assert pipeline.stats.batches == 1  # one transaction, two tenants
    assert await count_positions(ingest_pool, a) == 5
    assert await count_positions(ingest_pool, b) == 7
    async with ingest_pool.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(a.tenant.id))
        seen = await conn.fetchval(
            "select count(*) from positions where device_id = $1", b.device_id
        )
    assert seen == 0


async def test_unstorable_json_is_cleaned_not_fatal(
    ingest_pool: asyncpg.Pool, tracked: Tracked
) -> None:
    route = await DeviceDirectory(ingest_pool).resolve(tracked.unique_id)
    assert route is not None
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.001)
    await pipeline.start()
    odd = fix(tracked.unique_id, 1)
    odd.attributes = {"x": float("nan"), "label\x00": "a\x00b", "deep": [float("inf")]}
    try:
        await pipeline.submit(route, [odd])
    finally:
        await pipeline.stop()
    async with ingest_pool.acquire() as conn, conn.transaction():
        await conn.execute("select set_config('app.tenant_id', $1, true)", str(tracked.tenant.id))
        stored = await conn.fetchval(
            "select attributes::text from positions where device_id = $1", tracked.device_id
        )
    assert stored == '{"x": null, "deep": [null], "label": "ab"}'


async def test_failed_submission_fails_alone(ingest_pool: asyncpg.Pool, tracked: Tracked) -> None:
    route = await DeviceDirectory(ingest_pool).resolve(tracked.unique_id)
    assert route is not None
    # a vehicle that no longer exists: the state row's foreign key refuses the whole batch
    broken = type(route)(route.tenant_id, route.device_id, uuid.uuid4())
    pipeline = IngestPipeline(ingest_pool, max_delay_s=0.01, writers=1)
    await pipeline.start()
    try:
        results = await asyncio.gather(
            pipeline.submit(broken, [fix(tracked.unique_id, 1)]),
            pipeline.submit(route, [fix(tracked.unique_id, 2)]),
            return_exceptions=True,
        )
    finally:
        await pipeline.stop()
    # the bad submission fails alone; its neighbour in the same batch is stored
    assert isinstance(results[0], asyncpg.ForeignKeyViolationError)
    assert results[1] is None
    assert pipeline.stats.failures == 1
    assert await count_positions(ingest_pool, tracked) == 1
