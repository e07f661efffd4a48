from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from fleetyard.kit.schemas import ReadSchema, Schema
from fleetyard.notifications.preferences import Channel
from fleetyard.telematics.rules.conditions import Severity
from fleetyard.webhooks.targets import MAX_URL_LENGTH, check_url

KindName = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
]


# what each member receives ------------------------------------------------------------------
class ChannelPreference(Schema):
    channel: Channel
    enabled: bool
    kinds: Annotated[
        list[KindName],
        Field(max_length=100, description="Alert kinds; empty means every kind."),
    ] = []
    min_severity: Severity = Severity.INFO


def _one_per_channel(value: list[ChannelPreference]) -> list[ChannelPreference]:
    if len({p.channel for p in value}) != len(value):
        raise ValueError("each channel at most once")
    return value


class NotificationSettingsUpdate(Schema):
    channels: Annotated[
        list[ChannelPreference], Field(min_length=1, max_length=3), AfterValidator(_one_per_channel)
    ]


class NotificationSettings(ReadSchema):
    channels: list[ChannelPreference] = Field(
        description="Every channel, as chosen or by default (in-app on for the roles that "
        "handle alerts; e-mail and push off until chosen)."
    )
    email_available: bool = Field(description="The organisation has set up e-mail.")
    push_available: bool = Field(description="The organisation has Web Push keys.")
    push_subscriptions: int = Field(description="Browsers of yours subscribed to push.")


# the in-app list ---------------------------------------------------------------------------
class NotificationRead(ReadSchema):
    id: uuid.UUID
    reason: Literal["alert", "escalation", "assigned"]
    kind: str
    code: str
    severity: Severity
    title: str
    body: str
    alert_id: uuid.UUID = Field(description="The first alert of the group.")
    last_alert_id: uuid.UUID
    alert_count: int = Field(description="How many identical alerts this notification stands for.")
    vehicle_ids: list[uuid.UUID]
    first_at: datetime
    last_at: datetime
    released_at: datetime | None
    read_at: datetime | None


class UnreadCount(ReadSchema):
    unread: int


class ReadAllResult(ReadSchema):
    marked: int


# the tenant's channels -------------------------------------------------------------------------
Host = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=253,
        pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$",
    ),
]


class EmailChannelUpdate(Schema):
    """The SMTP server e-mails go out through. ``password`` is write-only: left out keeps the
    stored one, null removes it."""

    enabled: bool
    host: Host
    port: Annotated[int, Field(ge=1, le=65_535)] = 587
    security: Literal["none", "starttls", "tls"] = "starttls"
    username: Annotated[str, StringConstraints(max_length=320)] | None = None
    password: Annotated[str, StringConstraints(max_length=500)] | None = None
    from_address: EmailStr


class EmailChannel(ReadSchema):
    enabled: bool
    host: str | None
    port: int | None
    security: str
    username: str | None
    from_address: str | None
    password_set: bool


class PushChannelUpdate(Schema):
    subject: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^(mailto:|https://).+"),
        Field(description="Who push services may contact about our pushes (mailto: or https:)."),
    ]


class PushChannel(ReadSchema):
    configured: bool = Field(description="VAPID keys exist (made on first request).")
    public_key: str | None
    subject: str | None


class NotificationChannels(ReadSchema):
    email: EmailChannel
    push: PushChannel
    in_app: bool = True


class EmailTest(Schema):
    to: EmailStr | None = Field(default=None, description="Default: your own address.")


class EmailTestResult(ReadSchema):
    delivered: bool
    to: str
    error: str | None


class VapidPublicKey(ReadSchema):
    public_key: str = Field(description="applicationServerKey for PushManager.subscribe().")


def _base64url(length: int, first: int | None = None) -> AfterValidator:
    def check(value: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError) as exc:
            raise ValueError("must be base64url") from exc
        if len(raw) != length or (first is not None and raw[0] != first):
            raise ValueError(f"must be {length} bytes in base64url")
        return value

    return AfterValidator(check)


class PushKeys(Schema):
    p256dh: Annotated[str, StringConstraints(max_length=200), _base64url(65, 0x04)]
    auth: Annotated[str, StringConstraints(max_length=100), _base64url(16)]


PushEndpoint = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL_LENGTH),
    AfterValidator(check_url),
]


class PushSubscribe(Schema):
    """What ``PushSubscription.toJSON()`` gives in the browser."""

    endpoint: PushEndpoint
    keys: PushKeys
    expirationTime: int | None = None


class PushUnsubscribe(Schema):
    endpoint: PushEndpoint


class PushSubscriptionRead(ReadSchema):
    id: uuid.UUID
    endpoint: str
    created_at: datetime
