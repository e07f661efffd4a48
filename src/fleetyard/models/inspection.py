from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Integer, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class Inspection(TenantOwned, Base):
    """A driver's inspection (DVIR) of one vehicle, with each item as it was answered."""

    __tablename__ = "inspections"

    vehicle_id: Mapped[uuid.UUID] = mapped_column()
    template_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[uuid.UUID | None] = mapped_column()
    driver_id: Mapped[uuid.UUID | None] = mapped_column()
    odometer_km: Mapped[Decimal | None] = mapped_column(Numeric(12, 1))
    odometer_source: Mapped[str] = mapped_column(String(16))
    performed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    critical_count: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(String(2000), default="")
