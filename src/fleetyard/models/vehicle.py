from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Integer, Numeric, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class Vehicle(TenantOwned, Base):
    __tablename__ = "vehicles"

    vin: Mapped[str | None] = mapped_column(String(17))
    plate: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    make: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str | None] = mapped_column(String(100))
    year: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32))
    fuel_type: Mapped[str] = mapped_column(String(32))
    odometer_km: Mapped[float] = mapped_column(Numeric(12, 1), default=0)
    status: Mapped[str] = mapped_column(String(32))
    status_detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    group_id: Mapped[uuid.UUID | None] = mapped_column()
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), default=list)
