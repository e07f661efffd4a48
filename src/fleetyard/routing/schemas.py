"""The route-plan API's shapes: the request (vehicles, jobs, an optional matrix), the plan
with its status and solution, and the edits (check and save routes).

Times are integer seconds from the plan's start; distances integer metres (or whatever unit
an explicit matrix uses). Field-level rules live here; rules across fields (indices inside the
matrix, capacity and demand dimensions, unique ids) are in ``routing.validation`` so each
refusal names its field."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from fleetyard.kit.schemas import Name, ReadSchema, Schema, Version

# Hard ceilings whatever a tenant's limits say (the tenant's own are lower: routing.limits).
HARD_MAX_JOBS = 10_000
HARD_MAX_VEHICLES = 1_000
HARD_MAX_TIME_LIMIT_S = 3_600
MAX_DIMENSIONS = 8
MAX_TIME_S = 31 * 86_400  # a plan spans a month at most
MAX_QUANTITY = 1_000_000_000
MAX_MATRIX_VALUE = 1_000_000_000
MAX_WINDOWS = 10

Ident = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Instant = Annotated[int, Field(ge=0, le=MAX_TIME_S)]
Quantity = Annotated[int, Field(ge=0, le=MAX_QUANTITY)]
Window = tuple[Instant, Instant]
# What a dispatcher and the driver read of a job: its name (a customer, a site) and a note.
JobName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
JobNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
MatrixValue = Annotated[int, Field(ge=0, le=MAX_MATRIX_VALUE)]
Index = Annotated[int, Field(ge=0, le=HARD_MAX_JOBS * 3)]


class Objective(StrEnum):
    DISTANCE = "distance"
    DURATION = "duration"
    COST = "cost"


class PlanStatus(StrEnum):
    QUEUED = "queued"
    SOLVING = "solving"
    SOLVED = "solved"
    FAILED = "failed"
    CANCELLED = "cancelled"


class LatLon(Schema):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class Break(Schema):
    """A driver's break, taken at a place (``location_index`` or ``location``), lasting
    ``duration_s``, starting within ``time_window``."""

    duration_s: int = Field(ge=1, le=86_400)
    time_window: Window
    location_index: Index | None = None
    location: LatLon | None = None


class VehicleIn(Schema):
    id: Ident
    start_index: Index | None = None
    start: LatLon | None = None
    end_index: Index | None = None
    end: LatLon | None = None
    capacity: list[Quantity] = Field(default_factory=list, max_length=MAX_DIMENSIONS)
    shift: Window | None = None
    count: int = Field(default=1, ge=1, le=HARD_MAX_VEHICLES)
    max_duration_s: int | None = Field(default=None, ge=1, le=MAX_TIME_S)
    cost_per_km: float = Field(default=0.0, ge=0, le=10_000, allow_inf_nan=False)
    cost_per_hour: float = Field(default=0.0, ge=0, le=100_000, allow_inf_nan=False)
    skills: list[Skill] = Field(default_factory=list, max_length=50)
    break_: Break | None = Field(default=None, alias="break")
    vehicle_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_max_length=10_000)


class JobIn(Schema):
    id: Ident
    name: JobName | None = None
    note: JobNote | None = None
    location_index: Index | None = None
    location: LatLon | None = None
    demand: list[Quantity] = Field(default_factory=list, max_length=MAX_DIMENSIONS)
    service_s: int = Field(default=0, ge=0, le=86_400)
    time_windows: list[Window] = Field(default_factory=list, max_length=MAX_WINDOWS)
    priority: int = Field(default=0, ge=0, le=100)
    skills: list[Skill] = Field(default_factory=list, max_length=50)
    optional_penalty: int | None = Field(default=None, ge=0, le=MAX_QUANTITY)


class MatrixIn(Schema):
    distances: list[list[MatrixValue]] = Field(min_length=1, max_length=HARD_MAX_JOBS * 3)
    durations: list[list[MatrixValue]] = Field(min_length=1, max_length=HARD_MAX_JOBS * 3)


class RoutePlanCreate(Schema):
    name: Name
    objective: Objective = Objective.DISTANCE
    time_limit_s: int = Field(default=10, ge=1, le=HARD_MAX_TIME_LIMIT_S)
    vehicles: list[VehicleIn] = Field(min_length=1, max_length=HARD_MAX_VEHICLES)
    jobs: list[JobIn] = Field(min_length=1, max_length=HARD_MAX_JOBS)
    matrix: MatrixIn | None = None


# answers -----------------------------------------------------------------------------------
class PlannedStop(BaseModel):
    job_id: str
    arrival_s: int
    departure_s: int
    load: list[int] = Field(description="What the vehicle carries when it leaves the stop.")
    name: str | None = Field(default=None, description="The job's name, as the request gave it.")
    note: str | None = Field(default=None, description="The job's note, as the request gave it.")


class Route(BaseModel):
    vehicle: str = Field(description="The request's vehicle id (``id#k`` for the k-th of a count)")
    vehicle_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None
    start_s: int
    end_s: int
    stops: list[PlannedStop]
    distance: int
    duration: int
    cost: float
    geometry: list[tuple[float, float]] | None = Field(
        default=None, description="(longitude, latitude) along the roads, when coordinates"
    )


UnassignedReason = Literal[
    "no_vehicle_with_skills",
    "demand_exceeds_capacity",
    "time_window_unreachable",
    "not_served",
    "removed_by_edit",
]


class Unassigned(BaseModel):
    job_id: str
    reason: UnassignedReason
    message: str


class Solution(BaseModel):
    routes: list[Route]
    unassigned: list[Unassigned]
    distance: int
    duration: int
    cost: float
    vehicles_used: int


class Progress(BaseModel):
    best_cost: float | None = None
    iterations: int = 0
    elapsed_s: float = 0.0
    feasible: bool | None = None


class PlanError(BaseModel):
    code: str
    message: str


class Travel(BaseModel):
    source: str
    locations: list[LatLon] | None = None
    distances: list[list[int]]
    durations: list[list[int]]
    job_indices: dict[str, int]
    vehicle_indices: dict[str, tuple[int, int]] = Field(
        description="Vehicle id → (start index, end index) into the matrices"
    )


class RoutePlanSummary(ReadSchema):
    id: uuid.UUID
    version: int
    name: str
    status: PlanStatus
    objective: Objective
    job_count: int
    vehicle_count: int
    progress: Progress
    error: PlanError | None = None
    distance: int | None = None
    duration: int | None = None
    cost: float | None = None
    unassigned: int | None = None
    """How many jobs the solution (or the last saved edit) leaves unserved; null until solved."""
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


class RoutePlan(RoutePlanSummary):
    request: dict[str, Any]
    solution: Solution | None = None
    travel: Travel | None = None


class RoutePlanAccepted(BaseModel):
    id: uuid.UUID
    status: PlanStatus
    version: int


# edits ---------------------------------------------------------------------------------------
class RouteEdit(Schema):
    vehicle: Ident
    job_ids: list[Ident] = Field(max_length=HARD_MAX_JOBS)


class RoutesCheck(Schema):
    routes: list[RouteEdit] = Field(max_length=HARD_MAX_VEHICLES)


class RoutesSave(RoutesCheck):
    version: Version | None = None
    accept_violations: bool = False


ViolationKind = Literal[
    "time_window_missed",
    "capacity_exceeded",
    "shift_exceeded",
    "max_duration_exceeded",
    "skill_missing",
]


class Violation(BaseModel):
    kind: ViolationKind
    job_id: str | None = None
    message: str


class CheckedRoute(BaseModel):
    vehicle: str
    stops: list[PlannedStop]
    start_s: int
    end_s: int
    distance: int
    duration: int
    cost: float
    violations: list[Violation]


class RoutesChecked(BaseModel):
    feasible: bool
    routes: list[CheckedRoute]
    unassigned: list[str]
