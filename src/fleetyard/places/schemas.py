"""Places as the API shows them: a geofence, a depot (linked to its group) or a street."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from fleetyard.kit.schemas import ReadSchema
from fleetyard.places.naming import DepotPlace, GeofencePlace, Place, StreetPlace


class GeofencePlaceOut(ReadSchema):
    kind: Literal["geofence"] = "geofence"
    geofence_id: uuid.UUID
    name: str
    label: str = Field(description="What to show: the geofence's name")


class DepotPlaceOut(ReadSchema):
    kind: Literal["depot"] = "depot"
    group_id: uuid.UUID
    name: str
    label: str = Field(description="What to show: the depot's name")


class StreetPlaceOut(ReadSchema):
    kind: Literal["street"] = "street"
    name: str
    near: bool = Field(description="Off the street's line by more than a fix's usual error")
    distance_m: float
    label: str = Field(description="What to show: the street, or 'near <street>'")


PlaceOut = Annotated[GeofencePlaceOut | DepotPlaceOut | StreetPlaceOut, Field(discriminator="kind")]


def place_out(place: Place | None) -> GeofencePlaceOut | DepotPlaceOut | StreetPlaceOut | None:
    if isinstance(place, GeofencePlace):
        return GeofencePlaceOut(geofence_id=place.geofence_id, name=place.name, label=place.label)
    if isinstance(place, DepotPlace):
        return DepotPlaceOut(group_id=place.group_id, name=place.name, label=place.label)
    if isinstance(place, StreetPlace):
        return StreetPlaceOut(
            name=place.name, near=place.near, distance_m=place.distance_m, label=place.label
        )
    return None
