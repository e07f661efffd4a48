"""Feed fixes through a real IngestPipeline with the alert rules registered, and read back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.position import Position
from fleetyard.telematics.rules.handler import AlertRules
from tests.feeding import PipelineFeeder, app_pool, running_pipeline
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
class Feeder(PipelineFeeder):
    async def feed(self, tracked: Tracked, positions: Sequence[Position]) -> None:
        """Store the fixes as one device submission, then wait for the rules to run."""
        await self.submit(tracked, positions)

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
    async with app_pool(database_url) as pool, running_pipeline(pool, AlertRules(pool)) as pipeline:
        yield Feeder(pool, pipeline, DeviceDirectory(pool))
