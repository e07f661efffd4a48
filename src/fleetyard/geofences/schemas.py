from __future__ import annotations

import uuid
from datetime import datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from fleetyard.geofences.shapes import MAX_RADIUS_M, MIN_RADIUS_M, Shape
from fleetyard.kit.schemas import Name, ReadSchema, Schema, Version, refuse_nulls
from fleetyard.tenants.schemas import Colour

Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
# GeoJSON positions: [longitude, latitude]; an altitude, if sent, is ignored
GeoPosition = Annotated[list[float], Field(min_length=2, max_length=3)]
RadiusM = Annotated[
    float,
    Field(
        ge=MIN_RADIUS_M,
        le=MAX_RADIUS_M,
        allow_inf_nan=False,
        description=f"A circle's radius in metres, {MIN_RADIUS_M:g} m to {MAX_RADIUS_M:g} m",
    ),
]
SpeedLimit = Annotated[int, Field(ge=5, le=300, description="km/h inside the geofence")]
DwellMinutes = Annotated[
    int, Field(ge=1, le=10_080, description="A stay longer than this is reported (minutes)")
]
DEFAULT_COLOUR = "#2563eb"


class PointGeometry(Schema):
    """A circle's centre (with ``radius_m`` beside the geometry)."""

    type: Literal["Point"]
    coordinates: Annotated[GeoPosition, Field(description="[longitude, latitude]")]

    @model_validator(mode="after")
    def _in_range(self) -> Self:
        _check_position(self.coordinates)
        return self


class PolygonGeometry(Schema):
    """GeoJSON Polygon: a closed shell (first position repeated last), then any holes."""

    type: Literal["Polygon"]
    coordinates: Annotated[
        list[Annotated[list[GeoPosition], Field(max_length=5000)]],
        Field(min_length=1, max_length=51),
    ]

    @model_validator(mode="after")
    def _in_range(self) -> Self:
        for ring in self.coordinates:
            for position in ring:
                _check_position(position)
        return self


def _check_position(position: list[float]) -> None:
    lon, lat = position[0], position[1]
    if not all(isinstance(v, float | int) and v == v and abs(v) != float("inf") for v in position):
        raise ValueError("positions are finite numbers")
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        raise ValueError("a position is [longitude -180..180, latitude -90..90]")


Geometry = Annotated[PointGeometry | PolygonGeometry, Field(discriminator="type")]


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class ActiveWindow(Schema):
    """On these weekdays, from ``start`` to ``end`` in the tenant's time zone; an ``end`` at
    or before ``start`` runs past midnight into the next day (22:00-06:00)."""

    days: Annotated[list[Weekday], Field(min_length=1, max_length=7)]
    start: time
    end: time

    @model_validator(mode="after")
    def _plain_times(self) -> Self:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("times are local to the tenant's time zone, without an offset")
        return self


ActiveHours = Annotated[list[ActiveWindow], Field(min_length=1, max_length=28)]


class AlertOn(StrEnum):
    """Which of a geofence's events also open an alert (every one is in the event log)."""

    ENTER = "enter"  # open while the vehicle is inside
    EXIT = "exit"  # open from leaving until it comes back
    DWELL = "dwell"  # open from the dwell threshold until it leaves
    SPEEDING = "speeding"  # open while over the limit inside


GroupIds = Annotated[list[uuid.UUID], Field(max_length=100)]


def _scope(all_vehicles: bool | None, group_ids: list[uuid.UUID] | None) -> None:
    if all_vehicles is False and not group_ids:
        raise ValueError("a geofence for some groups lists at least one group")


def _shape_fields(geometry: Any, radius_m: float | None) -> None:
    if isinstance(geometry, PointGeometry) and radius_m is None:
        raise ValueError("a circle (Point) needs radius_m")
    if isinstance(geometry, PolygonGeometry) and radius_m is not None:
        raise ValueError("radius_m is for circles (Point) only")


class GeofenceCreate(Schema):
    name: Name
    colour: Colour = DEFAULT_COLOUR
    geometry: Geometry
    radius_m: RadiusM | None = None
    all_vehicles: bool = True
    group_ids: GroupIds = Field(default_factory=list, description="When not all vehicles")
    speed_limit_kmh: SpeedLimit | None = None
    active_hours: ActiveHours | None = Field(
        default=None, description="When events and alerts count; null: always"
    )
    dwell_minutes: DwellMinutes | None = None
    alert_on: Annotated[list[AlertOn], Field(max_length=4)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _whole(self) -> Self:
        _shape_fields(self.geometry, self.radius_m)
        _scope(self.all_vehicles, self.group_ids)
        return self


class GeofenceUpdate(Schema):
    """Only the fields sent change. A new geometry comes with its radius when a circle."""

    version: Version | None = None
    name: Name | None = None
    colour: Colour | None = None
    geometry: Geometry | None = None
    radius_m: RadiusM | None = None
    all_vehicles: bool | None = None
    group_ids: GroupIds | None = None
    speed_limit_kmh: SpeedLimit | None = None
    active_hours: ActiveHours | None = None
    dwell_minutes: DwellMinutes | None = None
    alert_on: Annotated[list[AlertOn], Field(max_length=4)] | None = None

    _required = model_validator(mode="after")(
        refuse_nulls("name", "colour", "geometry", "all_vehicles", "group_ids", "alert_on")
    )


class Geofence(ReadSchema):
    id: uuid.UUID
    version: int
    name: str
    colour: str
    shape: Shape
    geometry: dict[str, Any] = Field(description="GeoJSON Point (circle) or Polygon")
    radius_m: float | None
    area_m2: float
    all_vehicles: bool
    group_ids: list[uuid.UUID]
    speed_limit_kmh: int | None
    active_hours: list[ActiveWindow] | None
    dwell_minutes: int | None
    alert_on: list[AlertOn]
    created_at: datetime
    updated_at: datetime


class VehicleInside(ReadSchema):
    """A vehicle inside the geofence now, as the evaluator keeps it."""

    vehicle_id: uuid.UUID
    device_id: uuid.UUID | None
    entered_at: datetime
    last_fix_at: datetime = Field(description="Its last fix inside (kept to within 30 s)")
    dwell_reported_at: datetime | None
    speeding_since: datetime | None = Field(description="Over the limit since, if it is now")
