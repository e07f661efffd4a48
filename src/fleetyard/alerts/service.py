"""Alert rules for the API: reads scoped to the tenant, acknowledgement recorded once."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.alerts.repository import AlertFilters, AlertRepository
from fleetyard.auth.principal import Principal
from fleetyard.errors import NotFound
from fleetyard.events.service import EventLog
from fleetyard.kit.pagination import page_of
from fleetyard.models import Alert

ENTITY_TYPE = "alert"


class AlertService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.actor = actor
        self.repo = AlertRepository(session, actor.tenant_id)
        self.events = EventLog(session, actor)

    async def list(
        self, filters: AlertFilters, *, cursor: str | None, limit: int
    ) -> tuple[list[Alert], str | None]:
        rows = await self.repo.list_newest_first(filters, cursor=cursor, limit=limit)
        return page_of(rows, limit, "opened_at")

    async def get(self, alert_id: uuid.UUID) -> Alert:
        alert = await self.repo.get(alert_id)
        if alert is None:
            raise NotFound(
                "No such alert.", details={"entity_type": ENTITY_TYPE, "id": str(alert_id)}
            )
        return alert

    async def acknowledge(self, alert_id: uuid.UUID) -> Alert:
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
        return alert
