from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, EmailStr, Field

from fleetyard.reports.cadence import Cadence
from fleetyard.reports.kinds import ReportKind


class ReportColumn(BaseModel):
    key: str
    label: str
    type: str


class ChartPoint(BaseModel):
    category: str
    value: float


class ReportOut(BaseModel):
    kind: str
    title: str
    time_zone: str
    start: datetime
    end: datetime
    columns: list[ReportColumn]
    rows: list[dict[str, Any]]
    chart_title: str
    chart: list[ChartPoint]


class ScheduleFilters(BaseModel):
    vehicle_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None


class ReportScheduleIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: ReportKind
    format: Literal["csv", "xlsx", "pdf"] = "pdf"
    cadence: Cadence
    hour: int = Field(ge=0, le=23, description="Hour of the day in the tenant's time zone")
    filters: ScheduleFilters = ScheduleFilters()
    recipients: list[EmailStr] = Field(min_length=1, max_length=50)
    enabled: bool = True


class ReportSchedule(BaseModel):
    id: uuid.UUID
    version: int
    name: str
    kind: ReportKind
    format: str
    cadence: Cadence
    hour: int
    filters: ScheduleFilters
    recipients: list[str]
    enabled: bool
    next_run_at: datetime
    created_at: datetime
    updated_at: datetime


class ReportRun(BaseModel):
    id: uuid.UUID
    schedule_id: uuid.UUID
    due_at: datetime
    period_start: datetime
    period_end: datetime
    status: str
    rows: int | None
    bytes: int | None
    error: str | None
    started_at: datetime
    finished_at: datetime | None
