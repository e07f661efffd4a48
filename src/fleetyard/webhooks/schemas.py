from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from fleetyard.kit.schemas import ReadSchema, Schema, Version, refuse_nulls
from fleetyard.webhooks.retry import DeliveryStatus
from fleetyard.webhooks.targets import MAX_URL_LENGTH, check_url

ALL_EVENTS = "*"
MAX_EVENT_TYPES = 100
MAX_PREVIOUS_SECRET_TTL_S = 7 * 24 * 3600


def _distinct_event_types(value: list[str]) -> list[str]:
    distinct = list(dict.fromkeys(value))
    if ALL_EVENTS in distinct and len(distinct) > 1:
        raise ValueError("'*' (every event type) can't be combined with other types")
    return distinct


TargetUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL_LENGTH),
    AfterValidator(check_url),
    Field(description="http:// or https:// with a host; no credentials, no fragment."),
]
EventType = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^(\*|[a-z]+(_[a-z]+)+)$"),
]
EventTypes = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=MAX_EVENT_TYPES,
        description='Event types (``vehicle_created``, ``alert_opened``, …), or ``["*"]`` '
        "for all of them. Duplicates are dropped.",
    ),
    AfterValidator(_distinct_event_types),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class WebhookCreate(Schema):
    url: TargetUrl
    event_types: EventTypes
    description: Description = ""
    active: bool = True


class WebhookUpdate(Schema):
    """Only the fields sent are changed. ``version`` (or If-Match) guards against lost updates.
    Deactivating a webhook fails its pending deliveries (they can be redelivered later)."""

    version: Version | None = None
    url: TargetUrl | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    active: bool | None = None

    _required = model_validator(mode="after")(
        refuse_nulls("url", "event_types", "description", "active")
    )


class WebhookSecretRotate(Schema):
    previous_secret_ttl_s: int = Field(
        default=0,
        ge=0,
        le=MAX_PREVIOUS_SECRET_TTL_S,
        description="Keep signing with the previous secret too for this long (at most 7 "
        "days), so receivers can switch without a gap. 0 retires it at once.",
    )


class Webhook(ReadSchema):
    id: uuid.UUID
    version: int
    url: str
    description: str
    event_types: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(Webhook):
    secret: str = Field(
        description="Signs every delivery (Fleetyard-Signature). Shown only in this response."
    )


class WebhookDelivery(ReadSchema):
    id: uuid.UUID
    webhook_id: uuid.UUID
    event_id: int | None = Field(description="The event sent; null for a ping.")
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="When pending: the next attempt.")
    last_attempt_at: datetime | None
    response_status: int | None = Field(description="The last attempt's HTTP status.")
    response_body: str | None = Field(description="The first 1 KiB of the last answer.")
    error: str | None = Field(description="Why the last attempt did not succeed.")
    duration_ms: int | None
    redelivery_of: uuid.UUID | None
    created_at: datetime
    payload: dict[str, Any] = Field(description="The event as sent, without delivery_id.")
