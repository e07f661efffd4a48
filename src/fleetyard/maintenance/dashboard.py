"""Maintenance's share of the home dashboard: vehicles due, overdue and due soon (their worst
schedule), open work orders, parts low in stock."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.dashboard.schemas import MaintenanceCounts
from fleetyard.kit.ids import TenantId
from fleetyard.maintenance.repository import MaintenanceRepository
from fleetyard.models import WorkOrder


async def maintenance_counts(session: AsyncSession, tenant_id: TenantId) -> MaintenanceCounts:
    repo = MaintenanceRepository(session, tenant_id)
    by_status = await repo.vehicles_by_status()
    open_orders = await session.scalar(
        select(func.count()).where(
            WorkOrder.tenant_id == tenant_id, WorkOrder.status.in_(("open", "in_progress"))
        )
    )
    return MaintenanceCounts(
        due_soon=by_status.get("due_soon", 0),
        due=by_status.get("due", 0),
        overdue=by_status.get("overdue", 0),
        open_work_orders=int(open_orders or 0),
        low_stock_parts=await repo.low_stock_count(),
    )
