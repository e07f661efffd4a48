"""The providers benchmark's tenant: one tenant and an admin API key through the services (an
integration is managed with ``integrations:manage``, which admins hold), its vehicles by COPY
as the owner, and the Geotab devices of the fake account made from those vehicles (the same
VIN, name and plate, so the runner's matching finds each one)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from _fleet import VEHICLE_COLUMNS, vehicle_records
from _seed import APP_ROLE, UNLIMITED, plain_url
from fleetyard.api_keys.service import ApiKeyService
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.db import Database, set_tenant, with_user
from fleetyard.kit.ids import TenantId
from fleetyard.tenants.schemas import TenantCreate
from fleetyard.tenants.service import TenantService


@dataclass
class ProviderTenant:
    id: uuid.UUID
    key: str  # an admin API key
    vehicles: int
    fleet: list[dict[str, Any]]  # the fake account's devices, one per vehicle

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


async def create_admin_tenant(url: str) -> tuple[uuid.UUID, str]:
    db = Database.connect(with_user(url, APP_ROLE), pool_size=1)
    try:
        async with db.sessionmaker() as session, session.begin():
            slug = f"providers-{uuid.uuid4().hex[:6]}"
            tenant = await TenantService(session).create(
                TenantCreate(slug=slug, name="Bench providers", limits=UNLIMITED)
            )
            tenant_id = TenantId(tenant.id)
            await set_tenant(session, tenant_id)
            _, key = await ApiKeyService(session, Principal.system(tenant_id)).create(
                "bench", Role.ADMIN
            )
    finally:
        await db.dispose()
    return tenant.id, key


async def seed_tenant(url: str, vehicles: int, seed: int) -> ProviderTenant:
    tenant_id, key = await create_admin_tenant(url)
    rows = list(vehicle_records(tenant_id, [], vehicles, random.Random(seed)))
    conn = await asyncpg.connect(plain_url(url))
    try:
        await conn.copy_records_to_table("vehicles", records=rows, columns=VEHICLE_COLUMNS)
        await conn.execute("analyze")
    finally:
        await conn.close()
    columns = {name: index for index, name in enumerate(VEHICLE_COLUMNS)}
    fleet = [
        {
            "id": f"b{number + 1:X}",
            "name": row[columns["name"]],
            "vin": row[columns["vin"]],
            "plate": row[columns["plate"]],
            "serial": f"G9{number:010d}",
        }
        for number, row in enumerate(rows)
    ]
    return ProviderTenant(tenant_id, key, vehicles, fleet)


async def integration_progress(
    conn: asyncpg.Connection, tenant_id: uuid.UUID
) -> tuple[int, int, str | None]:
    """(records stored, records skipped, state) of the tenant's connection, as the runner
    last saved them (each round saves its count with its cursor, after the commit)."""
    row = await conn.fetchrow(
        "select records_total, skipped_total, state from integration_status where tenant_id = $1",
        tenant_id,
    )
    if row is None:
        return 0, 0, None
    return int(row["records_total"]), int(row["skipped_total"]), str(row["state"])


async def stored_positions(url: str, tenant_id: uuid.UUID) -> tuple[int, int, int]:
    """(rows, distinct device + fix time, rows with readings or faults) of the tenant."""
    conn = await asyncpg.connect(plain_url(url))
    try:
        row = await conn.fetchrow(
            "select count(*) as n, count(distinct (device_id, fix_time)) as d, "
            "count(*) filter (where attributes <> '{}'::jsonb or odometer_m is not null) as r "
            "from positions where tenant_id = $1",
            tenant_id,
        )
    finally:
        await conn.close()
    assert row is not None
    return int(row["n"]), int(row["d"]), int(row["r"])
