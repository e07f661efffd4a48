from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Boolean, DateTime, Double, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.models.base import Base, TenantOwned


class Geofence(TenantOwned, Base):
    """A circle (GeoJSON Point + radius) or polygon a vehicle enters and leaves, for all
    vehicles or some groups', with an optional speed limit, active hours and dwell time."""

    __tablename__ = "geofences"

    name: Mapped[str] = mapped_column(String(200))
    colour: Mapped[str] = mapped_column(String(7))
    shape: Mapped[str] = mapped_column(String(16))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSONB)
    radius_m: Mapped[float | None] = mapped_column(Double)
    area_m2: Mapped[float] = mapped_column(Double)
    min_latitude: Mapped[float] = mapped_column(Double)
    min_longitude: Mapped[float] = mapped_column(Double)
    max_latitude: Mapped[float] = mapped_column(Double)
    max_longitude: Mapped[float] = mapped_column(Double)
    all_vehicles: Mapped[bool] = mapped_column(Boolean, default=True)
    group_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)), default=list)
    speed_limit_kmh: Mapped[int | None] = mapped_column(Integer)
    active_hours: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    dwell_minutes: Mapped[int | None] = mapped_column(Integer)
    alert_on: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)


class GeofencePresence(Base):
    """A vehicle inside a geofence, as the evaluator keeps it (a row only while inside)."""

    __tablename__ = "geofence_presence"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    vehicle_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    geofence_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID | None] = mapped_column()
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_fix_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    dwell_reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    speeding_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    speeding_max_kmh: Mapped[float | None] = mapped_column(Double)
