from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Boolean, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class ServiceSchedule(TenantOwned, Base):
    """A service due by km, engine hours or calendar, whichever first (docs/maintenance.md)."""

    __tablename__ = "service_schedules"

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    component: Mapped[str] = mapped_column(String(32), default="other")
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column()
    group_id: Mapped[uuid.UUID | None] = mapped_column()
    interval_km: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    interval_hours: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    interval_days: Mapped[int | None] = mapped_column(Integer)
    interval_months: Mapped[int | None] = mapped_column(Integer)
    soon_km: Mapped[Decimal] = mapped_column(Numeric(10, 1), default=Decimal(0))
    soon_hours: Mapped[Decimal] = mapped_column(Numeric(10, 1), default=Decimal(0))
    soon_days: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
