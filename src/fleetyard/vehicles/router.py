from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import (
    AlreadyExists,
    Conflict,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    VersionConflict,
    responses,
)
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT
from fleetyard.vehicles.schemas import (
    FuelType,
    Vehicle,
    VehicleCreate,
    VehiclePage,
    VehicleStatusState,
    VehicleType,
    VehicleUpdate,
    vehicle_from_row,
    vehicle_out,
    vehicle_page,
)
from fleetyard.vehicles.service import VehicleFilters, VehicleService

router = APIRouter(prefix="/vehicles", tags=["vehicles"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]


# Each route returns its response_model's own type, validated once from rows; FastAPI sees
# the instance and only serializes it (no second validation).
@router.get("", response_model=VehiclePage, responses=responses(PermissionDenied))
async def list_vehicles(
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_READ))],
    status: VehicleStatusState | None = None,
    group_id: uuid.UUID | None = None,
    type: VehicleType | None = None,
    fuel_type: FuelType | None = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Search plate, name, VIN, make, model")
    ] = None,
    sort: Annotated[
        str, Query(max_length=32, description="Field, '-' prefix for descending")
    ] = "id",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> VehiclePage:
    filters = VehicleFilters(
        status=status,
        group_id=group_id,
        type=type.value if type else None,
        fuel_type=fuel_type.value if fuel_type else None,
        tag=tag,
        q=q,
    )
    rows, next_cursor = await VehicleService(session, actor).list(
        filters, sort=sort, cursor=cursor, limit=limit
    )
    return vehicle_page(rows, next_cursor)


@router.post(
    "",
    response_model=Vehicle,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, AlreadyExists, LimitExceeded),
)
async def create_vehicle(
    body: VehicleCreate,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_CREATE))],
) -> Vehicle:
    return vehicle_out(await VehicleService(session, actor).create(body))


@router.get(
    "/{vehicle_id}", response_model=Vehicle, responses=responses(PermissionDenied, NotFound)
)
async def get_vehicle(
    vehicle_id: uuid.UUID,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_READ))],
) -> Vehicle:
    return vehicle_from_row(await VehicleService(session, actor).get_row(vehicle_id))


@router.patch(
    "/{vehicle_id}",
    response_model=Vehicle,
    responses=responses(
        PermissionDenied, NotFound, VersionConflict, AlreadyExists, PreconditionInvalid
    ),
)
async def update_vehicle(
    vehicle_id: uuid.UUID,
    body: VehicleUpdate,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_UPDATE))],
    if_match: IfMatch,
) -> Vehicle:
    return vehicle_out(await VehicleService(session, actor).update(vehicle_id, body, if_match))


@router.delete(
    "/{vehicle_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, Conflict, PreconditionInvalid),
)
async def delete_vehicle(
    vehicle_id: uuid.UUID,
    session: DbSession,
    actor: Annotated[Principal, Depends(require(Permission.VEHICLES_DELETE))],
    if_match: IfMatch,
) -> Response:
    await VehicleService(session, actor).delete(vehicle_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
