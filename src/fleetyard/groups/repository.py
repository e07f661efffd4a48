"""Group SQL beyond the shared record life: how many vehicles each group holds."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import Vehicle


async def vehicle_counts(
    session: AsyncSession, tenant_id: TenantId, group_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Group id → vehicles directly in it, for a page of groups in one statement (a group
    with none is absent). Served by ix_vehicles_group (tenant_id, group_id, id)."""
    if not group_ids:
        return {}
    stmt = (
        select(Vehicle.group_id, func.count())
        .where(Vehicle.tenant_id == tenant_id, Vehicle.group_id.in_(list(group_ids)))
        .group_by(Vehicle.group_id)
    )
    rows = await session.execute(stmt)
    return {group_id: count for group_id, count in rows if group_id is not None}
