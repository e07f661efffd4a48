"""The dispatch API's shapes: dispatching a plan, a route with its stops and ETAs, a stop's
progress, the dispatcher's live view, the tenant's tolerances and a re-plan."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from fleetyard.kit.instants import Instant
from fleetyard.kit.schemas import ReadSchema, Schema

Ident = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
MAX_ROUTES = 1000
MAX_JOBS = 10_000


class StopStatus(StrEnum):
    PENDING = "pending"
    ARRIVED = "arrived"
    COMPLETED = "completed"
    FAILED = "failed"


class RouteStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SUPERSEDED = "superseded"


class DispatchStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    SUPERSEDED = "superseded"


# dispatching ---------------------------------------------------------------------------------
class RouteAssignment(Schema):
    """Who drives the plan's route ``vehicle`` (the plan's vehicle id, ``id#k`` for the k-th
    of a count): the plan's ``vehicle_id`` / ``driver_id`` unless given here."""

    vehicle: Ident
    vehicle_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None


class JobDetails(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    notes: Note = ""


class DispatchCreate(Schema):
    start_at: Instant | None = Field(
        default=None,
        description="The instant the plan's second 0 stands for (default: today 00:00 in the "
        "tenant's zone; a re-plan's default: the replaced dispatch's start).",
    )
    routes: list[RouteAssignment] = Field(default_factory=list, max_length=MAX_ROUTES)
    jobs: dict[Ident, JobDetails] = Field(default_factory=dict, max_length=MAX_JOBS)


# reading ------------------------------------------------------------------------------------
class StopPhoto(BaseModel):
    id: uuid.UUID
    content_type: str
    size_bytes: int


class DispatchedStop(ReadSchema):
    id: uuid.UUID
    version: int
    seq: int
    job_id: str
    name: str
    place: str
    notes: str
    latitude: float
    longitude: float
    service_s: int
    window_start_at: datetime | None
    window_end_at: datetime | None
    planned_arrival_at: datetime
    planned_departure_at: datetime
    eta_at: datetime | None
    late_minutes: float | None = None
    status: StopStatus
    arrived_at: datetime | None
    completed_at: datetime | None
    failed_at: datetime | None
    note: str
    photos: list[StopPhoto] = Field(default_factory=list)


class DispatchedRoute(ReadSchema):
    id: uuid.UUID
    version: int
    dispatch_id: uuid.UUID
    plan_id: uuid.UUID
    name: str
    vehicle: str = Field(validation_alias="vehicle_key")
    vehicle_id: uuid.UUID
    vehicle_name: str | None = None
    driver_id: uuid.UUID | None
    driver_name: str | None = None
    status: RouteStatus
    planned_start_at: datetime
    planned_end_at: datetime
    distance_m: int
    duration_s: int
    geometry: list[tuple[float, float]] | None
    eta_at: datetime | None = Field(description="Estimated end of the last remaining stop.")
    eta_position_at: datetime | None = Field(description="The fix the ETAs were computed from.")
    off_route_m: float | None
    off_route_since: datetime | None
    completed: int = 0
    total: int = 0
    stops: list[DispatchedStop] = Field(default_factory=list)


class DispatchOut(ReadSchema):
    id: uuid.UUID
    version: int
    plan_id: uuid.UUID
    name: str
    start_at: datetime
    status: DispatchStatus
    superseded_by: uuid.UUID | None
    created_at: datetime
    routes: list[DispatchedRoute] = Field(default_factory=list)


# progress -----------------------------------------------------------------------------------
class ProofPhoto(Schema):
    content_type: Annotated[str, StringConstraints(max_length=32)]
    data: Annotated[str, StringConstraints(max_length=15_000_000)]


class StopProgress(Schema):
    note: Note = ""
    photo: ProofPhoto | None = None
    at: Instant | None = Field(
        default=None, description="When it happened (an offline replay's time); default now."
    )


# the dispatcher's view -----------------------------------------------------------------------
class LiveRoute(BaseModel):
    route_id: uuid.UUID
    vehicle: str
    vehicle_id: uuid.UUID
    vehicle_name: str | None
    driver_id: uuid.UUID | None
    driver_name: str | None
    status: RouteStatus
    next_stop_id: uuid.UUID | None
    next_stop_name: str | None
    next_eta_at: datetime | None
    late_minutes: float = Field(description="The worst lateness among the remaining stops.")
    off_route_m: float | None
    completed: int
    total: int


class LiveDispatch(BaseModel):
    dispatch_id: uuid.UUID
    plan_id: uuid.UUID
    name: str
    start_at: datetime
    routes: list[LiveRoute]


class DispatchTolerances(ReadSchema):
    corridor_m: int
    off_route_after_s: int
    late_tolerance_s: int


class DispatchTolerancesUpdate(Schema):
    corridor_m: int = Field(default=500, ge=50, le=50_000)
    off_route_after_s: int = Field(default=60, ge=0, le=3600)
    late_tolerance_s: int = Field(default=300, ge=0, le=86_400)


class ReplanCreate(Schema):
    time_limit_s: int = Field(default=10, ge=1, le=600)
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class ReplanAccepted(BaseModel):
    plan_id: uuid.UUID
    dispatch_id: uuid.UUID
    status: str
    fixed_stops: dict[str, uuid.UUID]
    removed_jobs: list[str]
