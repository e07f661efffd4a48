"""The live protocol's messages, as schemas: what a client may send, what it receives.

Published as JSON Schema at ``GET /api/v1/live/schema`` (and described in docs/realtime.md).
Every server message is ``{"type", "seq", "ts", "payload"}``: ``seq`` numbers the tenant's
stream (a client keeps the highest it saw and resumes from it), ``ts`` is the server's send
time (UTC, ISO 8601).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from fleetyard.alerts.schemas import Alert

MAX_SUBSCRIBED_VEHICLES = 10_000
MAX_SUBSCRIBED_GROUPS = 1_000
MAX_INTERVAL_MS = 3_600_000
MAX_SEQ = 2**53  # numbers stay exact in JavaScript

RequestId = Annotated[str, Field(max_length=64, description="Echoed back in the answer.")]
Seq = Annotated[int, Field(ge=0, le=MAX_SEQ)]


class ClientMessageBase(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Subscribe(ClientMessageBase):
    """Add to what this connection watches. ``since_seq`` (on the first subscribe after a
    reconnect) asks for everything missed after that number."""

    type: Literal["subscribe"]
    id: RequestId | None = None
    fleet: bool = False
    vehicles: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_SUBSCRIBED_VEHICLES)
    groups: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_SUBSCRIBED_GROUPS)
    min_interval_ms: int | None = Field(
        default=None,
        ge=0,
        le=MAX_INTERVAL_MS,
        description="At most one position per vehicle per this many ms (default 1000; 0: all).",
    )
    since_seq: Seq | None = None


class Unsubscribe(ClientMessageBase):
    type: Literal["unsubscribe"]
    id: RequestId | None = None
    fleet: bool = False
    vehicles: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_SUBSCRIBED_VEHICLES)
    groups: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_SUBSCRIBED_GROUPS)
    all: bool = False


class Ping(ClientMessageBase):
    type: Literal["ping"]
    id: RequestId | None = None


class Pong(ClientMessageBase):
    type: Literal["pong"]
    id: RequestId | None = None


ClientMessage = Annotated[Subscribe | Unsubscribe | Ping | Pong, Field(discriminator="type")]
client_message: TypeAdapter[Subscribe | Unsubscribe | Ping | Pong] = TypeAdapter(ClientMessage)


# server → client -------------------------------------------------------------------------
class LivePosition(BaseModel):
    seq: int
    vehicle_id: uuid.UUID
    device_id: uuid.UUID
    fix_time: datetime
    server_time: datetime = Field(description="When the gateway received the fix.")
    latitude: float
    longitude: float
    speed_kmh: float | None
    course: float | None
    altitude_m: float | None
    satellites: int | None
    ignition: bool | None
    odometer_m: float | None
    attributes: dict[str, Any] = Field(
        description="Named readings (rpm, coolant_temp_c, fuel_level_pct, dtcs, …)."
    )


class PositionsPayload(BaseModel):
    positions: list[LivePosition]


class RecordEventPayload(BaseModel):
    """A change from the event log (``vehicle_updated``, ``reservation_created`` …)."""

    id: int
    type: str
    entity_type: str
    entity_id: uuid.UUID
    occurred_at: datetime | None
    actor_type: str
    actor_id: uuid.UUID | None
    changes: dict[str, Any]


class WelcomePayload(BaseModel):
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    heartbeat_s: float
    batch_ms: float
    schema_url: str


class SubscribedPayload(BaseModel):
    id: str | None
    fleet: bool
    vehicles: list[uuid.UUID]
    groups: list[uuid.UUID]
    min_interval_ms: int
    resumed: bool | None = Field(
        default=None, description="Set when the subscribe carried since_seq."
    )


class ResyncPayload(BaseModel):
    reason: str = Field(description="gap, too_old or unknown_seq")
    snapshot: str = Field(description="GET this for the current state, then carry on.")


class ErrorPayload(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class PongPayload(BaseModel):
    id: str | None


def _server(name: str, type_: Any, payload: Any, doc: str) -> type[BaseModel]:
    model: type[BaseModel] = create_model(
        name,
        __doc__=doc,
        type=(type_, ...),
        seq=(int, ...),
        ts=(datetime, ...),
        payload=(payload, ...),
    )
    return model


SERVER_MESSAGES: list[type[BaseModel]] = [
    _server(
        "WelcomeMessage", Literal["welcome"], WelcomePayload, "First message on every connection."
    ),
    _server(
        "SubscribedMessage",
        Literal["subscribed"],
        SubscribedPayload,
        "What the connection now watches.",
    ),
    _server(
        "UnsubscribedMessage",
        Literal["unsubscribed"],
        SubscribedPayload,
        "What the connection still watches.",
    ),
    _server(
        "VehiclePositionMessage",
        Literal["vehicle.position"],
        PositionsPayload,
        "A batch of positions.",
    ),
    _server("AlertOpenedMessage", Literal["alert.opened"], Alert, "An alert opened."),
    _server("AlertClearedMessage", Literal["alert.cleared"], Alert, "An alert cleared."),
    _server(
        "RecordEventMessage",
        str,
        RecordEventPayload,
        "Any event of the event log, typed by its name.",
    ),
    _server(
        "ResyncRequiredMessage",
        Literal["resync_required"],
        ResyncPayload,
        "Missed messages are gone: resync.",
    ),
    _server(
        "HeartbeatMessage",
        Literal["heartbeat"],
        dict[str, Any],
        "Sent when the connection was quiet.",
    ),
    _server("PongMessage", Literal["pong"], PongPayload, "The answer to a ping."),
    _server("ErrorMessage", Literal["error"], ErrorPayload, "A client message was refused."),
]


def protocol_schema() -> dict[str, Any]:
    server: dict[str, Any] = {
        "oneOf": [TypeAdapter(m).json_schema() for m in SERVER_MESSAGES],
    }
    return {
        "client": client_message.json_schema(),
        "server": server,
        "close_codes": CLOSE_CODES,
    }


# WebSocket close codes with the reason sent alongside (SSE ends the stream the same way).
CLOSE_CODES: dict[str, int] = {
    "server_shutdown": 1001,
    "policy_violation": 1008,
    "message_too_big": 1009,
    "slow_consumer": 4008,
    "heartbeat_timeout": 4009,
    "not_authenticated": 4401,
    "permission_denied": 4403,
    "too_many_connections": 4429,
    "rate_limited": 4429,
}
