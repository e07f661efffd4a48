"""Partition upkeep on the real PostgreSQL: months made ahead, default-partition rows moved
into their month, every fix time kept, per-tenant retention."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from fleetyard.db import Database
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.partitions import partition_name, upkeep
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.position import Position
from tests.telematics.conftest import Tracked, register_tracked


@pytest.fixture
async def owner(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url)
    yield conn
    await conn.close()


async def store(pool: asyncpg.Pool, tracked: Tracked, times: list[datetime]) -> None:
    route = await DeviceDirectory(pool).resolve(tracked.unique_id)
    assert route is not None
    pipeline = IngestPipeline(pool, max_delay_s=0.001)
    await pipeline.start()
    try:
        await pipeline.submit(
            route, [Position(tracked.unique_id, "teltonika", t, 60.1, 24.9) for t in times]
        )
    finally:
        await pipeline.stop()


async def where_rows_live(owner: asyncpg.Connection, tracked: Tracked) -> dict[str, int]:
    rows = await owner.fetch(
        "select tableoid::regclass::text as part, count(*) from positions "
        "where device_id = $1 group by 1",
        tracked.device_id,
    )
    return {r["part"]: r["count"] for r in rows}


async def test_upkeep_makes_months_and_moves_rows(
    owner: asyncpg.Connection,
    ingest_pool: asyncpg.Pool,
    app_database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # its log line at INFO once failed the whole upkeep
    tracked = await register_tracked(app_database, "parts")
    now = datetime.now(UTC)
    ancient = datetime(2009, 6, 1, tzinfo=UTC)
    await store(ingest_pool, tracked, [now - timedelta(minutes=5), ancient])

    result = await upkeep(owner, now)
    this_month = partition_name(now.date())
    placed = await where_rows_live(owner, tracked)
    assert placed.get(this_month) == 1
    assert placed.get("positions_default") == 1  # 2009 stays, stored, in the default partition
    assert this_month in result.created or this_month in placed
    assert len(result.created) <= 4
    assert "positions upkeep" in caplog.messages

    again = await upkeep(owner, now)
    assert again.created == [] and again.moved_rows == 0
    # new rows for this month now go straight into its partition
    await store(ingest_pool, tracked, [now - timedelta(minutes=1)])
    assert (await where_rows_live(owner, tracked)).get(this_month) == 2


async def test_retention_is_per_tenant(
    owner: asyncpg.Connection, ingest_pool: asyncpg.Pool, app_database: Database
) -> None:
    short = await register_tracked(app_database, "short-ret")
    keeper = await register_tracked(app_database, "keeps-all")
    now = datetime.now(UTC)
    times = [now - timedelta(days=40), now - timedelta(days=10), now - timedelta(hours=1)]
    await store(ingest_pool, short, times)
    await store(ingest_pool, keeper, times)
    await owner.execute(
        "update tenants set position_retention_days = 30 where id = $1", short.tenant.id
    )
    result = await upkeep(owner, now)
    assert result.deleted_rows >= 1
    assert sum((await where_rows_live(owner, short)).values()) == 2
    assert sum((await where_rows_live(owner, keeper)).values()) == 3
    assert result.dropped == []  # a tenant keeps everything, so no month is dropped
