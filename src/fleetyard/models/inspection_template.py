from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class InspectionTemplate(TenantOwned, Base):
    """A tenant's checklist for one vehicle type (None: any type) and kind of inspection."""

    __tablename__ = "inspection_templates"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    vehicle_type: Mapped[str | None] = mapped_column(String(32))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
