"""The API's shapes for failure predictions (stable: the web's risk panel reads them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from fleetyard.predictions.predict import risk_of

PredictedComponent = Literal[
    "battery", "brakes", "engine_cooling", "tyres", "engine", "transmission", "electrical", "other"
]


class PredictionDriver(BaseModel):
    feature: str = Field(description="Feature name, e.g. crank_v_trend_30d")
    label: str = Field(description="What it is, in words")
    value: float | str
    unit: str
    effect: Literal["raises", "lowers"] = Field(description="Raises or lowers the risk")
    weight: float = Field(description="Its share of the log relative risk (signed)")


class Prediction(BaseModel):
    vehicle_id: uuid.UUID
    vehicle_label: str
    component: str
    probability_30d: float = Field(ge=0, le=1, description="Chance of failure within 30 days")
    risk: Literal["low", "medium", "high"] = Field(description="medium ≥ 0.1, high ≥ 0.3")
    days_to_failure: int | None = Field(
        description="Median days to failure; null: beyond the 365-day horizon (or unknown)"
    )
    days_to_failure_low: int | None = Field(description="10 % chance of failing before this")
    days_to_failure_high: int | None = Field(
        description="90 % chance of failing before this; null: beyond the horizon"
    )
    recommended_action: str
    confidence: float = Field(
        ge=0, le=1, description="Share of features observed × how much the model knows this fleet"
    )
    drivers: list[PredictionDriver]
    source: Literal["prior", "tenant", "blended", "dtc"] = Field(
        description="Population prior, the tenant's own fit, a blend, or an active DTC alone"
    )
    model_version: int | None = Field(description="Null: the population prior")
    dtc_code: str | None = None
    computed_at: datetime


class VehiclePredictions(BaseModel):
    vehicle_id: uuid.UUID
    items: list[Prediction]


class PredictionPage(BaseModel):
    items: list[Prediction]
    next_cursor: str | None = None


class PredictionModelOut(BaseModel):
    version: int
    status: Literal["active", "retired", "failed"]
    trained_at: datetime
    metrics: dict[str, Any] = Field(
        description="Per component: source, failures, c_index, brier_30d, samples, weight"
    )
    error: str | None = None


class RetrainOut(BaseModel):
    version: int
    status: Literal["active", "failed"]
    metrics: dict[str, Any]
    error: str | None = None
    predictions: int = Field(description="Predictions stored after the retrain")


def prediction_of(row: dict[str, Any]) -> Prediction:
    p = float(row["probability_30d"])
    return Prediction(
        vehicle_id=row["vehicle_id"],
        vehicle_label=row["vehicle_label"],
        component=row["component"],
        probability_30d=p,
        risk=risk_of(p),
        days_to_failure=row["days_to_failure"],
        days_to_failure_low=row["days_low"],
        days_to_failure_high=row["days_high"],
        recommended_action=row["recommended_action"],
        confidence=float(row["confidence"]),
        drivers=[PredictionDriver.model_validate(d) for d in row["drivers"] or []],
        source=row["source"],
        model_version=row["model_version"],
        dtc_code=row["dtc_code"],
        computed_at=row["computed_at"],
    )
