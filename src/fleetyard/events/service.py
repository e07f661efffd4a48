"""Write and read the event log. Callers pass snapshots; we store only what changed."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.errors import ValidationFailed
from fleetyard.events.repository import EventRepository
from fleetyard.kit.context import request_id_var
from fleetyard.kit.pagination import decode_cursor, encode_cursor
from fleetyard.models import Event

Snapshot = Mapping[str, Any]


def diff(before: Snapshot | None, after: Snapshot | None) -> dict[str, dict[str, Any]]:
    """Field → {before, after} for every field whose value differs."""
    before = before or {}
    after = after or {}
    changes: dict[str, dict[str, Any]] = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old != new:
            changes[field] = {"before": old, "after": new}
    return changes


class EventLog:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.actor = actor
        self.repo = EventRepository(session, actor.tenant_id)

    def record(
        self,
        entity_type: str,
        action: str,
        entity_id: uuid.UUID,
        before: Snapshot | None,
        after: Snapshot | None,
    ) -> Event:
        return self.repo.add(
            type=f"{entity_type}_{action}",
            entity_type=entity_type,
            entity_id=entity_id,
            actor_type=self.actor.actor_type.value,
            actor_id=self.actor.actor_id,
            changes=diff(before, after),
            request_id=request_id_var.get(),
        )

    async def list(
        self,
        *,
        entity_type: str | None,
        entity_id: uuid.UUID | None,
        event_type: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Event], str | None]:
        after_id = None
        if cursor:
            raw, _ = decode_cursor(cursor)
            if not isinstance(raw, int):
                raise ValidationFailed("Malformed cursor.")
            after_id = raw
        rows = await self.repo.list(
            entity_type=entity_type,
            entity_id=entity_id,
            event_type=event_type,
            after_id=after_id,
            limit=limit,
        )
        items = list(rows[:limit])
        next_cursor = None
        if len(rows) > limit:
            next_cursor = encode_cursor(items[-1].id, items[-1].entity_id)
        return items, next_cursor
