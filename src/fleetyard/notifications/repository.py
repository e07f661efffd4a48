"""Every line of notification SQL for the API, scoped to the tenant (and, for a member's own
things, to the member). The dispatchers' cross-tenant SQL is in ``queue``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.kit.pagination import SortDirection, paginate
from fleetyard.models import Notification as NotificationRow
from fleetyard.models import (
    NotificationChannelSettings,
    NotificationPreference,
    PushSubscription,
)


class MemberNotifications:
    """One member's in-app notifications: released ones whose channels include in-app."""

    def __init__(self, session: AsyncSession, tenant_id: TenantId, user_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.user_id = user_id

    def _visible(self) -> list[Any]:
        return [
            NotificationRow.tenant_id == self.tenant_id,
            NotificationRow.user_id == self.user_id,
            NotificationRow.released_at.is_not(None),
            NotificationRow.channels.contains(["in_app"]),
        ]

    async def list_page(
        self, *, unread: bool | None, cursor: str | None, limit: int
    ) -> Sequence[NotificationRow]:
        stmt = select(NotificationRow).where(*self._visible())
        if unread is True:
            stmt = stmt.where(NotificationRow.read_at.is_(None))
        elif unread is False:
            stmt = stmt.where(NotificationRow.read_at.is_not(None))
        stmt = paginate(
            stmt,
            sort_column=NotificationRow.id,
            id_column=NotificationRow.id,
            direction=SortDirection.DESC,
            cursor=cursor,
            limit=limit,
        )
        rows: Sequence[NotificationRow] = (await self.session.execute(stmt)).scalars().all()
        return rows

    async def unread(self) -> int:
        stmt = (
            select(func.count())
            .select_from(NotificationRow)
            .where(*self._visible(), NotificationRow.read_at.is_(None))
        )
        return int(await self.session.scalar(stmt) or 0)

    async def get(self, notification_id: uuid.UUID) -> NotificationRow | None:
        stmt = select(NotificationRow).where(
            *self._visible(), NotificationRow.id == notification_id
        )
        found: NotificationRow | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return found

    async def mark_read(self, notification_id: uuid.UUID, read: bool) -> None:
        await self.session.execute(
            update(NotificationRow)
            .where(*self._visible(), NotificationRow.id == notification_id)
            .values(read_at=func.now() if read else None)
        )

    async def mark_all_read(self) -> int:
        result: Any = await self.session.execute(
            update(NotificationRow)
            .where(*self._visible(), NotificationRow.read_at.is_(None))
            .values(read_at=func.now())
        )
        return int(result.rowcount or 0)


class PreferenceRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId, user_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.user_id = user_id

    async def all(self) -> Sequence[NotificationPreference]:
        stmt = select(NotificationPreference).where(
            NotificationPreference.tenant_id == self.tenant_id,
            NotificationPreference.user_id == self.user_id,
        )
        rows: Sequence[NotificationPreference] = (await self.session.execute(stmt)).scalars().all()
        return rows

    async def put(self, channel: str, enabled: bool, kinds: list[str], min_severity: str) -> None:
        stmt = select(NotificationPreference).where(
            NotificationPreference.tenant_id == self.tenant_id,
            NotificationPreference.user_id == self.user_id,
            NotificationPreference.channel == channel,
        )
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        if row is None:
            row = NotificationPreference(
                tenant_id=self.tenant_id, user_id=self.user_id, channel=channel
            )
            self.session.add(row)
        row.enabled = enabled
        row.kinds = kinds
        row.min_severity = min_severity
        row.updated_at = func.now()
        await self.session.flush()


class ChannelRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def get(self, *, for_update: bool = False) -> NotificationChannelSettings | None:
        stmt = select(NotificationChannelSettings).where(
            NotificationChannelSettings.tenant_id == self.tenant_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        found: NotificationChannelSettings | None = (
            await self.session.execute(stmt)
        ).scalar_one_or_none()
        return found

    async def get_or_create(self) -> NotificationChannelSettings:
        """The tenant's row, locked; made on first use (concurrent firsts: one wins)."""
        await self.session.execute(
            insert(NotificationChannelSettings)
            .values(tenant_id=self.tenant_id)
            .on_conflict_do_nothing(index_elements=["tenant_id"])
        )
        found = await self.get(for_update=True)
        assert found is not None
        return found

    async def subscription_count(self, user_id: uuid.UUID) -> int:
        stmt = (
            select(func.count())
            .select_from(PushSubscription)
            .where(
                PushSubscription.tenant_id == self.tenant_id, PushSubscription.user_id == user_id
            )
        )
        return int(await self.session.scalar(stmt) or 0)

    async def subscription_by_endpoint(self, endpoint: str) -> PushSubscription | None:
        stmt = select(PushSubscription).where(
            PushSubscription.tenant_id == self.tenant_id, PushSubscription.endpoint == endpoint
        )
        found: PushSubscription | None = (await self.session.execute(stmt)).scalar_one_or_none()
        return found

    async def add_subscription(self, **values: Any) -> PushSubscription:
        row = PushSubscription(tenant_id=self.tenant_id, **values)
        self.session.add(row)
        await self.session.flush()
        await self.session.refresh(row)
        return row

    async def delete_subscription(self, subscription_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(PushSubscription).where(
                PushSubscription.tenant_id == self.tenant_id,
                PushSubscription.id == subscription_id,
            )
        )
