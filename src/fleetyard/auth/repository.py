"""SQL for sessions, API key look-ups and memberships (the reads that precede a tenant)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.db import set_context
from fleetyard.models import ApiKey, Membership, Tenant, User, UserSession


@dataclass(frozen=True, slots=True)
class ApiKeyGrant:
    key_id: uuid.UUID
    tenant_id: uuid.UUID
    role: str
    api_requests_per_minute: int
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    max_vehicles: int | None = None  # the tenant's vehicle limit (None: none)


@dataclass(frozen=True, slots=True)
class SessionGrant:
    user_id: uuid.UUID
    tenant_id: uuid.UUID | None
    csrf_hash: str


class AuthRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_user_by_email(self, email: str) -> User | None:
        result = await self.session.execute(select(User).where(User.email == email.lower()))
        return result.scalar_one_or_none()

    async def get_user(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def list_memberships(self, user_id: uuid.UUID) -> list[tuple[Membership, Tenant]]:
        # memberships' "lookup" policy shows a user's own rows across tenants.
        await set_context(self.session, "user_id", str(user_id))
        result = await self.session.execute(
            select(Membership, Tenant)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(Membership.user_id == user_id)
            .order_by(Tenant.name)
        )
        return [(row[0], row[1]) for row in result.all()]

    async def enter_membership(
        self, user_id: uuid.UUID, tenant_id: uuid.UUID
    ) -> tuple[str, int, int | None] | None:
        """The user's role in the tenant, its rate limit and vehicle limit; when the user is a
        member, the same statement scopes the transaction to that tenant (``app.tenant_id``).
        Needs ``app.user_id`` set (by :meth:`get_live_session`) for the memberships' lookup
        policy."""
        result = await self.session.execute(
            select(
                Membership.role,
                Tenant.api_requests_per_minute,
                Tenant.max_vehicles,
                func.set_config("app.tenant_id", cast(Membership.tenant_id, String), True),
            )
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(Membership.user_id == user_id, Membership.tenant_id == tenant_id)
        )
        row = result.one_or_none()
        return (row[0], row[1], row[2]) if row else None

    async def create_session(
        self,
        token_hash: str,
        user_id: uuid.UUID,
        tenant_id: uuid.UUID | None,
        csrf_hash: str,
        ttl: timedelta,
    ) -> None:
        self.session.add(
            UserSession(
                token_hash=token_hash,
                user_id=user_id,
                tenant_id=tenant_id,
                csrf_hash=csrf_hash,
                expires_at=func.now() + ttl,
            )
        )
        await self.session.execute(
            update(User).where(User.id == user_id).values(last_login_at=func.now())
        )
        await self.session.flush()

    async def get_live_session(self, token_hash: str) -> SessionGrant | None:
        """The live session of an active user; the same statement sets ``app.user_id`` to
        that user (one round trip instead of two)."""
        result = await self.session.execute(
            select(
                UserSession.user_id,
                UserSession.tenant_id,
                UserSession.csrf_hash,
                func.set_config("app.user_id", cast(UserSession.user_id, String), True),
            )
            .join(User, User.id == UserSession.user_id)
            .where(
                UserSession.token_hash == token_hash,
                UserSession.expires_at > func.now(),
                User.is_active.is_(True),
            )
        )
        row = result.one_or_none()
        return SessionGrant(row[0], row[1], row[2]) if row else None

    async def set_session_tenant(self, token_hash: str, tenant_id: uuid.UUID) -> None:
        await self.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash)
            .values(tenant_id=tenant_id, updated_at=func.now())
        )

    async def delete_session(self, token_hash: str) -> None:
        await self.session.execute(delete(UserSession).where(UserSession.token_hash == token_hash))

    async def delete_expired_sessions(self, before: datetime) -> int:
        result = await self.session.execute(
            delete(UserSession).where(UserSession.expires_at < before)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def get_api_key_grant(self, key_hash: str) -> ApiKeyGrant | None:
        # api_keys' "lookup" policy shows the one row whose digest we present.
        await set_context(self.session, "api_key_hash", key_hash)
        result = await self.session.execute(
            select(
                ApiKey.id,
                ApiKey.tenant_id,
                ApiKey.role,
                Tenant.api_requests_per_minute,
                ApiKey.expires_at,
                ApiKey.last_used_at,
                Tenant.max_vehicles,
            )
            .join(Tenant, Tenant.id == ApiKey.tenant_id)
            .where(
                ApiKey.key_hash == key_hash,
                ApiKey.revoked_at.is_(None),
                (ApiKey.expires_at.is_(None)) | (ApiKey.expires_at > func.now()),
            )
        )
        row = result.one_or_none()
        return ApiKeyGrant(*row) if row else None

    async def touch_api_key(self, tenant_id: uuid.UUID, key_id: uuid.UUID) -> None:
        """Record use; the condition keeps it to once a minute across processes too."""
        await self.session.execute(
            update(ApiKey)
            .where(
                ApiKey.tenant_id == tenant_id,
                ApiKey.id == key_id,
                (ApiKey.last_used_at.is_(None))
                | (ApiKey.last_used_at < func.now() - timedelta(minutes=1)),
            )
            .values(last_used_at=func.now())
        )
