from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

import orjson
from pydantic import Field, field_validator, model_validator
from sqlalchemy import Row

from fleetyard.kit.pagination import Page
from fleetyard.kit.schemas import (
    Name,
    ReadSchema,
    Schema,
    ShortText,
    Tag,
    Version,
    refuse_nulls,
)
from fleetyard.kit.vin import Vin
from fleetyard.places.naming import Place
from fleetyard.places.schemas import PlaceOut, place_out
from fleetyard.tracking.activity import Activity

Plate = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9 \-·.]+$")]
Year = Annotated[int, Field(ge=1900, le=2100)]
Odometer = Annotated[float, Field(ge=0, le=10_000_000)]


class VehicleType(StrEnum):
    CAR = "car"
    VAN = "van"
    PICKUP = "pickup"
    TRUCK = "truck"
    HEAVY_TRUCK = "heavy_truck"
    BUS = "bus"
    MOTORCYCLE = "motorcycle"
    TRAILER = "trailer"
    EQUIPMENT = "equipment"
    OTHER = "other"


class FuelType(StrEnum):
    PETROL = "petrol"
    DIESEL = "diesel"
    ELECTRIC = "electric"
    HYBRID = "hybrid"
    PLUGIN_HYBRID = "plugin_hybrid"
    CNG = "cng"
    LPG = "lpg"
    HYDROGEN = "hydrogen"
    NONE = "none"
    OTHER = "other"


class Active(Schema):
    state: Literal["active"] = "active"


class InMaintenance(Schema):
    state: Literal["in_maintenance"] = "in_maintenance"
    shop: Name
    expected_return: date | None = None


class Retired(Schema):
    state: Literal["retired"] = "retired"
    retired_on: date
    reason: Annotated[str, Field(min_length=1, max_length=500)]


VehicleStatus = Annotated[Active | InMaintenance | Retired, Field(discriminator="state")]
VehicleStatusState = Literal["active", "in_maintenance", "retired"]


def _unique_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


class VehicleCreate(Schema):
    vin: Vin | None = None
    plate: Plate | None = None
    name: Name | None = None
    make: ShortText | None = None
    model: ShortText | None = None
    year: Year | None = None
    type: VehicleType = VehicleType.CAR
    fuel_type: FuelType = FuelType.PETROL
    odometer_km: Odometer = 0
    status: VehicleStatus = Field(default_factory=Active)
    group_id: uuid.UUID | None = None
    tags: Annotated[list[Tag], Field(max_length=50)] = []

    _tags = field_validator("tags")(_unique_tags)


class VehicleUpdate(Schema):
    """Only the fields sent are changed. ``version`` (or If-Match) guards against lost updates."""

    version: Version | None = None
    vin: Vin | None = None
    plate: Plate | None = None
    name: Name | None = None
    make: ShortText | None = None
    model: ShortText | None = None
    year: Year | None = None
    type: VehicleType | None = None
    fuel_type: FuelType | None = None
    odometer_km: Odometer | None = None
    status: VehicleStatus | None = None
    group_id: uuid.UUID | None = None
    tags: Annotated[list[Tag], Field(max_length=50)] | None = None

    _tags = field_validator("tags")(lambda tags: None if tags is None else _unique_tags(tags))
    _required = model_validator(mode="after")(
        refuse_nulls("type", "fuel_type", "odometer_km", "status", "tags")
    )


class Vehicle(ReadSchema):
    id: uuid.UUID
    version: int
    vin: str | None
    plate: str | None
    name: str | None
    make: str | None
    model: str | None
    year: int | None
    type: str
    fuel_type: str
    odometer_km: float
    status: VehicleStatus
    group_id: uuid.UUID | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime


VehiclePage = Page[Vehicle]


def _fields(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A vehicles row → the API's fields: the status union is rebuilt from its two columns."""
    fields = dict(row)
    fields["status"] = {"state": fields["status"], **fields.pop("status_detail")}
    return fields


# The hot reads as JSON bytes straight from rows (no model on the way out): the same document
# the models above describe (the routes keep them as their response_model), built with one
# orjson call. Tests hold the two encodings equal.
_STATUS_DEFAULTS: Final[Mapping[str, Mapping[str, Any]]] = {
    state: {
        name: field.default
        for name, field in model.model_fields.items()
        if name != "state" and not field.is_required()
    }
    for state, model in (
        ("active", Active),
        ("in_maintenance", InMaintenance),
        ("retired", Retired),
    )
}


def _json_default(value: Any) -> Any:
    if isinstance(value, uuid.UUID):  # asyncpg's UUID subclass, which orjson does not take
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _document(m: Mapping[Any, Any]) -> dict[str, Any]:
    state = m["status"]
    status = {"state": state, **_STATUS_DEFAULTS.get(state, {}), **(m["status_detail"] or {})}
    return {
        "id": m["id"],
        "version": m["version"],
        "vin": m["vin"],
        "plate": m["plate"],
        "name": m["name"],
        "make": m["make"],
        "model": m["model"],
        "year": m["year"],
        "type": m["type"],
        "fuel_type": m["fuel_type"],
        "odometer_km": float(m["odometer_km"]),
        "status": status,
        "group_id": m["group_id"],
        "tags": m["tags"],
        "created_at": m["created_at"],
        "updated_at": m["updated_at"],
    }


def _dumps(document: Any) -> bytes:
    return orjson.dumps(document, default=_json_default, option=orjson.OPT_UTC_Z)


def vehicle_json(row: Row[Any]) -> bytes:
    """A plain row → the ``Vehicle`` document as JSON."""
    return _dumps(_document(row._mapping))


def vehicle_page_json(rows: Sequence[Row[Any]], next_cursor: str | None) -> bytes:
    """Plain rows → the ``VehiclePage`` document as JSON."""
    return _dumps({"items": [_document(row._mapping) for row in rows], "next_cursor": next_cursor})


def vehicle_out(record: Any) -> Vehicle:
    """An ORM record (after a write) → the response model."""
    columns = record.__table__.columns
    return Vehicle.model_validate(_fields({c.key: getattr(record, c.key) for c in columns}))


# The overview: each vehicle with its live context -------------------------------------------


class DriverRef(ReadSchema):
    id: uuid.UUID
    name: str


class TrackerRef(ReadSchema):
    id: uuid.UUID
    name: str | None
    protocol: str
    unique_id: str = Field(description="The hardware id: IMEI for most GPS trackers")


class LastFix(ReadSchema):
    fix_time: datetime
    latitude: float
    longitude: float
    speed_kmh: float | None


class VehicleOverview(Vehicle):
    activity: Activity = Field(
        description="What it is doing now, from its last fix: moving, idle, parked, offline "
        "(no fix for 10 minutes) or no_position"
    )
    last_fix: LastFix | None
    place: PlaceOut | None = Field(
        description="The depot it is at, else the street it is on or near (null: no fix, or "
        "no named street within a few hundred metres)"
    )
    driver: DriverRef | None = Field(
        description="Its active driver (null without one, or without drivers:read)"
    )
    tracker: TrackerRef | None = Field(
        description="The device reporting for it (null without one, or without devices:read)"
    )


VehicleOverviewPage = Page[VehicleOverview]


def _overview_fields(
    row: Row[Any], place: Place | None, *, drivers: bool, trackers: bool
) -> dict[str, Any]:
    m = row._mapping
    fields = _fields({k: m[k] for k in (*Vehicle.model_fields, "status_detail")})
    fields["activity"] = m["activity"]
    fields["last_fix"] = (
        None
        if m["last_fix_at"] is None
        else {
            "fix_time": m["last_fix_at"],
            "latitude": m["latitude"],
            "longitude": m["longitude"],
            "speed_kmh": m["speed_kmh"],
        }
    )
    fields["place"] = place_out(place)
    fields["driver"] = (
        {"id": m["driver_id"], "name": m["driver_name"]}
        if drivers and m["driver_id"] is not None
        else None
    )
    fields["tracker"] = (
        {
            "id": m["tracker_id"],
            "name": m["tracker_name"],
            "protocol": m["tracker_protocol"],
            "unique_id": m["tracker_unique_id"],
        }
        if trackers and m["tracker_id"] is not None
        else None
    )
    return fields


def overview_from_row(
    row: Row[Any], place: Place | None, *, drivers: bool, trackers: bool
) -> VehicleOverview:
    return VehicleOverview.model_validate(
        _overview_fields(row, place, drivers=drivers, trackers=trackers)
    )


def overview_page(
    rows: Sequence[tuple[Row[Any], Place | None]],
    next_cursor: str | None,
    *,
    drivers: bool,
    trackers: bool,
) -> VehicleOverviewPage:
    items = [_overview_fields(r, p, drivers=drivers, trackers=trackers) for r, p in rows]
    return VehicleOverviewPage.model_validate({"items": items, "next_cursor": next_cursor})
