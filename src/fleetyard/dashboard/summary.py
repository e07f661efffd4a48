"""``GET /fleet/summary``: the fleet in figures, from the dashboard's own statements plus the
breakdowns of the records (status, type, depot) and today's reservations.

Counting them reads the whole fleet, so the answer is cached per tenant and per what the
caller may read, served stale while one background count replaces it (docs/cache.md): fresh
for ``FRESH_S``, never older than ``TTL_S``. Any committed change of the tenant drops it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.cache.entry import Entry
from fleetyard.cache.keys import CacheKey, Tag
from fleetyard.cache.store import Cache
from fleetyard.dashboard.paths import PathCache
from fleetyard.dashboard.schemas import (
    DepotVehicles,
    DistanceToday,
    FleetSummary,
    ReservationsToday,
    VehicleSummary,
)
from fleetyard.dashboard.service import TIMEZONE, DashboardService, start_of_day
from fleetyard.db import set_tenant
from fleetyard.vehicles.schemas import VehicleStatusState

FRESH_S = 10.0
TTL_S = 300.0
STATUSES: tuple[VehicleStatusState, ...] = ("active", "in_maintenance", "retired")


@dataclass(frozen=True, slots=True)
class Visibility:
    """What the caller's role may read; answers differ by it, so the cache key holds it."""

    devices: bool
    reservations: bool

    @classmethod
    def of(cls, actor: Principal) -> Visibility:
        return cls(actor.can(Permission.DEVICES_READ), actor.can(Permission.RESERVATIONS_READ))

    @property
    def name(self) -> str:
        return f"fleet_summary:d{int(self.devices)}r{int(self.reservations)}"


async def count_summary(
    session: AsyncSession, actor: Principal, paths: PathCache, seen: Visibility
) -> FleetSummary:
    now = datetime.now(UTC)
    today = start_of_day(now)
    dashboard = DashboardService(session, actor, paths)
    repo = dashboard.repo
    breakdown = await repo.vehicle_breakdown()
    km, driven = await dashboard.distance_today(today, now)
    reservations = None
    if seen.reservations:
        by_status = await repo.reservations_between(today, today + timedelta(days=1))
        reservations = ReservationsToday(total=sum(by_status.values()), by_status=by_status)
    return FleetSummary(
        generated_at=now,
        timezone=TIMEZONE,
        today_from=today,
        vehicles=VehicleSummary(
            total=sum(breakdown.by_status.values()),
            by_status={status: breakdown.by_status.get(status, 0) for status in STATUSES},
            by_type=breakdown.by_type,
            by_depot=[
                DepotVehicles(group_id=d.group_id, name=d.name, vehicles=d.vehicles)
                for d in breakdown.by_depot
            ],
            by_activity=await dashboard.vehicle_activity(now),
        ),
        alerts=await dashboard.alert_counts(),
        devices=await dashboard.device_counts(now) if seen.devices else None,
        reservations_today=reservations,
        distance_today=DistanceToday(km=round(km, 1), vehicles=driven),
    )


async def cached_summary(
    cache: Cache,
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    actor: Principal,
    paths: PathCache,
) -> Entry:
    seen = Visibility.of(actor)

    async def count() -> bytes:
        summary = await count_summary(session, actor, paths, seen)
        return summary.model_dump_json().encode()

    async def recount() -> bytes:
        """In the background, after the request is gone: its own transaction."""
        async with sessions() as own, own.begin():
            await set_tenant(own, actor.tenant_id)
            summary = await count_summary(own, actor, paths, seen)
        return summary.model_dump_json().encode()

    key = CacheKey.aggregate(actor.tenant_id, seen.name)
    tags = (Tag.aggregates(actor.tenant_id),)
    return await cache.fetch(key, tags, count, ttl=TTL_S, fresh_for=FRESH_S, refresh=recount)
