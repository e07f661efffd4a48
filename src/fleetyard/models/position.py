from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Double, Float, SmallInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base


class PositionRecord(Base):
    """A stored fix. Range-partitioned by fix_time; primary key makes resends idempotent."""

    __tablename__ = "positions"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    fix_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column()
    server_time: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    protocol: Mapped[str] = mapped_column(String(32))
    latitude: Mapped[float] = mapped_column(Double)
    longitude: Mapped[float] = mapped_column(Double)
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    course: Mapped[float | None] = mapped_column(Float)
    altitude_m: Mapped[float | None] = mapped_column(Float)
    satellites: Mapped[int | None] = mapped_column(SmallInteger)
    hdop: Mapped[float | None] = mapped_column(Float)
    valid: Mapped[bool] = mapped_column(Boolean)
    invalid_reason: Mapped[str | None] = mapped_column(String(64))
    ignition: Mapped[bool | None] = mapped_column(Boolean)
    odometer_m: Mapped[float | None] = mapped_column(Double)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class VehicleState(Base):
    """The latest valid fix and readings per vehicle, for the map."""

    __tablename__ = "vehicle_state"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    vehicle_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column()
    fix_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    server_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    latitude: Mapped[float] = mapped_column(Double)
    longitude: Mapped[float] = mapped_column(Double)
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    course: Mapped[float | None] = mapped_column(Float)
    altitude_m: Mapped[float | None] = mapped_column(Float)
    satellites: Mapped[int | None] = mapped_column(SmallInteger)
    ignition: Mapped[bool | None] = mapped_column(Boolean)
    odometer_m: Mapped[float | None] = mapped_column(Double)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
