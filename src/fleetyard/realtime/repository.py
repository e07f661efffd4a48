"""The few reads the live hub needs, each in its own short tenant-scoped transaction."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId

_EXISTING_VEHICLES = text("select id from vehicles where tenant_id = :tenant_id and id = any(:ids)")
_EXISTING_GROUPS = text("select id from groups where tenant_id = :tenant_id and id = any(:ids)")
# A group's vehicles, with those of every group nested below it.
_VEHICLES_IN_GROUPS = text(
    """
    with recursive tree(id) as (
        select id from groups where tenant_id = :tenant_id and id = any(:ids)
        union
        select g.id from groups g join tree on g.parent_id = tree.id
        where g.tenant_id = :tenant_id
    )
    select v.id from vehicles v
    where v.tenant_id = :tenant_id and v.group_id in (select id from tree)
    """
)


class LiveRepository:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], tenant_id: TenantId):
        self.sessionmaker = sessionmaker
        self.tenant_id = tenant_id

    async def _ids(self, statement: object, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        if not ids:
            return set()
        async with self.sessionmaker() as session, session.begin():
            await set_tenant(session, self.tenant_id)
            params = {"tenant_id": self.tenant_id, "ids": list(ids)}
            rows = await session.execute(statement, params)  # type: ignore[call-overload]
            return {row[0] for row in rows}

    async def existing_vehicles(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        return await self._ids(_EXISTING_VEHICLES, ids)

    async def existing_groups(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        return await self._ids(_EXISTING_GROUPS, ids)

    async def vehicles_in_groups(self, group_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        return await self._ids(_VEHICLES_IN_GROUPS, group_ids)
