from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role, can_grant
from fleetyard.auth.secrets import digest, new_api_key
from fleetyard.errors import NotFound, PermissionDenied, ValidationFailed
from fleetyard.events.service import EventLog
from fleetyard.models import ApiKey

OnRevoke = Callable[[str], None]
"""Told a revoked key's digest: a process's key cache forgets it."""


class ApiKeyService:
    def __init__(
        self, session: AsyncSession, actor: Principal, on_revoke: OnRevoke | None = None
    ) -> None:
        self.session = session
        self.actor = actor
        self.events = EventLog(session, actor)
        self.on_revoke = on_revoke

    async def create(
        self, name: str, role: Role, expires_at: datetime | None = None
    ) -> tuple[ApiKey, str]:
        if not can_grant(self.actor.role, role):
            raise PermissionDenied("You cannot create a key with a higher role than yours.")
        if expires_at is not None:
            if expires_at.tzinfo is None:
                expires_at = expires_at.replace(tzinfo=UTC)
            if expires_at <= datetime.now(UTC):
                raise ValidationFailed("expires_at must be in the future.")
        key, prefix = new_api_key()
        record = ApiKey(
            tenant_id=self.actor.tenant_id,
            name=name,
            role=role.value,
            prefix=prefix,
            key_hash=digest(key),
            created_by=self.actor.user_id,
            expires_at=expires_at,
        )
        self.session.add(record)
        await self.session.flush()
        await self.session.refresh(record)
        self.events.record(
            "api_key",
            "created",
            record.id,
            None,
            {"name": name, "role": role.value, "prefix": prefix},
        )
        return record, key

    async def list(self) -> Sequence[ApiKey]:
        result = await self.session.execute(
            select(ApiKey)
            .where(ApiKey.tenant_id == self.actor.tenant_id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id)
        )
        return result.scalars().all()

    async def revoke(self, key_id: uuid.UUID) -> ApiKey:
        result = await self.session.execute(
            select(ApiKey)
            .where(ApiKey.tenant_id == self.actor.tenant_id, ApiKey.id == key_id)
            .with_for_update()
        )
        record = result.scalar_one_or_none()
        if record is None:
            raise NotFound("No such API key.")
        if record.revoked_at is None:
            record.revoked_at = func.now()
            await self.session.flush()
            await self.session.refresh(record)
            self.events.record(
                "api_key", "revoked", record.id, {"revoked": False}, {"revoked": True}
            )
            self._forget(record.key_hash)
        return record

    def _forget(self, key_hash: str) -> None:
        """Now, and again once the revocation is committed: a look-up that ran in between
        read the row from before it."""
        hook = self.on_revoke
        if hook is None:
            return
        hook(key_hash)
        event.listen(self.session.sync_session, "after_commit", lambda _: hook(key_hash), once=True)
