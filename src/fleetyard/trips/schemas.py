"""Trips and stops as the API shows them, with their places named."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from fleetyard.kit.schemas import ReadSchema, Schema
from fleetyard.places.schemas import PlaceOut

MIN_STOP_AFTER_S = 30
MAX_STOP_AFTER_S = 86_400


class TripStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"


class Point(ReadSchema):
    latitude: float
    longitude: float
    place: PlaceOut | None = Field(
        default=None, description="The depot it is at, else the nearest street (OpenStreetMap)"
    )


class Trip(ReadSchema):
    id: uuid.UUID
    vehicle_id: uuid.UUID
    device_id: uuid.UUID
    driver_id: uuid.UUID | None = Field(
        description="The driver of a reservation running at the start, else the vehicle's "
        "assigned driver"
    )
    status: TripStatus
    started_at: datetime
    ended_at: datetime | None
    start: Point
    end: Point | None
    distance_m: float
    distance_source: Literal["gps", "odometer"] = Field(
        description="odometer: the device's odometer advance; gps: the track's length"
    )
    duration_s: float
    driving_s: float
    idle_s: float = Field(description="Standing still within the trip (engine on or unknown)")
    max_speed_kmh: float
    avg_speed_kmh: float | None = Field(description="Distance over driving time")
    fuel_used_l: float | None = Field(description="From the device's fuel-used counter")
    fuel_used_pct: float | None = Field(description="Drop of the fuel level, % of the tank")
    fixes: int


class TripDetail(Trip):
    track: dict[str, Any] = Field(
        description="GeoJSON Feature: the trip's valid fixes as a LineString, with their times "
        "and speeds in properties"
    )


class Stop(ReadSchema):
    id: uuid.UUID
    vehicle_id: uuid.UUID
    device_id: uuid.UUID
    status: TripStatus
    started_at: datetime
    ended_at: datetime | None
    at: Point
    duration_s: float | None
    idle_s: float = Field(description="Engine on while standing")


class TripSettings(ReadSchema):
    stop_after_s: int = Field(
        description="How long a vehicle stands still before its trip ends (ignition off ends "
        "it at once)"
    )


class TripSettingsUpdate(Schema):
    stop_after_s: int = Field(ge=MIN_STOP_AFTER_S, le=MAX_STOP_AFTER_S)
