"""The dispatch domain's tables (migration 0022), one class per table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Double, Integer, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.kit.ids import uuid7
from fleetyard.models.base import Base, TenantOwned


class Dispatch(TenantOwned, Base):
    """A solved plan put on the road from ``start_at``: active → completed / superseded."""

    __tablename__ = "dispatches"

    plan_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(200))
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="active")
    superseded_by: Mapped[uuid.UUID | None] = mapped_column()


class DispatchRoute(TenantOwned, Base):
    """One vehicle's and driver's run: planned → in progress → completed (or superseded)."""

    __tablename__ = "dispatch_routes"

    dispatch_id: Mapped[uuid.UUID] = mapped_column()
    vehicle_key: Mapped[str] = mapped_column(String(100))
    vehicle_id: Mapped[uuid.UUID] = mapped_column()
    driver_id: Mapped[uuid.UUID | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="planned")
    planned_start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    planned_end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    distance_m: Mapped[int] = mapped_column(BigInteger, default=0)
    duration_s: Mapped[int] = mapped_column(BigInteger, default=0)
    start_lat: Mapped[float | None] = mapped_column(Double)
    start_lon: Mapped[float | None] = mapped_column(Double)
    # (longitude, latitude) pairs, GeoJSON's order: the planned corridor's centre line
    geometry: Mapped[list[Any] | None] = mapped_column(JSONB)
    eta_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    eta_position_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    off_route_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    off_route_m: Mapped[float | None] = mapped_column(Double)


class DispatchStop(TenantOwned, Base):
    """A job on a route: pending → arrived → completed / failed (or straight to either)."""

    __tablename__ = "dispatch_stops"

    route_id: Mapped[uuid.UUID] = mapped_column()
    seq: Mapped[int] = mapped_column(Integer)
    job_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(String(2000), default="")
    latitude: Mapped[float] = mapped_column(Double)
    longitude: Mapped[float] = mapped_column(Double)
    service_s: Mapped[int] = mapped_column(Integer, default=0)
    window_start_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    window_end_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    planned_arrival_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    planned_departure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    eta_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    late_s: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(String(2000), default="")


class DispatchStopPhoto(Base):
    """A stop's proof photo, its bytes in the database (content type sniffed, never trusted)."""

    __tablename__ = "dispatch_stop_photos"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    stop_id: Mapped[uuid.UUID] = mapped_column()
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class DispatchReplan(Base):
    """A re-optimisation's new plan → the dispatch it will replace and the stops it fixed
    first (vehicle key → the started stop's id)."""

    __tablename__ = "dispatch_replans"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    dispatch_id: Mapped[uuid.UUID] = mapped_column()
    fixed_stops: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class DispatchSettings(Base):
    """A tenant's tolerances: the corridor's half-width, how long off it before an alert,
    how late past a window's end before an alert."""

    __tablename__ = "dispatch_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    corridor_m: Mapped[int] = mapped_column(Integer, default=500)
    off_route_after_s: Mapped[int] = mapped_column(Integer, default=60)
    late_tolerance_s: Mapped[int] = mapped_column(Integer, default=300)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
