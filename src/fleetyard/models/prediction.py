from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Float, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from fleetyard.kit.ids import uuid7
from fleetyard.models.base import Base


class VehicleDailyTelemetry(Base):
    """One vehicle's day, aggregated: what failure prediction trains on with the work orders."""

    __tablename__ = "vehicle_daily_telemetry"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    vehicle_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    distance_km: Mapped[float] = mapped_column(Float, default=0.0)
    odometer_km: Mapped[float | None] = mapped_column(Float)
    crank_voltage_v: Mapped[float | None] = mapped_column(Float)
    coolant_max_c: Mapped[float | None] = mapped_column(Float)
    coolant_excursions: Mapped[int] = mapped_column(Integer, default=0)
    harsh_brakes: Mapped[int] = mapped_column(Integer, default=0)
    dtc_codes: Mapped[list[str]] = mapped_column(ARRAY(String(8)), default=list)


class PredictionModel(Base):
    """One retrain: its parameters per component and evaluation, or why it failed."""

    __tablename__ = "prediction_models"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # active | retired | failed
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    trained_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Prediction(Base):
    """The latest prediction for one vehicle and component."""

    __tablename__ = "predictions"

    tenant_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    vehicle_id: Mapped[uuid.UUID] = mapped_column()
    component: Mapped[str] = mapped_column(String(32))
    model_version: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    probability_30d: Mapped[float] = mapped_column(Float)
    days_to_failure: Mapped[int | None] = mapped_column(Integer)
    days_low: Mapped[int | None] = mapped_column(Integer)
    days_high: Mapped[int | None] = mapped_column(Integer)
    recommended_action: Mapped[str] = mapped_column(String(300))
    confidence: Mapped[float] = mapped_column(Float)
    drivers: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    dtc_code: Mapped[str | None] = mapped_column(String(8))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
