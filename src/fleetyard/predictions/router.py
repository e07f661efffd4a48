from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import NotFound, PermissionDenied, ValidationFailed, responses
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor
from fleetyard.predictions.repository import FleetFilters
from fleetyard.predictions.schemas import (
    PredictedComponent,
    PredictionModelOut,
    PredictionPage,
    RetrainOut,
    VehiclePredictions,
    prediction_of,
)
from fleetyard.predictions.service import PredictionService, utc_now

router = APIRouter(tags=["predictions"])
Reader = Annotated[Principal, Depends(require(Permission.VEHICLES_READ))]
Manager = Annotated[Principal, Depends(require(Permission.TENANT_MANAGE))]


@router.get(
    "/vehicles/{vehicle_id}/predictions",
    response_model=VehiclePredictions,
    responses=responses(PermissionDenied, NotFound),
)
async def get_vehicle_predictions(
    vehicle_id: uuid.UUID, session: DbSession, actor: Reader
) -> VehiclePredictions:
    """Per component (battery, brakes, engine cooling, and any named by an active DTC): the
    chance of failure within 30 days, days to failure with an 80 % interval, the action,
    the confidence and the features that drove it. A vehicle not refreshed yet is predicted
    now (the population prior where the tenant has no model)."""
    rows = await PredictionService(session, actor.tenant_id).of_vehicle(vehicle_id, utc_now())
    return VehiclePredictions(vehicle_id=vehicle_id, items=[prediction_of(r) for r in rows])


@router.get(
    "/predictions",
    response_model=PredictionPage,
    responses=responses(PermissionDenied, ValidationFailed),
)
async def list_predictions(
    session: DbSession,
    actor: Reader,
    component: PredictedComponent | None = None,
    min_probability: Annotated[float, Query(ge=0, le=1)] = 0.0,
    group_id: uuid.UUID | None = None,
    vehicle_id: uuid.UUID | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> PredictionPage:
    """The fleet's predictions ranked by risk (30-day probability, highest first), as of the
    last refresh (after each retrain)."""
    after = None
    if cursor:
        value, last_id = decode_cursor(cursor)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValidationFailed("Malformed cursor.", details={"cursor": cursor[:100]})
        after = (float(value), last_id)
    filters = FleetFilters(component, min_probability, group_id, vehicle_id)
    rows = await PredictionService(session, actor.tenant_id).fleet(filters, after, limit + 1)
    items = [prediction_of(dict(r._mapping)) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(float(last.probability_30d), last.id)
    return PredictionPage(items=items, next_cursor=next_cursor)


@router.get(
    "/predictions/models",
    response_model=list[PredictionModelOut],
    responses=responses(PermissionDenied),
)
async def list_prediction_models(
    session: DbSession, actor: Reader, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[PredictionModelOut]:
    """Every retrain, the latest first: version, status, evaluation (C-index, Brier) or error."""
    rows = await PredictionService(session, actor.tenant_id).models(limit)
    return [PredictionModelOut.model_validate(dict(r._mapping)) for r in rows]


@router.post(
    "/predictions/retrain",
    response_model=RetrainOut,
    responses=responses(PermissionDenied),
)
async def retrain_predictions(session: DbSession, actor: Manager) -> RetrainOut:
    """Retrain on the tenant's history now and refresh its predictions. A retrain that fails
    is recorded with its error and the active model stays."""
    service = PredictionService(session, actor.tenant_id)
    now = utc_now()
    result = await service.retrain(now)
    stored = await service.refresh(now)
    return RetrainOut(
        version=result.version,
        status=result.status,
        metrics=result.metrics,
        error=result.error,
        predictions=stored,
    )
