"""Feed fixes through a real IngestPipeline with the alert rules registered, and read back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from fleetyard.db import with_user
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.position import Position
from fleetyard.telematics.rules.handler import AlertRules
from tests.telematics.conftest import Tracked


def fix(tracked: Tracked, at: datetime, *, speed: float = 40.0, **attributes: Any) -> Position:
    """A valid fix near Helsinki, moving at ``speed``, carrying ``attributes``."""
    return Position(
        unique_id=tracked.unique_id,
        protocol="teltonika",
        fix_time=at,
        latitude=60.17,
        longitude=24.94,
        speed_kmh=speed,
        satellites=9,
        attributes=attributes,
    )


@dataclass
class Feeder:
    pool: asyncpg.Pool
    pipeline: IngestPipeline
    directory: DeviceDirectory

    async def feed(self, tracked: Tracked, positions: Sequence[Position]) -> None:
        """Store the fixes as one device submission, then wait for the rules to run."""
        route = await self.directory.resolve(tracked.unique_id)
        assert route is not None
        await self.pipeline.submit(route, positions)
        await self.pipeline.drain()

    async def fetch(self, tenant_id: uuid.UUID, sql: str, *args: object) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
            return list(await conn.fetch(sql, *args))

    async def alerts(self, tracked: Tracked) -> list[asyncpg.Record]:
        return await self.fetch(
            tracked.tenant.id,
            "select * from alerts where vehicle_id = $1 order by opened_at, kind, code",
            tracked.vehicle_id,
        )

    async def events(self, tracked: Tracked) -> list[asyncpg.Record]:
        return await self.fetch(
            tracked.tenant.id,
            "select * from events where entity_type = 'alert' order by id",
        )


@asynccontextmanager
async def rules_pipeline(database_url: str) -> AsyncIterator[Feeder]:
    pool = await asyncpg.create_pool(
        with_user(database_url, "fleetyard_app"), min_size=1, max_size=4
    )
    pipeline = IngestPipeline(pool, max_delay_s=0.001)
    pipeline.on_stored.append(AlertRules(pool))
    await pipeline.start()
    try:
        yield Feeder(pool, pipeline, DeviceDirectory(pool))
    finally:
        await pipeline.stop()
        await pool.close()
