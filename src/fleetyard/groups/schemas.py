from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Final, Self

from pydantic import Field, model_validator

from fleetyard.kit.schemas import Name, ReadSchema, Schema, Version, refuse_nulls

# A depot's circle: smaller than a yard's gate is noise, larger than a district is no place.
MIN_RADIUS_M: Final = 20
MAX_RADIUS_M: Final = 5000
DEFAULT_RADIUS_M: Final = 100

Latitude = Annotated[float, Field(ge=-90, le=90, description="WGS 84 degrees")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="WGS 84 degrees")]
RadiusM = Annotated[
    int,
    Field(
        ge=MIN_RADIUS_M,
        le=MAX_RADIUS_M,
        description="Metres around the point within which a vehicle is at this place",
    ),
]


class GroupKind(StrEnum):
    DEPOT = "depot"
    REGION = "region"
    TEAM = "team"
    OTHER = "other"


def _point_whole(model: Schema) -> None:
    """Latitude and longitude come together: half a point is no place."""
    sent = model.model_fields_set
    if ("latitude" in sent) != ("longitude" in sent):
        raise ValueError("latitude and longitude are sent together")
    lat, lon = getattr(model, "latitude", None), getattr(model, "longitude", None)
    if (lat is None) != (lon is None):
        raise ValueError("latitude and longitude are both set or both null")


class GroupCreate(Schema):
    name: Name
    kind: GroupKind = GroupKind.DEPOT
    parent_id: uuid.UUID | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    radius_m: RadiusM | None = Field(
        default=None, description=f"Needs a point; {DEFAULT_RADIUS_M} m when a point is given"
    )

    @model_validator(mode="after")
    def _location(self) -> Self:
        _point_whole(self)
        if self.radius_m is not None and self.latitude is None:
            raise ValueError("radius_m needs latitude and longitude")
        return self


class GroupUpdate(Schema):
    """Only the fields sent are changed. ``version`` (or If-Match) guards against lost updates.
    A location is cleared by sending null latitude and longitude (its radius goes with it)."""

    version: Version | None = None
    name: Name | None = None
    kind: GroupKind | None = None
    parent_id: uuid.UUID | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    radius_m: RadiusM | None = None

    _required = model_validator(mode="after")(refuse_nulls("name", "kind", "radius_m"))

    @model_validator(mode="after")
    def _location(self) -> Self:
        _point_whole(self)
        return self


class Group(ReadSchema):
    id: uuid.UUID
    version: int
    name: str
    kind: GroupKind
    parent_id: uuid.UUID | None
    latitude: float | None
    longitude: float | None
    radius_m: int | None
    vehicle_count: int = Field(description="Vehicles in this group itself (not its subgroups)")
    created_at: datetime
    updated_at: datetime
