from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints, model_validator

from fleetyard.kit.phone import Phone
from fleetyard.kit.schemas import Name, ReadSchema, Schema, Version, refuse_nulls

LicenceNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
]
LicenceClass = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Email = Annotated[EmailStr, Field(max_length=320)]


class DriverStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"


class DriverCreate(Schema):
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    licence_number: LicenceNumber | None = None
    licence_class: LicenceClass | None = None
    licence_expiry: date | None = None
    status: DriverStatus = DriverStatus.ACTIVE
    assigned_vehicle_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = Field(
        default=None, description="The tenant member this driver signs in as, if any"
    )


class DriverUpdate(Schema):
    """Only the fields sent are changed. ``version`` (or If-Match) guards against lost updates."""

    version: Version | None = None
    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    licence_number: LicenceNumber | None = None
    licence_class: LicenceClass | None = None
    licence_expiry: date | None = None
    status: DriverStatus | None = None
    assigned_vehicle_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None

    _required = model_validator(mode="after")(refuse_nulls("name", "status"))


class Driver(ReadSchema):
    id: uuid.UUID
    version: int
    name: str
    email: str | None
    phone: str | None
    licence_number: str | None
    licence_class: str | None
    licence_expiry: date | None
    status: DriverStatus
    assigned_vehicle_id: uuid.UUID | None
    group_id: uuid.UUID | None
    user_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
