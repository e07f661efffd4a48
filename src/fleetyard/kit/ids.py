"""Identifier types and time-ordered UUIDs (v7 layout), so new rows append to indexes."""

from __future__ import annotations

import os
import time
import uuid
from typing import NewType

TenantId = NewType("TenantId", uuid.UUID)
UserId = NewType("UserId", uuid.UUID)
VehicleId = NewType("VehicleId", uuid.UUID)
DriverId = NewType("DriverId", uuid.UUID)
DeviceId = NewType("DeviceId", uuid.UUID)
GroupId = NewType("GroupId", uuid.UUID)
ReservationId = NewType("ReservationId", uuid.UUID)
ApiKeyId = NewType("ApiKeyId", uuid.UUID)


def uuid7() -> uuid.UUID:
    """A UUIDv7: 48-bit millisecond timestamp, then random bits."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)
