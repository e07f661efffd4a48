"""The maintenance API's shapes: schedules, their state per vehicle, work orders and their
lines, parts. Money is ``Decimal`` (a JSON string, exact) in the tenant's currency."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from fleetyard.kit.schemas import Name, ReadSchema, Schema, Version, refuse_nulls


class Component(StrEnum):
    """What was serviced or failed: the prediction engine trains on it."""

    BATTERY = "battery"
    BRAKES = "brakes"
    ENGINE_COOLING = "engine_cooling"
    TYRES = "tyres"
    ENGINE = "engine"
    TRANSMISSION = "transmission"
    ELECTRICAL = "electrical"
    OTHER = "other"


class DueStatus(StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    DUE = "due"
    OVERDUE = "overdue"


class WorkOrderKind(StrEnum):
    PREVENTIVE = "preventive"
    CORRECTIVE = "corrective"
    BREAKDOWN = "breakdown"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class WorkOrderStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class SourceKind(StrEnum):
    SCHEDULE = "schedule"
    ALERT = "alert"
    DEFECT = "defect"
    MANUAL = "manual"


# Bounds: a service interval beyond a million km, 100,000 engine hours or ten years is a typo.
IntervalKm = Annotated[Decimal, Field(gt=0, le=1_000_000, decimal_places=1)]
IntervalHours = Annotated[Decimal, Field(gt=0, le=100_000, decimal_places=1)]
IntervalDays = Annotated[int, Field(ge=1, le=3650)]
IntervalMonths = Annotated[int, Field(ge=1, le=120)]
SoonKm = Annotated[Decimal, Field(ge=0, le=100_000, decimal_places=1)]
SoonHours = Annotated[Decimal, Field(ge=0, le=10_000, decimal_places=1)]
SoonDays = Annotated[int, Field(ge=0, le=365)]
MeterKm = Annotated[Decimal, Field(ge=0, le=10_000_000, decimal_places=1)]
MeterHours = Annotated[Decimal, Field(ge=0, le=1_000_000, decimal_places=1)]
Description = Annotated[str, StringConstraints(max_length=5000)]
Money = Annotated[Decimal, Field(ge=0, le=1_000_000_000, decimal_places=2)]
Hours = Annotated[Decimal, Field(gt=0, le=10_000, decimal_places=2)]
Quantity = Annotated[Decimal, Field(gt=0, le=1_000_000, decimal_places=3)]
Stock = Annotated[Decimal, Field(ge=0, le=100_000_000, decimal_places=3)]
PartNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^\S.*$")
]
Vendor = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


# schedules -----------------------------------------------------------------------------------
class LastDone(Schema):
    """When a vehicle's schedule was last done; left out, it counts from when the vehicle came
    under the schedule (its meters and the day then)."""

    odometer_km: MeterKm | None = None
    engine_hours: MeterHours | None = None
    on: date | None = None


class _Intervals(Schema):
    interval_km: IntervalKm | None = None
    interval_hours: IntervalHours | None = None
    interval_days: IntervalDays | None = None
    interval_months: IntervalMonths | None = None
    soon_km: SoonKm = Decimal(0)
    soon_hours: SoonHours = Decimal(0)
    soon_days: SoonDays = 0


def intervals_problem(
    km: Decimal | None, hours: Decimal | None, days: int | None, months: int | None
) -> str | None:
    if km is None and hours is None and days is None and months is None:
        return "a schedule needs at least one interval: km, engine hours, days or months"
    if days is not None and months is not None:
        return "give the calendar interval in days or in months, not both"
    return None


class ServiceScheduleCreate(_Intervals):
    name: Name
    description: Description = ""
    component: Component = Component.OTHER
    vehicle_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    enabled: bool = True
    last_done: LastDone | None = Field(
        default=None, description="Only for a vehicle's schedule: when it was last done."
    )

    @model_validator(mode="after")
    def _valid(self) -> ServiceScheduleCreate:
        if (self.vehicle_id is None) == (self.group_id is None):
            raise ValueError("a schedule is for one vehicle or one group: give exactly one")
        if self.last_done is not None and self.vehicle_id is None:
            raise ValueError("last_done is for a vehicle's schedule")
        problem = intervals_problem(
            self.interval_km, self.interval_hours, self.interval_days, self.interval_months
        )
        if problem:
            raise ValueError(problem)
        return self


class ServiceScheduleUpdate(Schema):
    """Only the fields sent are changed (an interval sent as null is dropped)."""

    version: Version | None = None
    name: Name | None = None
    description: Description | None = None
    component: Component | None = None
    interval_km: IntervalKm | None = None
    interval_hours: IntervalHours | None = None
    interval_days: IntervalDays | None = None
    interval_months: IntervalMonths | None = None
    soon_km: SoonKm | None = None
    soon_hours: SoonHours | None = None
    soon_days: SoonDays | None = None
    enabled: bool | None = None

    _required = model_validator(mode="after")(
        refuse_nulls(
            "name", "description", "component", "soon_km", "soon_hours", "soon_days", "enabled"
        )
    )


class ScheduleCounts(Schema):
    ok: int = 0
    due_soon: int = 0
    due: int = 0
    overdue: int = 0


class ServiceSchedule(ReadSchema):
    id: uuid.UUID
    version: int
    name: str
    description: str
    component: Component
    vehicle_id: uuid.UUID | None
    group_id: uuid.UUID | None
    interval_km: Decimal | None
    interval_hours: Decimal | None
    interval_days: int | None
    interval_months: int | None
    soon_km: Decimal
    soon_hours: Decimal
    soon_days: int
    enabled: bool
    status: DueStatus = Field(
        default=DueStatus.OK, description="The worst status among the vehicles it covers."
    )
    vehicles: ScheduleCounts = Field(
        default_factory=ScheduleCounts, description="How many of its vehicles are in each status."
    )
    created_at: datetime
    updated_at: datetime


class ScheduleDue(ReadSchema):
    """One vehicle under one schedule: what is due when, from the live meters."""

    schedule_id: uuid.UUID
    schedule_name: str
    component: Component
    vehicle_id: uuid.UUID
    status: DueStatus
    due_by: list[Literal["km", "hours", "date"]] = Field(
        description="The meters that set the status (the worst ones), first to come first."
    )
    last_done_km: Decimal | None
    last_done_hours: Decimal | None
    last_done_on: date
    next_due_km: Decimal | None
    next_due_hours: Decimal | None
    next_due_on: date | None
    remaining_km: Decimal | None = Field(description="Negative: past due by that much.")
    remaining_hours: Decimal | None
    remaining_days: int | None
    last_work_order_id: uuid.UUID | None


class Meters(ReadSchema):
    odometer_km: Decimal | None = Field(description="From the live state, else the vehicle's.")
    engine_hours: Decimal | None
    read_at: datetime | None = Field(description="The fix the readings came with.")
    today: date = Field(description="Today in the tenant's time zone.")


class VehicleMaintenance(ReadSchema):
    vehicle_id: uuid.UUID
    status: DueStatus = Field(description="The worst of its schedules.")
    meters: Meters
    schedules: list[ScheduleDue]
    open_work_orders: int


# work orders ---------------------------------------------------------------------------------
class Source(Schema):
    """Where a work order came from: a schedule, a (DTC) alert, an inspection defect, or by
    hand (``manual``, no id)."""

    kind: SourceKind = SourceKind.MANUAL
    id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _id_unless_manual(self) -> Source:
        if (self.kind is SourceKind.MANUAL) != (self.id is None):
            raise ValueError("a source has an id, except a manual one")
        return self


class LabourLine(Schema):
    kind: Literal["labour"] = "labour"
    description: Annotated[str, StringConstraints(max_length=500)] = ""
    hours: Hours
    rate: Money


class PartLine(Schema):
    """A part from stock (``part_id``: its unit cost is the stock's unless given) or one
    bought for the job (``description`` and ``unit_cost``)."""

    kind: Literal["part"] = "part"
    description: Annotated[str, StringConstraints(max_length=500)] = ""
    part_id: uuid.UUID | None = None
    quantity: Quantity
    unit_cost: Money | None = None

    @model_validator(mode="after")
    def _priced(self) -> PartLine:
        if self.part_id is None and self.unit_cost is None:
            raise ValueError("a part not from stock needs its unit_cost")
        if self.part_id is None and not self.description.strip():
            raise ValueError("a part not from stock needs a description")
        return self


Line = Annotated[LabourLine | PartLine, Field(discriminator="kind")]
Lines = Annotated[list[Line], Field(max_length=200)]


def downtime_problem(start: datetime | None, end: datetime | None) -> str | None:
    if end is not None and start is None:
        return "out_of_service_until needs out_of_service_from"
    if start is not None and end is not None and end < start:
        return "out_of_service_until must not be before out_of_service_from"
    return None


class WorkOrderCreate(Schema):
    vehicle_id: uuid.UUID | None = Field(
        default=None, description="Required unless the source names the vehicle (an alert)."
    )
    title: Name | None = Field(default=None, description="Defaults to the schedule's name.")
    description: Description = ""
    component: Component | None = None
    kind: WorkOrderKind | None = None
    priority: Priority = Priority.NORMAL
    vendor: Vendor | None = None
    assigned_to: uuid.UUID | None = None
    source: Source = Field(default_factory=Source)
    out_of_service_from: AwareDatetime | None = None
    out_of_service_until: AwareDatetime | None = None
    lines: Lines = []

    @model_validator(mode="after")
    def _valid(self) -> WorkOrderCreate:
        problem = downtime_problem(self.out_of_service_from, self.out_of_service_until)
        if problem:
            raise ValueError(problem)
        return self


class WorkOrderUpdate(Schema):
    """Only the fields sent are changed; ``lines`` replaces every line. Status moves
    open → in_progress → completed, and open or in_progress → cancelled (409 otherwise)."""

    version: Version | None = None
    title: Name | None = None
    description: Description | None = None
    component: Component | None = None
    kind: WorkOrderKind | None = None
    priority: Priority | None = None
    vendor: Vendor | None = None
    assigned_to: uuid.UUID | None = None
    status: WorkOrderStatus | None = None
    out_of_service_from: AwareDatetime | None = None
    out_of_service_until: AwareDatetime | None = None
    lines: Lines | None = None

    _required = model_validator(mode="after")(
        refuse_nulls("title", "description", "component", "kind", "priority", "status", "lines")
    )


class WorkOrderLine(ReadSchema):
    id: uuid.UUID
    position: int
    kind: Literal["labour", "part"]
    description: str
    hours: Decimal | None
    rate: Decimal | None
    part_id: uuid.UUID | None
    quantity: Decimal | None
    unit_cost: Decimal | None
    amount: Decimal


class SourceOut(ReadSchema):
    kind: SourceKind
    id: uuid.UUID | None


class WorkOrder(ReadSchema):
    id: uuid.UUID
    version: int
    number: int
    vehicle_id: uuid.UUID
    title: str
    description: str
    component: Component
    kind: WorkOrderKind
    priority: Priority
    status: WorkOrderStatus
    vendor: str | None
    assigned_to: uuid.UUID | None
    source: SourceOut
    out_of_service_from: datetime | None
    out_of_service_until: datetime | None
    currency: str
    labour_total: Decimal
    parts_total: Decimal
    total: Decimal
    lines: list[WorkOrderLine]
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    completion_odometer_km: Decimal | None
    completion_engine_hours: Decimal | None
    created_at: datetime
    updated_at: datetime


# parts ---------------------------------------------------------------------------------------
class PartCreate(Schema):
    part_number: PartNumber
    name: Name
    quantity_on_hand: Stock = Decimal(0)
    unit_cost: Money = Decimal(0)
    reorder_level: Stock = Decimal(0)


class PartUpdate(Schema):
    version: Version | None = None
    part_number: PartNumber | None = None
    name: Name | None = None
    quantity_on_hand: Stock | None = None
    unit_cost: Money | None = None
    reorder_level: Stock | None = None

    _required = model_validator(mode="after")(
        refuse_nulls("part_number", "name", "quantity_on_hand", "unit_cost", "reorder_level")
    )


class Part(ReadSchema):
    id: uuid.UUID
    version: int
    part_number: str
    name: str
    quantity_on_hand: Decimal
    unit_cost: Decimal
    reorder_level: Decimal
    low_stock: bool = Field(description="At or below its reorder level.")
    currency: str
    created_at: datetime
    updated_at: datetime
