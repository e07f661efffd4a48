from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class Driver(TenantOwned, Base):
    __tablename__ = "drivers"

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    licence_number: Mapped[str | None] = mapped_column(String(64))
    licence_class: Mapped[str | None] = mapped_column(String(32))
    licence_expiry: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), default="active")
    assigned_vehicle_id: Mapped[uuid.UUID | None] = mapped_column()
    group_id: Mapped[uuid.UUID | None] = mapped_column()
    user_id: Mapped[uuid.UUID | None] = mapped_column()
