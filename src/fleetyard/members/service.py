"""Membership rules: plan's user limit, never grant above one's role, keep one owner."""

from __future__ import annotations

import uuid

from sqlalchemy import func, text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role, can_grant
from fleetyard.auth.secrets import hash_password
from fleetyard.errors import (
    AlreadyExists,
    Conflict,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from fleetyard.events.service import EventLog
from fleetyard.members.repository import MemberRepository
from fleetyard.members.schemas import Member, MemberCreate
from fleetyard.models import Membership, Tenant, User


def member_out(membership: Membership, user: User) -> Member:
    return Member(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=membership.role,
        created_at=membership.created_at,
    )


class MemberService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.session = session
        self.actor = actor
        self.repo = MemberRepository(session, actor.tenant_id)
        self.events = EventLog(session, actor)

    async def list(self) -> list[Member]:
        return [member_out(m, u) for m, u in await self.repo.list()]

    async def get(self, user_id: uuid.UUID) -> Member:
        found = await self.repo.get(user_id)
        if found is None:
            raise NotFound("No such member.")
        return member_out(*found)

    async def add(self, data: MemberCreate) -> Member:
        self._check_can_grant(data.role)
        await self._lock()
        tenant = await self.session.get(Tenant, self.actor.tenant_id)
        if tenant and tenant.max_users is not None and await self.repo.count() >= tenant.max_users:
            raise LimitExceeded(
                f"This tenant may have at most {tenant.max_users} users.",
                details={"limit": tenant.max_users, "kind": "users"},
            )
        email = data.email.lower()
        user = await self.repo.get_user_by_email(email)
        if user is None:
            if data.password is None:
                raise ValidationFailed(
                    "A new user needs a password.", details={"field": "password"}
                )
            user = await self.repo.add_user(email, hash_password(data.password), data.display_name)
        elif await self.repo.get(user.id) is not None:
            raise AlreadyExists("This user is already a member.", details={"field": "email"})
        membership = await self.repo.add(user.id, data.role.value)
        self.events.record(
            "member", "created", user.id, None, {"email": email, "role": data.role.value}
        )
        return member_out(membership, user)

    async def update_role(self, user_id: uuid.UUID, role: Role) -> Member:
        await self._lock()
        membership, user = await self._get_for_change(user_id)
        self._check_can_grant(role)
        if membership.role == Role.OWNER and role is not Role.OWNER:
            await self._keep_an_owner()
        before = {"role": membership.role}
        membership.role = role.value
        membership.updated_at = func.now()
        await self.session.flush()
        await self.session.refresh(membership)
        self.events.record("member", "updated", user_id, before, {"role": role.value})
        return member_out(membership, user)

    async def remove(self, user_id: uuid.UUID) -> None:
        await self._lock()
        membership, _ = await self._get_for_change(user_id)
        if membership.role == Role.OWNER:
            await self._keep_an_owner()
        await self.repo.delete(membership)
        self.events.record("member", "deleted", user_id, {"role": membership.role}, None)

    async def _get_for_change(self, user_id: uuid.UUID) -> tuple[Membership, User]:
        found = await self.repo.get(user_id, for_update=True)
        if found is None:
            raise NotFound("No such member.")
        if not can_grant(self.actor.role, Role(found[0].role)):
            raise PermissionDenied("You cannot change a member whose role is above yours.")
        return found

    def _check_can_grant(self, role: Role) -> None:
        if not can_grant(self.actor.role, role):
            raise PermissionDenied("You cannot grant a role above your own.")

    async def _keep_an_owner(self) -> None:
        if await self.repo.count(Role.OWNER.value) <= 1:
            raise Conflict("A tenant keeps at least one owner.", details={"reason": "last_owner"})

    async def _lock(self) -> None:
        """Membership changes of one tenant run one at a time (limits, last owner)."""
        await self.session.execute(
            text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"{self.actor.tenant_id}:members"},
        )
