"""The tenant's depots with a location, as the namer's circles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import Group
from fleetyard.places.naming import Depot

_LOCATION = ("latitude", "longitude", "radius_m")


def _has_locations() -> bool:
    """Groups gained a location in migration 0005; before it, no group is a place."""
    return all(name in Group.__table__.columns for name in _LOCATION)


async def depots_of(session: AsyncSession, tenant_id: TenantId) -> list[Depot]:
    if not _has_locations():
        return []
    groups: Any = Group.__table__.c
    stmt = select(groups.id, groups.name, groups.latitude, groups.longitude, groups.radius_m).where(
        groups.tenant_id == tenant_id,
        groups.kind == "depot",
        groups.latitude.is_not(None),
        groups.longitude.is_not(None),
        groups.radius_m.is_not(None),
    )
    return [
        Depot(
            group_id=row.id,
            name=row.name,
            latitude=float(row.latitude),
            longitude=float(row.longitude),
            radius_m=float(row.radius_m),
        )
        for row in await session.execute(stmt)
    ]
