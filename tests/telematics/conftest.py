"""Fixtures for ingest tests: a raw asyncpg pool on the app role and registered devices."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest

from fleetyard.auth.principal import Principal
from fleetyard.db import Database, set_tenant, with_user
from fleetyard.devices.schemas import DeviceCreate
from fleetyard.devices.service import DeviceService
from fleetyard.kit.ids import TenantId
from fleetyard.vehicles.schemas import VehicleCreate
from fleetyard.vehicles.service import VehicleService
from tests.factories import TenantSetup, setup_tenant


@pytest.fixture
async def ingest_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(
        with_user(database_url, "fleetyard_app"), min_size=1, max_size=4
    )
    yield pool
    await pool.close()


@dataclass
class Tracked:
    tenant: TenantSetup
    vehicle_id: uuid.UUID
    device_id: uuid.UUID
    unique_id: str


async def register_tracked(
    app_database: Database, label: str, protocol: str = "teltonika"
) -> Tracked:
    """A committed tenant with one vehicle and one device (unique id random)."""
    async with app_database.sessionmaker() as session:
        tenant = await setup_tenant(session, label)
        await set_tenant(session, TenantId(tenant.id))
        actor = Principal.system(TenantId(tenant.id))
        vehicle = await VehicleService(session, actor).create(
            VehicleCreate(plate=f"T-{uuid.uuid4().hex[:6]}")
        )
        unique_id = str(350000000000000 + uuid.uuid4().int % 10**14)
        device = await DeviceService(session, actor).create(
            DeviceCreate(unique_id=unique_id, protocol=protocol, vehicle_id=vehicle.id)
        )
        await session.commit()
        return Tracked(tenant, vehicle.id, device.id, unique_id)


@pytest.fixture
async def tracked(app_database: Database) -> Tracked:
    return await register_tracked(app_database, "track")
