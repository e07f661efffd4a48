"""What the ingest-handler tests share: an app-role pool, a real IngestPipeline running the
handlers under test, and a feeder that submits fixes as a device would and reads back rows
under a tenant's row-level security."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from fleetyard.db import with_user
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline, StoredHandler
from fleetyard.telematics.position import Position
from tests.telematics.conftest import Tracked


@dataclass
class PipelineFeeder:
    pool: asyncpg.Pool
    pipeline: IngestPipeline
    directory: DeviceDirectory

    async def submit(
        self, tracked: Tracked, positions: Sequence[Position], *, batch: int | None = None
    ) -> None:
        """Store the fixes as device submissions (of ``batch``, or all as one), waiting for
        the handlers after each."""
        route = await self.directory.resolve(tracked.unique_id)
        assert route is not None
        chunks = (
            [positions]
            if batch is None
            else [positions[first : first + batch] for first in range(0, len(positions), batch)]
        )
        for chunk in chunks:
            await self.pipeline.submit(route, chunk)
            await self.pipeline.drain()

    async def fetch(self, tenant_id: uuid.UUID, sql: str, *args: object) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
            return list(await conn.fetch(sql, *args))


@asynccontextmanager
async def app_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(
        with_user(database_url, "fleetyard_app"), min_size=1, max_size=4
    )
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def running_pipeline(
    pool: asyncpg.Pool, *handlers: StoredHandler
) -> AsyncIterator[IngestPipeline]:
    """A pipeline that runs ``handlers`` after each stored batch, stopped on the way out."""
    pipeline = IngestPipeline(pool, max_delay_s=0.001)
    pipeline.on_stored.extend(handlers)
    await pipeline.start()
    try:
        yield pipeline
    finally:
        await pipeline.stop()
