from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from fleetyard.events.types import EventTypeName


class EventActor(BaseModel):
    """Who made the change, in words: a member, an API key, or Fleetyard itself."""

    type: str = Field(description="``user``, ``api_key`` or ``system``.")
    id: uuid.UUID | None
    name: str = Field(
        description="The member's display name (or e-mail), the API key's name, or "
        "``System`` for changes Fleetyard made itself (``The tracker`` for alerts its readings "
        "opened or cleared).",
        examples=["Anna Virtanen"],
    )
    role: str | None = Field(
        description="The member's or key's role in this tenant today; null for the system "
        "or a former member.",
        examples=["dispatcher"],
    )


class EventRead(BaseModel):
    id: int
    type: str
    entity_type: str
    entity_id: uuid.UUID
    entity_name: str | None = Field(
        description="The record's name today (a vehicle's plate, an alert's message, …), or "
        "the last one the log saw when the record is gone.",
        examples=["ABC-123"],
    )
    occurred_at: datetime
    actor_type: str
    actor_id: uuid.UUID | None
    actor: EventActor
    changes: dict[str, Any] = Field(
        description="Field → ``{before, after}``: what changed, as webhooks receive it."
    )
    names: dict[str, str] = Field(
        description="Id → name, for every id in ``changes`` that is one of this tenant's "
        "records today (a group, vehicle, driver, device, member or API key).",
        examples=[{"0190f1c2-7d1e-7a3b-9c4d-5e6f7a8b9c0d": "Pasila depot"}],
    )
    request_id: str | None


class EventType(BaseModel):
    type: EventTypeName
    domain: str = Field(examples=["vehicle"])
    domain_label: str = Field(examples=["Vehicles"])
    label: str = Field(examples=["Vehicle created"])
