"""The ETA arithmetic and the corridor distance on their own, and the monitor's loop across
real connections: a started loop follows a tenant's dispatch and publishes its ETAs once the
round committed; a tenant held by another process is skipped."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text

from fleetyard.config import Settings
from fleetyard.db import Database, libpq_dsn, owner_url, set_tenant
from fleetyard.dispatch.corridor import distance_to_route_m
from fleetyard.dispatch.eta import StopPlan, estimate, is_late
from fleetyard.dispatch.loop import DispatchMonitor, follow_tenant
from fleetyard.dispatch.monitor import ETA
from fleetyard.kit.ids import TenantId
from fleetyard.realtime.bus import LocalBus
from fleetyard.realtime.items import LiveBatch
from tests.conftest import Tenants
from tests.dispatch.helpers import dispatch, set_fix, setup

T0 = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def test_eta_waits_for_windows_and_counts_service() -> None:
    a, b, c = (uuid.uuid4() for _ in range(3))
    stops = [
        # at this stop since 07:58, 10 min of service: leaves 08:08
        StopPlan(a, 0, 0, 600, None, None, arrived_at=T0 - timedelta(minutes=2)),
        # 5 min away, its window opens at 08:20: served 08:20–08:25
        StopPlan(b, 0, 0, 300, T0 + timedelta(minutes=20), T0 + timedelta(minutes=40)),
        # 30 min away, closes 08:50: arrives 08:55, five minutes late
        StopPlan(c, 0, 0, 0, None, T0 + timedelta(minutes=50)),
    ]
    etas = estimate(T0, stops, [999, 300, 1800])
    assert [e.eta_at for e in etas] == [
        T0 - timedelta(minutes=2),
        T0 + timedelta(minutes=13),
        T0 + timedelta(minutes=55),
    ]
    assert [e.departure_at for e in etas][:2] == [
        T0 + timedelta(minutes=8),
        T0 + timedelta(minutes=25),
    ]
    assert [e.late_s for e in etas] == [0, 0, 300]
    assert not is_late(etas[2], 300) and is_late(etas[2], 299)
    # a stop whose service should have ended already is left now, not in the past
    stuck = estimate(
        T0, [StopPlan(a, 0, 0, 60, None, None, arrived_at=T0 - timedelta(hours=1))], [0]
    )
    assert stuck[0].departure_at == T0


def test_corridor_distance_in_metres() -> None:
    line = [[24.93, 60.17], [24.98, 60.17]]  # west to east along 60.17° N
    assert distance_to_route_m(60.17, 24.95, line) == 0.0
    north = distance_to_route_m(60.18, 24.95, line)
    assert north is not None and 1105 < north < 1120  # 0.01° of latitude
    beyond = distance_to_route_m(60.17, 24.99, line)
    assert beyond is not None and 540 < beyond < 570  # 0.01° of longitude at 60° N
    assert distance_to_route_m(60.17, 24.95, []) is None
    assert distance_to_route_m(60.17, 24.95, [[24.95, 60.17]]) == 0.0


async def test_the_loop_follows_and_publishes(
    live_client: httpx.AsyncClient,
    live_tenants: Tenants,
    app_database: Database,
    settings: Settings,
) -> None:
    tenant = live_tenants.a
    async with app_database.sessionmaker() as session:
        s = await setup(live_client, session, tenant)
        out = await dispatch(live_client, tenant, s.plan_id)
        now = datetime.now(UTC)
        await set_fix(session, tenant.id, s.vehicles[0], 60.17, 24.94, now)
    async with app_database.sessionmaker() as other, other.begin():
        await set_tenant(other, TenantId(tenant.id))
        await other.execute(
            text("select pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"dispatch:{tenant.id}"},
        )
        held = await follow_tenant(app_database.sessionmaker, TenantId(tenant.id), now)
        assert held is None
    bus = LocalBus()
    batches: list[LiveBatch] = []
    bus.listen(batches.append)
    loop = await DispatchMonitor.start(
        libpq_dsn(owner_url(settings)), app_database.sessionmaker, bus, every_s=3600
    )
    try:
        deadline = time.monotonic() + 30
        while loop.rounds < 1 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # rounds are counted, not signalled
        assert loop.rounds >= 1
    finally:
        await loop.stop()
    van1 = next(r for r in out["routes"] if r["vehicle"] == "van1")
    items = [i for b in batches if b.tenant_id == tenant.id for i in b.items if i.kind == ETA]
    assert [str(i.payload["route_id"]) for i in items] == [van1["id"]]
    route = await live_client.get(f"/api/v1/dispatch/routes/{van1['id']}", headers=tenant.owner)
    assert all(stop["eta_at"] for stop in route.json()["stops"])


async def test_a_route_being_progressed_is_left_to_the_next_round(
    live_client: httpx.AsyncClient, live_tenants: Tenants, app_database: Database
) -> None:
    tenant = live_tenants.b
    async with app_database.sessionmaker() as session:
        s = await setup(live_client, session, tenant)
        out = await dispatch(live_client, tenant, s.plan_id)
        now = datetime.now(UTC)
        for vehicle_id in s.vehicles:
            await set_fix(session, tenant.id, vehicle_id, 60.17, 24.94, now)
    van1 = next(r for r in out["routes"] if r["vehicle"] == "van1")
    async with app_database.sessionmaker() as other, other.begin():
        await set_tenant(other, TenantId(tenant.id))
        await other.execute(  # what a stop's progress holds while it commits
            text("select 1 from dispatch_routes where id = :r for no key update"),
            {"r": van1["id"]},
        )
        held = await follow_tenant(app_database.sessionmaker, TenantId(tenant.id), now)
        assert held is not None and held.routes == 1
    done = await follow_tenant(app_database.sessionmaker, TenantId(tenant.id), now)
    assert done is not None and done.routes == 2
