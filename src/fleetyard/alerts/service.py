"""Alert rules for the API: reads scoped to the tenant, acknowledgement recorded once."""

from __future__ import annotations

import builtins
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.alerts.repository import AlertFilters, AlertRepository, AlertRow, severity_cursor
from fleetyard.alerts.schemas import AlertComment, AlertSort
from fleetyard.auth.principal import Principal
from fleetyard.errors import NotFound, ValidationFailed
from fleetyard.events.service import EventLog
from fleetyard.kit.pagination import encode_cursor

ENTITY_TYPE = "alert"


class AlertService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.actor = actor
        self.repo = AlertRepository(session, actor.tenant_id)
        self.events = EventLog(session, actor)

    async def list(
        self, filters: AlertFilters, *, sort: AlertSort, cursor: str | None, limit: int
    ) -> tuple[list[AlertRow], str | None]:
        rows = await self.repo.list_page(filters, sort=sort, cursor=cursor, limit=limit)
        items = rows[:limit]
        if len(rows) <= limit or not items:
            return items, None
        last = items[-1]
        if sort is AlertSort.SEVERITY:
            return items, severity_cursor(last)
        return items, encode_cursor(last.alert.opened_at, last.alert.id)

    async def get(self, alert_id: uuid.UUID) -> AlertRow:
        row = await self.repo.get(alert_id)
        if row is None:
            raise NotFound(
                "No such alert.", details={"entity_type": ENTITY_TYPE, "id": str(alert_id)}
            )
        return row

    async def acknowledge(self, alert_id: uuid.UUID) -> AlertRow:
        """Idempotent: acknowledging an acknowledged alert changes nothing and answers it."""
        by = self.actor.user_id or self.actor.actor_id
        alert = await self.repo.acknowledge_if_unacknowledged(alert_id, by)
        if alert is None:
            return await self.get(alert_id)
        self.events.record(
            ENTITY_TYPE,
            "acknowledged",
            alert.id,
            {"acknowledged_at": None, "acknowledged_by": None},
            {
                "acknowledged_at": alert.acknowledged_at.isoformat()
                if alert.acknowledged_at
                else None,
                "acknowledged_by": str(by) if by else None,
            },
        )
        return await self.get(alert.id)

    async def assign(self, alert_id: uuid.UUID, user_id: uuid.UUID | None) -> AlertRow:
        """Assign to a member (or nobody); the assignee is notified (fleetyard.notifications)."""
        if user_id is not None and not await self.repo.is_member(user_id):
            raise ValidationFailed("No such member in this tenant.", details={"field": "user_id"})
        row = await self.get(alert_id)
        before, after = await self.repo.assign(alert_id, user_id)
        if before != after:
            self.events.record(
                ENTITY_TYPE,
                "assigned",
                alert_id,
                {"assigned_to": str(before) if before else None},
                {"assigned_to": str(after) if after else None},
            )
            row = await self.get(alert_id)
        return row

    async def comment(self, alert_id: uuid.UUID, body: str) -> AlertComment:
        await self.get(alert_id)
        author_id = self.actor.user_id or self.actor.actor_id
        comment = await self.repo.add_comment(
            alert_id, self.actor.actor_type.value, author_id, body
        )
        self.events.record(ENTITY_TYPE, "commented", alert_id, None, {"comment": body})
        [(_, name)] = await self.repo.list_comments(alert_id, limit=1, only=comment.id)
        return _comment_out(comment, name)

    async def comments(self, alert_id: uuid.UUID, limit: int) -> builtins.list[AlertComment]:
        await self.get(alert_id)
        return [_comment_out(c, name) for c, name in await self.repo.list_comments(alert_id, limit)]


def _comment_out(comment: object, author_name: str | None) -> AlertComment:
    out = AlertComment.model_validate(comment, from_attributes=True)
    return out.model_copy(update={"author_name": author_name})
