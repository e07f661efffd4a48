from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import PermissionDenied, responses
from fleetyard.events.schemas import EventRead, EventType
from fleetyard.events.service import EventLog, event_types
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page

router = APIRouter(prefix="/events", tags=["events"])


@router.get("", response_model=Page[EventRead], responses=responses(PermissionDenied))
async def list_events(
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.EVENTS_READ))],
    entity_type: Annotated[str | None, Query(max_length=32)] = None,
    entity_id: uuid.UUID | None = None,
    type: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[EventRead]:
    """The audit trail, newest first: who changed what, when, from which value to which.
    Each event names its actor and its record, and every change whose value is the id of
    one of the tenant's records carries that record's name (``before_name``, ``after_name``)."""
    items, next_cursor = await EventLog(session, actor).list(
        entity_type=entity_type, entity_id=entity_id, event_type=type, cursor=cursor, limit=limit
    )
    return Page[EventRead](items=items, next_cursor=next_cursor)


@router.get("/types", response_model=list[EventType], responses=responses(PermissionDenied))
async def list_event_types(
    _: Annotated[Principal, Depends(require(Permission.EVENTS_READ))],
) -> list[EventType]:
    """Every event type Fleetyard writes, with its label and domain: what a webhook can
    subscribe to (or ``*`` for all of them)."""
    return event_types()
