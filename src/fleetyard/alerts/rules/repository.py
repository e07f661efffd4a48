"""The reads alert rules need besides their own table: do the ids a rule names exist in
the tenant?"""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import Group, Membership, Vehicle


class RuleReferences:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def missing_vehicles(self, ids: Collection[uuid.UUID]) -> list[uuid.UUID]:
        if not ids:
            return []
        stmt = select(Vehicle.id).where(Vehicle.tenant_id == self.tenant_id, Vehicle.id.in_(ids))
        found = set((await self.session.execute(stmt)).scalars())
        return [i for i in ids if i not in found]

    async def missing_groups(self, ids: Collection[uuid.UUID]) -> list[uuid.UUID]:
        if not ids:
            return []
        stmt = select(Group.id).where(Group.tenant_id == self.tenant_id, Group.id.in_(ids))
        found = set((await self.session.execute(stmt)).scalars())
        return [i for i in ids if i not in found]

    async def missing_members(self, user_ids: Collection[uuid.UUID]) -> list[uuid.UUID]:
        if not user_ids:
            return []
        stmt = select(Membership.user_id).where(
            Membership.tenant_id == self.tenant_id, Membership.user_id.in_(user_ids)
        )
        found = set((await self.session.execute(stmt)).scalars())
        return [i for i in user_ids if i not in found]
