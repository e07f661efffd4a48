"""Vehicle health over the last 7 days: measure in SQL, score in pure code
(:mod:`fleetyard.health.score` documents the formula)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.errors import NotFound
from fleetyard.health.repository import HealthRepository, Window
from fleetyard.health.schemas import (
    HealthDeduction,
    HealthRecommendation,
    HealthWindow,
    VehicleHealth,
)
from fleetyard.health.score import health_score

WINDOW = timedelta(days=7)


class HealthService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.repo = HealthRepository(session, actor.tenant_id)

    async def for_vehicle(
        self, vehicle_id: uuid.UUID, now: datetime | None = None
    ) -> VehicleHealth:
        if not await self.repo.vehicle_exists(vehicle_id):
            raise NotFound(
                "No such vehicle.", details={"entity_type": "vehicle", "id": str(vehicle_id)}
            )
        end = now or datetime.now(UTC)
        window = Window(end - WINDOW, end)
        alerts = await self.repo.open_alerts(vehicle_id)
        stats = await self.repo.driving_stats(vehicle_id, window)
        result = health_score(alerts, stats)
        return VehicleHealth(
            vehicle_id=vehicle_id,
            score=result.score,
            window=HealthWindow(from_=window.start, to=window.end),
            deductions=[HealthDeduction(**asdict(d)) for d in result.deductions],
            recommendations=[HealthRecommendation(**asdict(r)) for r in result.recommendations],
        )
