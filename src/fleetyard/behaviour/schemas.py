"""Driving events, scorecards and the leaderboard as the API shows them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from fleetyard.kit.schemas import ReadSchema


class DrivingEventKind(StrEnum):
    HARSH_ACCELERATION = "harsh_acceleration"
    HARSH_BRAKING = "harsh_braking"
    HARSH_CORNERING = "harsh_cornering"
    SPEEDING = "speeding"
    IDLING = "idling"
    NIGHT_DRIVING = "night_driving"


class ScorePeriodKind(StrEnum):
    TRIP = "trip"
    DAY = "day"
    WEEK = "week"


class LeaderboardPeriod(StrEnum):
    DAY = "day"
    WEEK = "week"


class FixOut(ReadSchema):
    time: datetime
    latitude: float
    longitude: float
    speed_kmh: float | None
    course: float | None


class DrivingEvent(ReadSchema):
    id: uuid.UUID
    kind: DrivingEventKind
    source: str = Field(description="fixes: measured between fixes; device: the tracker said so")
    severity: str = Field(description="low, medium or high")
    vehicle_id: uuid.UUID
    device_id: uuid.UUID
    driver_id: uuid.UUID | None = Field(description="The driver at the time (as trips find it)")
    started_at: datetime
    ended_at: datetime
    latitude: float
    longitude: float
    duration_s: float
    speed_kmh: float | None = Field(description="Speed when it began")
    peak_g: float | None = Field(description="Harsh events: the peak acceleration, g")
    delta_kmh: float | None = Field(description="Harsh acceleration/braking: speed change")
    limit_kmh: float | None = Field(description="Speeding: the limit where the excess peaked")
    limit_source: str | None = Field(
        description="road (OpenStreetMap maxspeed), road_class (default for the road's class) "
        "or geofence"
    )
    max_speed_kmh: float | None
    excess_kmh: float | None = Field(description="Speeding: the largest excess over the limit")
    mean_excess_kmh: float | None
    distance_m: float | None = Field(description="Night driving: distance driven")
    details: dict[str, Any]
    fixes: list[FixOut] = Field(description="The fixes that show it, for the map")


class EventPointsOut(ReadSchema):
    id: uuid.UUID
    kind: DrivingEventKind
    severity: str
    vehicle_id: uuid.UUID
    started_at: datetime
    ended_at: datetime
    latitude: float
    longitude: float
    points: float
    why: str = Field(
        description="How the points were reached, e.g. '6.0 (medium) × 100 km / 42 km'"
    )


class DeductionOut(ReadSchema):
    kind: DrivingEventKind
    label: str
    basis: str = Field(description="per 100 km, or per hour of driving")
    count: int
    points: float
    events: list[EventPointsOut]


class ScoreOut(ReadSchema):
    score: float = Field(ge=0, le=100)
    distance_km: float
    driving_s: float
    deductions: list[DeductionOut]


class ScorePeriod(ScoreOut):
    start: datetime
    end: datetime
    trip_id: uuid.UUID | None = None
    vehicle_id: uuid.UUID | None = None


class Scorecard(ScoreOut):
    driver_id: uuid.UUID
    driver_name: str
    period: ScorePeriodKind
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")
    time_zone: str
    periods: list[ScorePeriod]
    method: dict[str, Any] = Field(description="The weights and formula behind every score")

    model_config = {"populate_by_name": True, "from_attributes": True}


class LeaderboardEntry(ReadSchema):
    rank: int
    driver_id: uuid.UUID
    name: str
    score: float
    distance_km: float
    driving_s: float
    events: int


class Leaderboard(ReadSchema):
    period: LeaderboardPeriod
    date: date
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")
    time_zone: str
    entries: list[LeaderboardEntry]

    model_config = {"populate_by_name": True, "from_attributes": True}
