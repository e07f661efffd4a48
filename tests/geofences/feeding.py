"""Feed fixes through a real IngestPipeline with the geofence handler registered (and a local
live bus to see what it publishes), make fences through the real service, and read back."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry

from fleetyard.auth.principal import Principal
from fleetyard.db import Database, set_tenant
from fleetyard.geofences.handler import GeofenceRules
from fleetyard.geofences.schemas import GeofenceCreate
from fleetyard.geofences.service import GeofenceService
from fleetyard.kit.ids import TenantId
from fleetyard.realtime.bus import LocalBus
from fleetyard.realtime.items import LiveBatch, LiveItem
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.position import Position
from tests.feeding import PipelineFeeder, app_pool, running_pipeline
from tests.telematics.conftest import Tracked


def fix(tracked: Tracked, at: datetime, lat: float, lon: float, speed: float = 30.0) -> Position:
    return Position(
        unique_id=tracked.unique_id,
        protocol="teltonika",
        fix_time=at,
        latitude=lat,
        longitude=lon,
        speed_kmh=speed,
        satellites=9,
    )


async def make_fence(database: Database, tenant_id: uuid.UUID, **body: Any) -> uuid.UUID:
    """A geofence made and committed through the service, as the API makes it."""
    async with database.sessionmaker() as session:
        await set_tenant(session, TenantId(tenant_id))
        service = GeofenceService(session, Principal.system(TenantId(tenant_id)))
        made = await service.create(GeofenceCreate.model_validate(body))
        await session.commit()
        return made.id


@dataclass
class Feeder(PipelineFeeder):
    rules: GeofenceRules
    bus: LocalBus
    heard: list[LiveItem] = field(default_factory=list)

    async def feed(self, tracked: Tracked, positions: Sequence[Position]) -> None:
        """Store the fixes as one device submission, then wait for the handlers."""
        await self.submit(tracked, positions)

    async def events(self, tracked: Tracked) -> list[asyncpg.Record]:
        return await self.fetch(
            tracked.tenant.id,
            "select * from events where type like 'geofence\\_%' and type not in "
            "('geofence_created', 'geofence_updated', 'geofence_deleted') order by id",
        )

    async def event_types(self, tracked: Tracked) -> list[str]:
        return [row["type"] for row in await self.events(tracked)]

    async def presence(self, tracked: Tracked) -> list[asyncpg.Record]:
        return await self.fetch(
            tracked.tenant.id,
            "select * from geofence_presence where vehicle_id = $1 order by geofence_id",
            tracked.vehicle_id,
        )

    async def alerts(self, tracked: Tracked) -> list[asyncpg.Record]:
        return await self.fetch(
            tracked.tenant.id,
            "select * from alerts where vehicle_id = $1 order by opened_at, kind, code",
            tracked.vehicle_id,
        )


@asynccontextmanager
async def geofence_pipeline(database_url: str) -> AsyncIterator[Feeder]:
    bus = LocalBus()
    heard: list[LiveItem] = []

    def hear(batch: LiveBatch) -> None:
        heard.extend(batch.items)

    bus.listen(hear, wants=lambda _: False)
    async with app_pool(database_url) as pool:
        rules = GeofenceRules(pool, bus, CollectorRegistry())
        async with running_pipeline(pool, rules) as pipeline:
            yield Feeder(pool, pipeline, DeviceDirectory(pool), rules, bus, heard)


@asynccontextmanager
async def restarted(feeder: Feeder) -> AsyncIterator[Feeder]:
    """The same database through a new pipeline and handler: what a restart starts from."""
    rules = GeofenceRules(feeder.pool, feeder.bus)
    async with running_pipeline(feeder.pool, rules) as pipeline:
        yield Feeder(
            feeder.pool, pipeline, DeviceDirectory(feeder.pool), rules, feeder.bus, feeder.heard
        )
