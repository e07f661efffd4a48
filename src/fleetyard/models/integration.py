from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class Integration(TenantOwned, Base):
    """A tenant's connection to a telematics cloud or broker. ``credentials`` is sealed
    (``fleetyard.kit.sealing``); only the names of the fields set are readable."""

    __tablename__ = "integrations"

    provider: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    credentials: Mapped[bytes] = mapped_column(LargeBinary)
    credentials_key_id: Mapped[str] = mapped_column(String(32))
    credential_fields: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)


class IntegrationStatus(Base):
    """What the runner keeps per connection: written on every poll, never an event."""

    __tablename__ = "integration_status"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    integration_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(32), default="ok")
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lag_s: Mapped[float | None] = mapped_column(Float)
    cursor: Mapped[dict[str, Any] | None] = mapped_column()
    records_total: Mapped[int] = mapped_column(BigInteger, default=0)
    skipped_total: Mapped[int] = mapped_column(BigInteger, default=0)
    records_last_hour: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    leased_by: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
