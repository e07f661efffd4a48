"""Integrations as the API reads and writes them. Settings and credentials are checked against
the provider's own models by the service; credentials are write-only (the API says which of
their fields are set, never their values)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from fleetyard.integrations.providers.base import ProblemKind
from fleetyard.integrations.providers.registry import ProviderName
from fleetyard.kit.schemas import Name, ReadSchema, Schema, Version, refuse_nulls

MAX_DOCUMENT_KEYS = 100


class ConnectionState(StrEnum):
    OK = "ok"
    BACKING_OFF = "backing_off"
    CREDENTIALS_REJECTED = "credentials_rejected"
    PAUSED = "paused"


Document = dict[str, Any]  # a provider's settings or credentials, as JSON


def _settings_field() -> Any:
    return Field(
        default_factory=dict,
        max_length=MAX_DOCUMENT_KEYS,
        description="The provider's settings (its server, topic filter, groups …).",
    )


class IntegrationCreate(Schema):
    provider: ProviderName
    name: Name
    settings: Document = _settings_field()
    credentials: Document = Field(
        max_length=MAX_DOCUMENT_KEYS,
        description="The provider's credentials: stored sealed, never returned or logged.",
    )
    paused: bool = False


class IntegrationUpdate(Schema):
    """Only the fields sent change. ``credentials`` replaces all of them; ``paused`` stops
    (or resumes) polling. ``version`` (or If-Match) guards against lost updates."""

    version: Version | None = None
    name: Name | None = None
    settings: Document | None = Field(default=None, max_length=MAX_DOCUMENT_KEYS)
    credentials: Document | None = Field(default=None, max_length=MAX_DOCUMENT_KEYS)
    paused: bool | None = None

    _required = model_validator(mode="after")(
        refuse_nulls("name", "settings", "credentials", "paused")
    )


class IntegrationStatus(ReadSchema):
    """What the runner last saw of the connection."""

    state: ConnectionState
    last_success_at: datetime | None = Field(description="The last poll that worked.")
    last_error: str | None = Field(description="Why the last poll failed, in plain words.")
    last_error_at: datetime | None
    lag_s: float | None = Field(description="How far behind the vendor's newest record.")
    records_total: int
    skipped_total: int = Field(description="Records the vendor sent that could not be read.")
    records_last_hour: int


class Integration(ReadSchema):
    id: uuid.UUID
    version: int
    provider: ProviderName
    name: str
    settings: Document
    credentials_set: list[str] = Field(
        description="The names of the credential fields that are set (never their values)."
    )
    paused: bool
    status: IntegrationStatus | None
    created_at: datetime
    updated_at: datetime


class IntegrationCheck(ReadSchema):
    """What ``/test`` found: with ``ok``, the vehicles (or devices) the account holds; without,
    the vendor's problem in plain words."""

    ok: bool
    vehicles: int | None = None
    message: str
    problem: ProblemKind | None = Field(
        default=None,
        description="credentials_rejected, rate_limited, unavailable (includes a timeout) "
        "or bad_response.",
    )
