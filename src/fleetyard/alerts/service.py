"""Alert rules for the API: reads scoped to the tenant, acknowledgement recorded once."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.alerts.repository import AlertFilters, AlertRepository, AlertRow, severity_cursor
from fleetyard.alerts.schemas import AlertSort
from fleetyard.auth.principal import Principal
from fleetyard.errors import NotFound
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
