from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import Event

# Session.info key: the events a transaction wrote, published live once it has committed.
COMMITTED_EVENTS = "live_events"


class EventRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def add(self, **values: Any) -> Event:
        event = Event(tenant_id=self.tenant_id, **values)
        self.session.add(event)
        self.session.info.setdefault(COMMITTED_EVENTS, []).append(event)
        return event

    async def list(
        self,
        *,
        entity_type: str | None,
        entity_id: uuid.UUID | None,
        event_type: str | None,
        after_id: int | None,
        limit: int,
    ) -> Sequence[Event]:
        stmt = select(Event).where(Event.tenant_id == self.tenant_id)
        if entity_type is not None:
            stmt = stmt.where(Event.entity_type == entity_type)
        if entity_id is not None:
            stmt = stmt.where(Event.entity_id == entity_id)
        if event_type is not None:
            stmt = stmt.where(Event.type == event_type)
        if after_id is not None:
            stmt = stmt.where(Event.id < after_id)
        result = await self.session.execute(stmt.order_by(Event.id.desc()).limit(limit + 1))
        return result.scalars().all()
