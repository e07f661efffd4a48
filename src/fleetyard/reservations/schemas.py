from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from fleetyard.kit.schemas import ReadSchema, Schema, Version, refuse_nulls

MAX_DURATION = timedelta(days=90)
Purpose = Annotated[str, Field(max_length=500)]


class ReservationStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


FINAL_STATUSES = frozenset({ReservationStatus.CANCELLED, ReservationStatus.COMPLETED})
# A new reservation is asked for or already agreed; it can't start out cancelled or completed.
InitialStatus = Literal["requested", "confirmed"]


def period_problem(starts_at: datetime, ends_at: datetime) -> str | None:
    """Why ``[starts_at, ends_at)`` is not a bookable period, or None when it is."""
    if ends_at <= starts_at:
        return "ends_at must be after starts_at"
    if ends_at - starts_at > MAX_DURATION:
        return f"a reservation may last at most {MAX_DURATION.days} days"
    return None


class ReservationCreate(Schema):
    vehicle_id: uuid.UUID
    driver_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = Field(
        default=None, description="The member it is for; defaults to the calling user."
    )
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    purpose: Purpose = ""
    status: InitialStatus = "confirmed"

    @model_validator(mode="after")
    def _valid_period(self) -> ReservationCreate:
        problem = period_problem(self.starts_at, self.ends_at)
        if problem:
            raise ValueError(problem)
        return self


class ReservationUpdate(Schema):
    """Only the fields sent are changed. ``version`` (or If-Match) guards against lost updates."""

    version: Version | None = None
    vehicle_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    purpose: Purpose | None = None
    status: ReservationStatus | None = None

    _required = model_validator(mode="after")(
        refuse_nulls("vehicle_id", "starts_at", "ends_at", "purpose", "status")
    )

    @model_validator(mode="after")
    def _valid_period(self) -> ReservationUpdate:
        if self.starts_at is not None and self.ends_at is not None:
            problem = period_problem(self.starts_at, self.ends_at)
            if problem:
                raise ValueError(problem)
        return self


class Reservation(ReadSchema):
    id: uuid.UUID
    version: int
    vehicle_id: uuid.UUID
    driver_id: uuid.UUID | None
    user_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    purpose: str
    status: ReservationStatus
    created_at: datetime
    updated_at: datetime
