"""Today's GPS distance through the path cache: each request adds only what settled since the
last, and the sum equals the whole day's path; a fix that arrives after its minute settled
is counted once the entry is rebuilt."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.dashboard.paths import REBUILD_AFTER, SETTLE, PathCache, SettledPath
from fleetyard.dashboard.service import DashboardService, start_of_day
from fleetyard.kit.ids import TenantId
from tests.conftest import Tenants
from tests.dashboard.test_router import Rows, haversine_km, tracked_vehicle

MINUTE = timedelta(minutes=1)


def walk(points: list[tuple[float, float]]) -> float:
    return sum(haversine_km(a, b) for a, b in pairwise(points))


async def distance(
    session: AsyncSession, tenant_id: TenantId, cache: PathCache, now: datetime
) -> float:
    board = await DashboardService(session, Principal.system(tenant_id), cache).get(now)
    return board.figures[0].value


async def test_each_request_adds_what_settled_and_late_fixes_count_after_a_rebuild(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    rows = Rows(db_session, tenants.a)
    tenant_id = TenantId(tenants.a.id)
    vehicle_id, device_id = await tracked_vehicle(client, tenants.a)
    day = start_of_day(datetime.now(UTC))
    track = [(60.17 + i / 200, 24.94 + (i % 2) / 100) for i in range(12)]
    for i, point in enumerate(track[:6]):
        await rows.fix(device_id, vehicle_id, day + i * MINUTE, point)
    cache = PathCache()

    first_now = day + 5 * MINUTE
    assert await distance(db_session, tenant_id, cache, first_now) == round(walk(track[:6]), 1)
    settled = cache.get(tenant_id, frozenset({uuid.UUID(device_id)}), day, first_now)
    assert settled is not None
    assert settled.until == first_now - SETTLE

    for i, point in enumerate(track[6:], start=6):
        await rows.fix(device_id, vehicle_id, day + i * MINUTE, point)
    later = day + 20 * MINUTE
    assert await distance(db_session, tenant_id, cache, later) == round(walk(track), 1)

    # a buffered fix from minute 5.5 arrives after minute 5 settled: not counted yet …
    detour = (61.0, 25.5)
    await rows.fix(device_id, vehicle_id, day + 5 * MINUTE + MINUTE / 2, detour)
    assert await distance(db_session, tenant_id, cache, later + MINUTE) == round(walk(track), 1)
    # … until the entry is rebuilt from the day's start
    with_detour = [*track[:6], detour, *track[6:]]
    rebuilt = await distance(db_session, tenant_id, cache, first_now + REBUILD_AFTER + MINUTE)
    assert rebuilt == round(walk(with_detour), 1)
    # a fresh cache agrees with the rebuilt one
    fresh = await distance(db_session, tenant_id, PathCache(), later)
    assert fresh == rebuilt


def test_the_cache_keeps_the_most_recently_used_tenants() -> None:
    cache = PathCache(max_tenants=2)
    day = start_of_day(datetime.now(UTC))
    entry = SettledPath(day, day, day, frozenset(), {})
    a, b, c = (TenantId(uuid.uuid4()) for _ in range(3))
    cache.put(a, entry)
    cache.put(b, entry)
    assert cache.get(a, frozenset(), day, day) is entry  # a is now the most recent
    cache.put(c, entry)
    assert cache.get(b, frozenset(), day, day) is None
    assert cache.get(a, frozenset(), day, day) is entry
    assert cache.get(a, frozenset(), day + timedelta(days=1), day) is None  # another day
