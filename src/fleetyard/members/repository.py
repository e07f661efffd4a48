from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import Membership, User


class MemberRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def list(self) -> Sequence[tuple[Membership, User]]:
        result = await self.session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == self.tenant_id)
            .order_by(User.email)
        )
        return [(m, u) for m, u in result.all()]

    async def get(
        self, user_id: uuid.UUID, *, for_update: bool = False
    ) -> tuple[Membership, User] | None:
        stmt = (
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == self.tenant_id, Membership.user_id == user_id)
        )
        if for_update:
            stmt = stmt.with_for_update(of=Membership)
        row = (await self.session.execute(stmt)).one_or_none()
        return (row[0], row[1]) if row else None

    async def count(self, role: str | None = None) -> int:
        stmt = (
            select(func.count())
            .select_from(Membership)
            .where(Membership.tenant_id == self.tenant_id)
        )
        if role is not None:
            stmt = stmt.where(Membership.role == role)
        return int(await self.session.scalar(stmt) or 0)

    async def get_user_by_email(self, email: str) -> User | None:
        result = await self.session.execute(select(User).where(User.email == email))
        return result.scalar_one_or_none()

    async def add_user(self, email: str, password_hash: str, display_name: str) -> User:
        user = User(email=email, password_hash=password_hash, display_name=display_name)
        self.session.add(user)
        await self.session.flush()
        return user

    async def add(self, user_id: uuid.UUID, role: str) -> Membership:
        membership = Membership(tenant_id=self.tenant_id, user_id=user_id, role=role)
        self.session.add(membership)
        await self.session.flush()
        await self.session.refresh(membership)
        return membership

    async def delete(self, membership: Membership) -> None:
        await self.session.delete(membership)
        await self.session.flush()
