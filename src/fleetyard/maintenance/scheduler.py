"""The maintenance evaluator's loop: in each API process, like the report scheduler, every
``EVALUATE_EVERY_S`` it evaluates each tenant that has service schedules or work orders
holding a vehicle out of service (meters move, days pass, downtime starts and ends).

Claim-safe across processes: a tenant is evaluated in one transaction that first takes the
tenant's advisory transaction lock with ``pg_try_advisory_xact_lock``; a process that finds
it taken skips the tenant this round (another is doing the same work right now). The tenants
are listed on the owner connection (across tenants); each tenant's work runs on the app's own
sessions scoped to it, so row-level security holds as it does for the API."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fleetyard.auth.principal import Principal
from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.kit.listening_loop import TenantRoundLoop
from fleetyard.maintenance.evaluate import Evaluator, Outcome
from fleetyard.maintenance.work_orders import follow_downtime
from fleetyard.models import WorkOrder

EVALUATE_EVERY_S: Final = 60.0

Clock = Callable[[], datetime]

_TENANTS = """
select tenant_id from service_schedules
union
select tenant_id from work_orders
where status in ('open', 'in_progress') and out_of_service_from is not null
"""

_TRY_LOCK = text("select pg_try_advisory_xact_lock(hashtextextended(:key, 0))")


def utc_now() -> datetime:
    return datetime.now(UTC)


async def evaluate_tenant(
    sessionmaker: async_sessionmaker[AsyncSession], tenant_id: TenantId, now: datetime
) -> Outcome | None:
    """One tenant's round in one transaction; None when another process holds it."""
    async with sessionmaker() as session, session.begin():
        await set_tenant(session, tenant_id)
        locked = await session.scalar(_TRY_LOCK, {"key": f"maintenance:{tenant_id}"})
        if not locked:
            return None
        outcome = await Evaluator(session, tenant_id).run(now)
        actor = Principal.system(tenant_id)
        stmt = (
            select(WorkOrder.vehicle_id)
            .where(
                WorkOrder.tenant_id == tenant_id,
                WorkOrder.status.in_(("open", "in_progress")),
                WorkOrder.out_of_service_from.is_not(None),
            )
            .distinct()
        )
        held = list((await session.execute(stmt)).scalars())
        for vehicle_id in held:
            await follow_downtime(session, actor, vehicle_id, now)
        return outcome


class MaintenanceScheduler(TenantRoundLoop):
    task_name = "maintenance-evaluator"
    tenants_sql = _TENANTS

    def __init__(
        self,
        owner_dsn: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        clock: Clock = utc_now,
        every_s: float = EVALUATE_EVERY_S,
    ) -> None:
        super().__init__(owner_dsn, poll_interval_s=every_s)
        self.sessionmaker = sessionmaker
        self.clock = clock

    @classmethod
    async def start(
        cls, owner_dsn: str, sessionmaker: async_sessionmaker[AsyncSession], **options: Any
    ) -> MaintenanceScheduler:
        scheduler = cls(owner_dsn, sessionmaker, **options)
        await scheduler.open()
        return scheduler

    async def for_tenant(self, tenant_id: uuid.UUID) -> bool:
        outcome = await evaluate_tenant(self.sessionmaker, TenantId(tenant_id), self.clock())
        return outcome is not None
