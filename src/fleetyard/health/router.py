from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import NotFound, PermissionDenied, responses
from fleetyard.health.schemas import VehicleHealth
from fleetyard.health.service import HealthService

router = APIRouter(prefix="/vehicles", tags=["health"])


@router.get(
    "/{vehicle_id}/health",
    response_model=VehicleHealth,
    responses=responses(PermissionDenied, NotFound),
)
async def get_vehicle_health(
    vehicle_id: uuid.UUID,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_READ))],
) -> VehicleHealth:
    """A 0–100 score over the last 7 days: every point lost with its reason and evidence,
    and what to do about it."""
    return await HealthService(session, actor).for_vehicle(vehicle_id)
