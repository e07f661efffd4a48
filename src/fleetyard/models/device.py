from __future__ import annotations

import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned, TimestampMixin


class Device(TenantOwned, Base):
    __tablename__ = "devices"

    unique_id: Mapped[str] = mapped_column(String(64))
    protocol: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column()


class DeviceIdentity(TimestampMixin, Base):
    """Which tenant owns a hardware id. A frame arrives before we know its tenant, so this
    platform-wide unique table (a Citus reference table) answers "whose device is this?"."""

    __tablename__ = "device_identities"

    unique_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column()
    device_id: Mapped[uuid.UUID] = mapped_column()
