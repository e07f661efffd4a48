from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, StringConstraints, model_validator

from fleetyard.kit.phone import Phone
from fleetyard.kit.schemas import Name, ReadSchema, Schema, Version, refuse_nulls

_WHITESPACE = re.compile(r"\s+")


def _without_whitespace(value: object) -> object:
    """``"35 209900 176148 1"`` → ``"352099001761481"``: ids are copied from labels with spaces."""
    return _WHITESPACE.sub("", value) if isinstance(value, str) else value


UniqueId = Annotated[
    str,
    BeforeValidator(_without_whitespace),
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"),
]
"""The hardware id a device reports itself by (IMEI for most trackers), unique platform-wide."""


class DeviceProtocol(StrEnum):
    """How a device's positions reach us: a protocol of our gateway, or (``geotab`` …
    ``mqtt``) the integration of that provider, whose value it shares."""

    TELTONIKA = "teltonika"
    GT06 = "gt06"
    H02 = "h02"
    OSMAND = "osmand"
    OTHER = "other"
    GEOTAB = "geotab"
    SAMSARA = "samsara"
    VERIZON_CONNECT = "verizon_connect"
    MQTT = "mqtt"

    @property
    def by_integration(self) -> bool:
        """A vendor vehicle's device: made by its integration when matched, never by hand."""
        return self in INTEGRATION_PROTOCOLS


INTEGRATION_PROTOCOLS: frozenset[DeviceProtocol] = frozenset(
    {
        DeviceProtocol.GEOTAB,
        DeviceProtocol.SAMSARA,
        DeviceProtocol.VERIZON_CONNECT,
        DeviceProtocol.MQTT,
    }
)


class DeviceCreate(Schema):
    unique_id: UniqueId
    protocol: DeviceProtocol
    name: Name | None = None
    phone: Phone | None = None
    vehicle_id: uuid.UUID | None = None


class DeviceUpdate(Schema):
    """Only the fields sent are changed. ``version`` (or If-Match) guards against lost updates."""

    version: Version | None = None
    unique_id: UniqueId | None = None
    protocol: DeviceProtocol | None = None
    name: Name | None = None
    phone: Phone | None = None
    vehicle_id: uuid.UUID | None = None

    _required = model_validator(mode="after")(refuse_nulls("unique_id", "protocol"))


class Device(ReadSchema):
    id: uuid.UUID
    version: int
    unique_id: str
    protocol: DeviceProtocol
    name: str | None
    phone: str | None
    vehicle_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
