from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, LargeBinary, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class RoutePlan(TenantOwned, Base):
    """A route plan: its request, its status while queued and solving, and its solution."""

    __tablename__ = "route_plans"

    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    objective: Mapped[str] = mapped_column(String(16))
    time_limit_s: Mapped[int] = mapped_column(Integer)
    job_count: Mapped[int] = mapped_column(Integer)
    vehicle_count: Mapped[int] = mapped_column(Integer)
    request: Mapped[dict[str, Any]] = mapped_column()
    solution: Mapped[dict[str, Any] | None] = mapped_column()
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(String(2000))
    travel_source: Mapped[str | None] = mapped_column(String(16))
    travel: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    distance: Mapped[int | None] = mapped_column(BigInteger)
    duration: Mapped[int | None] = mapped_column(BigInteger)
    cost: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    worker: Mapped[uuid.UUID | None] = mapped_column()
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
