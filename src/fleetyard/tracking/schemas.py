from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from fleetyard.kit.schemas import ReadSchema


class PositionFormat(StrEnum):
    """``json``: paged. The others return the whole window at once (up to a cap)."""

    JSON = "json"
    GEOJSON = "geojson"
    CSV = "csv"
    GPX = "gpx"


class Position(ReadSchema):
    """A stored fix. An invalid one is kept and flagged: ``valid`` false, and why."""

    device_id: uuid.UUID
    vehicle_id: uuid.UUID | None
    fix_time: datetime
    server_time: datetime
    latitude: float
    longitude: float
    speed_kmh: float | None
    course: float | None
    altitude_m: float | None
    satellites: int | None
    hdop: float | None
    ignition: bool | None
    odometer_m: float | None
    valid: bool
    invalid_reason: str | None
    attributes: dict[str, Any]


class VehicleReading(ReadSchema):
    """A vehicle's latest valid fix and the latest readings that came with its fixes."""

    device_id: uuid.UUID
    fix_time: datetime
    server_time: datetime
    latitude: float
    longitude: float
    speed_kmh: float | None
    course: float | None
    altitude_m: float | None
    satellites: int | None
    ignition: bool | None
    odometer_m: float | None
    attributes: dict[str, Any]


class VehicleWithState(BaseModel):
    """A vehicle and where it is; ``state`` is null until its first valid fix arrives."""

    vehicle_id: uuid.UUID
    plate: str | None
    name: str | None
    status: str
    group_id: uuid.UUID | None
    state: VehicleReading | None
