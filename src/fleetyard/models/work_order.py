from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class WorkOrder(TenantOwned, Base):
    """Work on one vehicle: open → in progress → completed / cancelled, with its costs."""

    __tablename__ = "work_orders"

    number: Mapped[int] = mapped_column(Integer)
    vehicle_id: Mapped[uuid.UUID] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    component: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    vendor: Mapped[str | None] = mapped_column(String(200))
    assigned_to: Mapped[uuid.UUID | None] = mapped_column()
    source_kind: Mapped[str] = mapped_column(String(16), default="manual")
    source_id: Mapped[uuid.UUID | None] = mapped_column()
    out_of_service_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    out_of_service_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    currency: Mapped[str] = mapped_column(String(3))
    labour_total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    parts_total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal(0))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completion_odometer_km: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    completion_engine_hours: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
