from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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


class ReadingSpread(ReadSchema):
    """One metric over the readings of one bucket."""

    avg: float
    min: float
    max: float
    count: int = Field(description="How many readings the bucket holds")


class TelemetryBucket(ReadSchema):
    """The fixes from ``start`` for ``bucket_seconds``; a metric is null when none of them
    carried it (not a JSON number, or absurd, counts as not carried)."""

    start: datetime
    fixes: int = Field(description="Fixes in the bucket, valid or not")
    speed_kmh: ReadingSpread | None = Field(description="From valid fixes only")
    fuel_level_pct: ReadingSpread | None
    coolant_temp_c: ReadingSpread | None
    rpm: ReadingSpread | None


class VehicleTelemetry(BaseModel):
    """A vehicle's readings downsampled over ``[from, to)``: only buckets holding fixes are
    listed, so a missing bucket is a gap."""

    model_config = ConfigDict(populate_by_name=True)

    vehicle_id: uuid.UUID
    from_: datetime = Field(alias="from")
    to: datetime
    bucket_seconds: int
    buckets: list[TelemetryBucket]
