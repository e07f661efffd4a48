"""Feed generated fixes through a real IngestPipeline with trip detection on, and read back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.position import Position
from fleetyard.trips.detector import Fix
from fleetyard.trips.handler import TripDetection
from tests.feeding import PipelineFeeder, app_pool, running_pipeline
from tests.telematics.conftest import Tracked


def position(tracked: Tracked, fix: Fix) -> Position:
    return Position(
        unique_id=tracked.unique_id,
        protocol="teltonika",
        fix_time=fix.time,
        latitude=fix.latitude,
        longitude=fix.longitude,
        speed_kmh=fix.speed_kmh,
        ignition=fix.ignition,
        odometer_m=fix.odometer_m,
        satellites=9,
    )


@dataclass
class Feeder(PipelineFeeder):
    trips: TripDetection

    async def feed(self, tracked: Tracked, fixes: Sequence[Fix], *, batch: int = 50) -> None:
        """Store the fixes in device submissions of ``batch``, waiting for the handlers."""
        await self.submit(tracked, [position(tracked, f) for f in fixes], batch=batch)

    def restart(self) -> None:
        """A new process: the detectors in memory are gone, their checkpoints are not."""
        fresh = TripDetection(self.pool)
        self.pipeline.on_stored[self.pipeline.on_stored.index(self.trips)] = fresh
        self.trips = fresh
        self.pipeline._last_fix.clear()  # the validation's memory goes too

    async def trips_of(self, tracked: Tracked) -> list[asyncpg.Record]:
        return await self.fetch(
            tracked.tenant.id,
            "select * from trips where vehicle_id = $1 order by started_at",
            tracked.vehicle_id,
        )

    async def stops_of(self, tracked: Tracked) -> list[asyncpg.Record]:
        return await self.fetch(
            tracked.tenant.id,
            "select * from stops where vehicle_id = $1 order by started_at",
            tracked.vehicle_id,
        )

    async def events_of(self, tracked: Tracked) -> list[str]:
        rows = await self.fetch(
            tracked.tenant.id,
            "select type from events where entity_type in ('trip', 'stop') order by id",
        )
        return [row["type"] for row in rows]


@asynccontextmanager
async def trips_pipeline(database_url: str) -> AsyncIterator[Feeder]:
    async with app_pool(database_url) as pool:
        trips = TripDetection(pool)
        async with running_pipeline(pool, trips) as pipeline:
            yield Feeder(pool, pipeline, DeviceDirectory(pool), trips)
