"""The dashboard's answer: typed sections for the figures every fleet has, and a list of
generic figures that later domains append to without changing the shape (docs/dashboard.md)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class VehicleActivityCounts(BaseModel):
    """Vehicles by what they are doing now (``fleetyard.tracking.activity``); retired vehicles
    are left out of these and counted in ``retired`` alone."""

    total: int = Field(description="Vehicles not retired; the five activities add up to it.")
    moving: int
    idle: int
    parked: int
    offline: int
    no_position: int
    in_alert: int = Field(
        description="Vehicles (not retired) with at least one open alert, whatever they do."
    )
    retired: int


class SeverityCounts(BaseModel):
    """Open alerts per severity (``fleetyard.telematics.rules.conditions.Severity``)."""

    critical: int
    warning: int
    info: int


class AlertCounts(BaseModel):
    open: int
    unacknowledged: int = Field(description="Open alerts nobody has acknowledged yet.")
    by_severity: SeverityCounts


class DeviceCounts(BaseModel):
    """Devices by their last contact (the server time of their newest stored fix), against
    the activity rule's ``OFFLINE_AFTER``."""

    total: int
    online: int = Field(description="Last contact within the activity rule's offline delay.")
    offline: int = Field(description="Last contact older than the offline delay.")
    never_reported: int = Field(description="No fix stored from the device yet.")


class UpcomingReservation(BaseModel):
    id: uuid.UUID
    vehicle_id: uuid.UUID
    vehicle_plate: str | None
    vehicle_name: str | None
    driver_id: uuid.UUID | None
    driver_name: str | None = Field(description="Null without a driver, or the drivers:read right.")
    starts_at: datetime
    ends_at: datetime
    status: str
    purpose: str


class ReservationOutlook(BaseModel):
    next_24h: int = Field(description="Reservations starting within the next 24 hours.")
    upcoming: list[UpcomingReservation] = Field(
        description="The next reservations to start (requested or confirmed), soonest first."
    )


class Figure(BaseModel):
    """One named number; a client renders any figure it has never heard of by these fields."""

    key: str = Field(description="Stable identifier, e.g. ``distance_today``.")
    label: str
    value: float
    unit: str | None = None
    detail: str | None = Field(default=None, description="One line saying how it was measured.")
    href: str | None = Field(default=None, description="The app's screen behind the figure.")


class MaintenanceCounts(BaseModel):
    """Vehicles by the worst status among their enabled service schedules (as last evaluated),
    open work orders and parts at or below their reorder level."""

    due_soon: int
    due: int
    overdue: int
    open_work_orders: int
    low_stock_parts: int


class Dashboard(BaseModel):
    generated_at: datetime
    timezone: str = Field(description="The zone 'today' is counted in.")
    today_from: datetime
    vehicles: VehicleActivityCounts
    alerts: AlertCounts
    devices: DeviceCounts | None = Field(description="Null without the devices:read right.")
    reservations: ReservationOutlook | None = Field(
        description="Null without the reservations:read right."
    )
    figures: list[Figure] = Field(
        description="Further figures, in display order; later domains add theirs here."
    )
    maintenance: MaintenanceCounts | None = Field(
        default=None, description="Null without the maintenance:read right."
    )


# GET /fleet/summary: the fleet in figures, for the home screen and reports --------------------


class DepotVehicles(BaseModel):
    group_id: uuid.UUID | None = Field(description="Null: vehicles in no group.")
    name: str | None
    vehicles: int


class VehicleSummary(BaseModel):
    total: int = Field(description="Every vehicle, retired ones included.")
    by_status: dict[str, int] = Field(description="active, in_maintenance, retired (zeros too).")
    by_type: dict[str, int] = Field(description="Per vehicle type present in the fleet.")
    by_depot: list[DepotVehicles] = Field(
        description="Per group (depot) the vehicles belong to, biggest first."
    )
    by_activity: VehicleActivityCounts = Field(description="As the dashboard counts them.")


class ReservationsToday(BaseModel):
    total: int = Field(description="Reservations whose time overlaps today (UTC).")
    by_status: dict[str, int]


class DistanceToday(BaseModel):
    km: float
    vehicles: int = Field(description="Vehicles that drove today.")


class FleetSummary(BaseModel):
    generated_at: datetime = Field(
        description="When these figures were counted: they may be a few seconds old (cached)."
    )
    timezone: str
    today_from: datetime
    vehicles: VehicleSummary
    alerts: AlertCounts
    devices: DeviceCounts | None = Field(description="Null without the devices:read right.")
    reservations_today: ReservationsToday | None = Field(
        description="Null without the reservations:read right."
    )
    distance_today: DistanceToday
