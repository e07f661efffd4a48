from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base


class ServiceScheduleVehicle(Base):
    """One vehicle under one schedule: when it was last done and its last evaluated status."""

    __tablename__ = "service_schedule_vehicles"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    schedule_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    vehicle_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    last_done_km: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    last_done_hours: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    last_done_on: Mapped[date] = mapped_column(Date)
    last_work_order_id: Mapped[uuid.UUID | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="ok")
    next_due_km: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    next_due_hours: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    next_due_on: Mapped[date | None] = mapped_column(Date)
    evaluated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
