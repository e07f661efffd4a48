"""The dispatch monitor's loop: in each API process, every ``EVERY_S`` (30 s) it follows
each tenant with a dispatch on the road (ETAs, late stops, corridors) and publishes the
``dispatch.eta`` items and the alerts it opened or cleared once the round committed.

A throttled loop rather than a stage of the ingest pipeline: a position costs the pipeline
nothing more (bench/ingest.py keeps its rate), and an ETA is at most one round old. Claim-safe
across processes like the maintenance evaluator: a tenant's round runs under its advisory
transaction lock, skipped by a process that finds it taken."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fleetyard.db import set_tenant
from fleetyard.dispatch.monitor import Monitor, Round
from fleetyard.kit.ids import TenantId
from fleetyard.kit.listening_loop import TenantRoundLoop
from fleetyard.realtime.bus import Bus

EVERY_S: Final = 30.0
_TENANTS = "select distinct tenant_id from dispatches where status = 'active'"
_TRY_LOCK = text("select pg_try_advisory_xact_lock(hashtextextended(:key, 0))")


def utc_now() -> datetime:
    return datetime.now(UTC)


async def follow_tenant(
    sessionmaker: async_sessionmaker[AsyncSession], tenant_id: TenantId, now: datetime
) -> Round | None:
    """One tenant's round in one transaction; None when another process holds it."""
    async with sessionmaker() as session, session.begin():
        await set_tenant(session, tenant_id)
        if not await session.scalar(_TRY_LOCK, {"key": f"dispatch:{tenant_id}"}):
            return None
        return await Monitor(session, tenant_id).run(now)


class DispatchMonitor(TenantRoundLoop):
    task_name = "dispatch-monitor"
    tenants_sql = _TENANTS

    def __init__(
        self,
        owner_dsn: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        bus: Bus | None,
        *,
        clock: Callable[[], datetime] = utc_now,
        every_s: float = EVERY_S,
    ) -> None:
        super().__init__(owner_dsn, poll_interval_s=every_s)
        self.sessionmaker = sessionmaker
        self.bus = bus
        self.clock = clock

    @classmethod
    async def start(
        cls,
        owner_dsn: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        bus: Bus | None,
        **options: Any,
    ) -> DispatchMonitor:
        monitor = cls(owner_dsn, sessionmaker, bus, **options)
        await monitor.open()
        return monitor

    async def for_tenant(self, tenant_id: uuid.UUID) -> bool:
        outcome = await follow_tenant(self.sessionmaker, TenantId(tenant_id), self.clock())
        if outcome is None:
            return False
        if self.bus is not None and outcome.live:
            await self.bus.publish(tenant_id, outcome.live)
        return True
