from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class InspectionDefect(TenantOwned, Base):
    """A failed inspection item: an issue from open to signed off."""

    __tablename__ = "inspection_defects"

    inspection_id: Mapped[uuid.UUID] = mapped_column()
    vehicle_id: Mapped[uuid.UUID] = mapped_column()
    item_id: Mapped[str] = mapped_column(String(64))
    section: Mapped[str] = mapped_column(String(100), default="")
    label: Mapped[str] = mapped_column(String(200))
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[str] = mapped_column(String(24), default="open")
    out_of_service: Mapped[bool] = mapped_column(Boolean, default=False)
    work_order_id: Mapped[uuid.UUID | None] = mapped_column()
    alert_id: Mapped[uuid.UUID | None] = mapped_column()
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_off_by: Mapped[uuid.UUID | None] = mapped_column()
    signed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sign_off_note: Mapped[str] = mapped_column(String(2000), default="")
