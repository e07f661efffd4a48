"""A committed tenant with a vehicle tracked by two devices, its fixes stored through the real
ingest pipeline (so validation flags them as in production)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from fleetyard.auth.principal import Principal
from fleetyard.db import Database, set_tenant, with_user
from fleetyard.devices.schemas import DeviceCreate, DeviceProtocol
from fleetyard.devices.service import DeviceService
from fleetyard.kit.ids import TenantId
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.position import Position
from tests.telematics.conftest import Tracked, register_tracked

SECOND_NAME = 'Van "A" & <B>'


@dataclass
class Seeded:
    tracked: Tracked
    second_device_id: uuid.UUID
    second_unique_id: str
    t0: datetime  # first fix of the recent track
    old: datetime  # one fix three days earlier, outside the default window

    @property
    def headers(self) -> dict[str, str]:
        return self.tracked.tenant.owner


def fix(unique_id: str, at: datetime, lat: float, lon: float, **extra: object) -> Position:
    return Position(
        unique_id=unique_id,
        protocol="teltonika",
        fix_time=at,
        latitude=lat,
        longitude=lon,
        speed_kmh=40.0,
        altitude_m=12.5,
        satellites=9,
        hdop=0.9,
        **extra,  # type: ignore[arg-type]
    )


async def store(pool: asyncpg.Pool, unique_id: str, positions: list[Position]) -> None:
    route = await DeviceDirectory(pool).resolve(unique_id)
    assert route is not None
    pipeline = IngestPipeline(pool, max_delay_s=0.001)
    await pipeline.start()
    try:
        await pipeline.submit(route, positions)
    finally:
        await pipeline.stop()


async def add_device(app_database: Database, tracked: Tracked, name: str) -> tuple[uuid.UUID, str]:
    unique_id = str(360000000000000 + uuid.uuid4().int % 10**14)
    async with app_database.sessionmaker() as session:
        tenant_id = TenantId(tracked.tenant.id)
        await set_tenant(session, tenant_id)
        device = await DeviceService(session, Principal.system(tenant_id)).create(
            DeviceCreate(
                unique_id=unique_id,
                protocol=DeviceProtocol.TELTONIKA,
                name=name,
                vehicle_id=tracked.vehicle_id,
            )
        )
        await session.commit()
        return device.id, unique_id


@pytest.fixture(scope="module")
async def seeded(database_url: str, app_database: Database) -> Seeded:
    """Device 1: ten valid fixes a minute apart, one null-island fix among them, and one fix
    three days old. Device 2 (same vehicle): two fixes at the same times as device 1's first."""
    tracked = await register_tracked(app_database, "tracking")
    second_id, second_unique = await add_device(app_database, tracked, SECOND_NAME)
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    old = t0 - timedelta(days=3)
    first = [
        fix(tracked.unique_id, t0 + timedelta(minutes=i), 60.17 + i / 1000, 24.94 + i / 500)
        for i in range(10)
    ]
    first[0].attributes = {"power_v": 12.6}
    first[0].ignition = True
    bogus = fix(tracked.unique_id, t0 + timedelta(seconds=330), 0.0, 0.0)
    ancient = fix(tracked.unique_id, old, 60.17, 24.94)
    second = [
        fix(second_unique, t0 + timedelta(minutes=i), 60.2 + i / 1000, 24.9) for i in range(2)
    ]
    pool = await asyncpg.create_pool(
        with_user(database_url, "fleetyard_app"), min_size=1, max_size=2
    )
    try:
        await store(pool, tracked.unique_id, [ancient, *first, bogus])
        await store(pool, second_unique, second)
    finally:
        await pool.close()
    return Seeded(tracked, second_id, second_unique, t0, old)
