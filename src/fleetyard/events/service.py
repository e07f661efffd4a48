"""Write and read the event log. Callers pass snapshots; we store only what changed. Reads
come back in words: who acted, and the names of the records the ids point at."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import ActorType, Principal
from fleetyard.errors import ValidationFailed
from fleetyard.events.repository import EventRepository, Named, NameKey
from fleetyard.events.schemas import EventActor, EventRead, EventType
from fleetyard.events.types import DOMAINS, EVENT_KINDS, REFERENCE_FIELDS
from fleetyard.kit.context import request_id_var
from fleetyard.kit.pagination import decode_cursor, encode_cursor
from fleetyard.models import Event

Snapshot = Mapping[str, Any]

# entity_type → the kind of name that names it (members are users)
_ENTITY_KINDS = {
    "group": "group",
    "vehicle": "vehicle",
    "driver": "driver",
    "device": "device",
    "reservation": "reservation",
    "alert": "alert",
    "api_key": "api_key",
    "webhook": "webhook",
    "tenant": "tenant",
    "member": "user",
    "service_schedule": "service_schedule",
    "work_order": "work_order",
    "part": "part",
}
# Fields of a record's own snapshot that name it, when the record itself is gone.
_NAMING_FIELDS = ("plate", "name", "message", "email", "description", "url", "unique_id")
# Alerts the rules open and clear from a tracker's readings.
_TRACKER_EVENTS = frozenset({"alert_opened", "alert_cleared"})


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


def event_types() -> list[EventType]:
    return [
        EventType(type=k.type, domain=k.domain, domain_label=DOMAINS[k.domain], label=k.label)
        for k in EVENT_KINDS
    ]


def _as_id(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _pairs(changes: Mapping[str, Any]) -> Iterable[tuple[str, Any, Any]]:
    """(field, before, after) for each change; a value that isn't a {before, after} pair
    (never written by us, but the log is data) counts as an ``after``."""
    for field, change in changes.items():
        if isinstance(change, Mapping):
            yield field, change.get("before"), change.get("after")
        else:
            yield field, None, change


def _reference_kinds(field: str) -> tuple[str, ...]:
    kind = REFERENCE_FIELDS.get(field)
    if kind is None:
        return ()
    return ("member", "api_key") if kind == "actor" else (kind,)


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

    async def in_words(self, events: Sequence[Event]) -> list[EventRead]:
        """The events with their actors' and referenced records' names (one query)."""
        names = await self.repo.names(_wanted(events))
        return [_read(event, names) for event in events]

    async def list(
        self,
        *,
        entity_type: str | None,
        entity_id: uuid.UUID | None,
        event_type: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[EventRead], str | None]:
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
        return await self.in_words(items), next_cursor


def _wanted(events: Iterable[Event]) -> dict[str, set[uuid.UUID]]:
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    for event in events:
        if event.actor_id is not None and event.actor_type in (ActorType.USER, ActorType.API_KEY):
            wanted["user" if event.actor_type == ActorType.USER else "api_key"].add(event.actor_id)
        entity_kind = _ENTITY_KINDS.get(event.entity_type)
        if entity_kind is not None:
            wanted[entity_kind].add(event.entity_id)
        for field, before, after in _pairs(event.changes or {}):
            for kind in _reference_kinds(field):
                wanted[kind].update(i for i in (_as_id(before), _as_id(after)) if i is not None)
    return wanted


def _actor(event: Event, names: Mapping[NameKey, Named]) -> EventActor:
    kind = {ActorType.USER.value: "user", ActorType.API_KEY.value: "api_key"}.get(event.actor_type)
    named = names.get((kind, event.actor_id)) if kind and event.actor_id else None
    if named is not None:
        name, role = named
    elif event.actor_type == ActorType.USER:
        name, role = "A former member", None
    elif event.actor_type == ActorType.API_KEY:
        name, role = "An API key", None
    else:
        name, role = ("The tracker" if event.type in _TRACKER_EVENTS else "System"), None
    return EventActor(type=event.actor_type, id=event.actor_id, name=name, role=role)


def _reference_name(field: str, value: Any, names: Mapping[NameKey, Named]) -> str | None:
    record_id = _as_id(value)
    if record_id is None:
        return None
    for kind in _reference_kinds(field):
        named = names.get((kind, record_id))
        if named is not None:
            return named.name
    return None


def _entity_name(event: Event, names: Mapping[NameKey, Named]) -> str | None:
    kind = _ENTITY_KINDS.get(event.entity_type)
    named = names.get((kind, event.entity_id)) if kind else None
    if named is not None:
        return named.name
    values = {field: after or before for field, before, after in _pairs(event.changes or {})}
    for field in _NAMING_FIELDS:
        value = values.get(field)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _names(event: Event, names: Mapping[NameKey, Named]) -> dict[str, str]:
    found: dict[str, str] = {}
    for field, before, after in _pairs(event.changes or {}):
        for value in (before, after):
            name = _reference_name(field, value, names)
            if name is not None:
                found[str(value)] = name
    return found


def _read(event: Event, names: Mapping[NameKey, Named]) -> EventRead:
    return EventRead(
        id=event.id,
        type=event.type,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        entity_name=_entity_name(event, names),
        occurred_at=event.occurred_at,
        actor_type=event.actor_type,
        actor_id=event.actor_id,
        actor=_actor(event, names),
        changes=dict(event.changes or {}),
        names=_names(event, names),
        request_id=event.request_id,
    )
