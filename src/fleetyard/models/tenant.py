from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.kit.ids import uuid7
from fleetyard.models.base import Base, TimestampMixin


class Tenant(TimestampMixin, Base):
    """The registry of organisations: global (a Citus reference table), not tenant-owned."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    features: Mapped[dict[str, Any]] = mapped_column(default=dict)
    max_vehicles: Mapped[int | None] = mapped_column(Integer)
    max_users: Mapped[int | None] = mapped_column(Integer)
    api_requests_per_minute: Mapped[int] = mapped_column(Integer, default=600)
    position_retention_days: Mapped[int | None] = mapped_column(Integer)
    primary_color: Mapped[str | None] = mapped_column(String(7))
    logo_url: Mapped[str | None] = mapped_column(String(2048))
    # IANA zone: quiet hours and schedules are read in it
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # ISO 4217: work orders and parts are priced in it
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
