"""The tenant's depots with a location (migration 0005), as the namer's circles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import Group
from fleetyard.places.naming import Depot

_groups = Group.__table__.c


async def depots_of(session: AsyncSession, tenant_id: TenantId) -> list[Depot]:
    """Depot groups with a location; a location is whole or absent (a check in SQL), so the
    radius is there whenever the point is. Regions and teams are areas, not yards: a location
    on one names nothing."""
    stmt = select(
        _groups.id, _groups.name, _groups.latitude, _groups.longitude, _groups.radius_m
    ).where(
        _groups.tenant_id == tenant_id,
        _groups.kind == "depot",
        _groups.latitude.is_not(None),
    )
    return [
        Depot(
            group_id=row.id,
            name=row.name,
            latitude=row.latitude,
            longitude=row.longitude,
            radius_m=float(row.radius_m),
        )
        for row in await session.execute(stmt)
    ]
