"""The evaluator's loop across real connections: one process at a time per tenant (a tenant
held elsewhere is skipped this round), and a started loop evaluates on its own."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import httpx
from sqlalchemy import text

from fleetyard.config import Settings
from fleetyard.db import Database, libpq_dsn, owner_url, set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.maintenance.scheduler import MaintenanceScheduler, evaluate_tenant
from tests.conftest import Tenants
from tests.maintenance.helpers import SCHEDULES, make_schedule, make_vehicle, set_meters


async def test_a_tenant_held_by_another_process_is_skipped(
    live_client: httpx.AsyncClient, live_tenants: Tenants, app_database: Database
) -> None:
    tenant = TenantId(live_tenants.a.id)
    vid = await make_vehicle(live_client, live_tenants.a.owner)
    await make_schedule(live_client, live_tenants.a.owner, vehicle_id=vid, interval_months=6)
    async with app_database.sessionmaker() as other, other.begin():
        await set_tenant(other, tenant)
        await other.execute(
            text("select pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"maintenance:{tenant}"},
        )
        assert await evaluate_tenant(app_database.sessionmaker, tenant, datetime.now(UTC)) is None
    outcome = await evaluate_tenant(app_database.sessionmaker, tenant, datetime.now(UTC))
    assert outcome is not None and outcome.evaluated >= 1


async def test_the_loop_evaluates_on_its_own(
    live_client: httpx.AsyncClient,
    live_tenants: Tenants,
    app_database: Database,
    settings: Settings,
) -> None:
    headers = live_tenants.b.owner
    vid = await make_vehicle(live_client, headers)
    async with app_database.sessionmaker() as session:
        await set_meters(session, live_tenants.b.id, vid, km=40_000)
        schedule = await make_schedule(live_client, headers, vehicle_id=vid, interval_km="5000")
        assert schedule["status"] == "ok"
        await set_meters(session, live_tenants.b.id, vid, km=46_000)
    loop = await MaintenanceScheduler.start(
        libpq_dsn(owner_url(settings)), app_database.sessionmaker, every_s=3600
    )
    try:
        deadline = time.monotonic() + 30
        while loop.rounds < 1 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # rounds are counted, not signalled
        assert loop.rounds >= 1
    finally:
        await loop.stop()
    got = await live_client.get(f"{SCHEDULES}/{schedule['id']}", headers=headers)
    assert got.json()["status"] == "overdue"
