from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class HealthWindow(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: datetime = Field(alias="from")
    to: datetime


class HealthDeduction(BaseModel):
    code: str
    reason: str
    points: int = Field(description="Points taken off the score (positive).")
    evidence: dict[str, Any]


class HealthRecommendation(BaseModel):
    code: str
    message: str


class VehicleHealth(BaseModel):
    vehicle_id: uuid.UUID
    score: int = Field(ge=0, le=100)
    window: HealthWindow
    deductions: list[HealthDeduction]
    recommendations: list[HealthRecommendation]
