"""Per-tenant limits on route plans, and the process's solver settings.

A tenant's limits are ``tenants.route_plan_limits`` (JSON); a key left out means the default
below. The ceilings in ``routing.schemas`` hold whatever a tenant's limits say."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.routing.schemas import (
    HARD_MAX_JOBS,
    HARD_MAX_TIME_LIMIT_S,
    HARD_MAX_VEHICLES,
)

DEFAULT_MAX_JOBS: Final = 2_000
DEFAULT_MAX_VEHICLES: Final = 200
DEFAULT_MAX_TIME_LIMIT_S: Final = 300
DEFAULT_MAX_CONCURRENT: Final = 3


class RoutingSettings(BaseSettings):
    """The solver workers of this process (env prefix ``FLEETYARD_ROUTING_``)."""

    model_config = SettingsConfigDict(env_prefix="FLEETYARD_ROUTING_", extra="ignore", frozen=True)

    enabled: bool = True
    solvers: int = Field(default=1, ge=1, le=64)  # solves at once in this process
    poll_interval_s: float = Field(default=5.0, gt=0, le=300)  # besides NOTIFY
    heartbeat_s: float = Field(default=1.0, gt=0, le=60)  # also how soon a cancel is seen
    stale_after_s: float = Field(default=30.0, gt=0, le=3600)  # a dead worker's plan requeued
    max_attempts: int = Field(default=3, ge=1, le=10)  # requeued that often, then failed
    grace_s: float = Field(default=30.0, gt=0, le=600)  # past the time limit: killed


@lru_cache
def routing_settings() -> RoutingSettings:
    return RoutingSettings()


@dataclass(frozen=True, slots=True)
class PlanLimits:
    max_jobs: int = DEFAULT_MAX_JOBS
    max_vehicles: int = DEFAULT_MAX_VEHICLES
    max_time_limit_s: int = DEFAULT_MAX_TIME_LIMIT_S
    max_concurrent: int = DEFAULT_MAX_CONCURRENT

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> PlanLimits:
        raw = raw or {}

        def pick(key: str, default: int, ceiling: int) -> int:
            value = raw.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                return min(value, ceiling)
            return default

        return cls(
            max_jobs=pick("max_jobs", DEFAULT_MAX_JOBS, HARD_MAX_JOBS),
            max_vehicles=pick("max_vehicles", DEFAULT_MAX_VEHICLES, HARD_MAX_VEHICLES),
            max_time_limit_s=pick(
                "max_time_limit_s", DEFAULT_MAX_TIME_LIMIT_S, HARD_MAX_TIME_LIMIT_S
            ),
            max_concurrent=pick("max_concurrent", DEFAULT_MAX_CONCURRENT, 100),
        )


async def limits_for(session: AsyncSession, tenant_id: uuid.UUID) -> PlanLimits:
    raw = await session.scalar(
        text("select route_plan_limits from tenants where id = :id"), {"id": tenant_id}
    )
    return PlanLimits.from_json(raw if isinstance(raw, dict) else None)
