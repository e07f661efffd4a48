from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from fleetyard.kit.schemas import ReadSchema, Schema
from fleetyard.telematics.rules.conditions import Severity

AlertState = Literal["open", "cleared"]


class StateFilter(StrEnum):
    OPEN = "open"
    CLEARED = "cleared"
    ALL = "all"


class AlertSort(StrEnum):
    SEVERITY = "severity"  # critical first, then newest opened first
    NEWEST = "-opened_at"
    OLDEST = "opened_at"


class Alert(ReadSchema):
    id: uuid.UUID
    vehicle_id: uuid.UUID
    device_id: uuid.UUID | None
    kind: str
    code: str
    severity: Severity
    state: AlertState
    message: str
    details: dict[str, Any]
    opened_at: datetime
    last_seen_at: datetime
    cleared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: uuid.UUID | None = Field(
        description="The user (or API key) that acknowledged the alert first."
    )
    acknowledged_by_name: str | None = Field(
        default=None,
        description="Who acknowledged it, in words: the user's display name (their email if "
        "they have none) or the API key's name; null if not acknowledged or no longer known. "
        "The live stream's alerts leave it out (a list refetches on their heels).",
    )
    assigned_to: uuid.UUID | None = Field(default=None, description="The member it is assigned to.")
    escalated_at: datetime | None = Field(
        default=None, description="When it was escalated for want of an acknowledgement."
    )


class AlertAssign(Schema):
    user_id: uuid.UUID | None = Field(description="A member's user id; null unassigns.")


CommentBody = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]


class AlertCommentCreate(Schema):
    body: CommentBody


class AlertComment(ReadSchema):
    id: uuid.UUID
    alert_id: uuid.UUID
    author_type: str
    author_id: uuid.UUID | None
    author_name: str | None = None
    body: str
    created_at: datetime


def alert_out(record: Any, acknowledged_by_name: str | None) -> Alert:
    """ORM row → API shape; ``state`` follows from ``cleared_at``."""
    return Alert(
        id=record.id,
        vehicle_id=record.vehicle_id,
        device_id=record.device_id,
        kind=record.kind,
        code=record.code,
        severity=Severity(record.severity),
        state="open" if record.cleared_at is None else "cleared",
        message=record.message,
        details=dict(record.details or {}),
        opened_at=record.opened_at,
        last_seen_at=record.last_seen_at,
        cleared_at=record.cleared_at,
        acknowledged_at=record.acknowledged_at,
        acknowledged_by=record.acknowledged_by,
        acknowledged_by_name=acknowledged_by_name,
        assigned_to=getattr(record, "assigned_to", None),
        escalated_at=getattr(record, "escalated_at", None),
    )
