"""Drivers: people, licences and their assigned vehicle."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.drivers.schemas import Driver, DriverCreate, DriverStatus, DriverUpdate
from fleetyard.drivers.service import DriverFilters, DriverService, VehicleAlreadyAssigned
from fleetyard.errors import (
    AlreadyExists,
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    VersionConflict,
    responses,
)
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.instants import Day
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page

router = APIRouter(prefix="/drivers", tags=["drivers"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]
Reader = Annotated[Principal, Depends(require(Permission.DRIVERS_READ))]
MAX_IDS = 100  # a page of search hits
Writer = Annotated[Principal, Depends(require(Permission.DRIVERS_WRITE))]


@router.get("", response_model=Page[Driver], responses=responses(PermissionDenied))
async def list_drivers(
    session: DbSession,
    actor: Reader,
    status: DriverStatus | None = None,
    group_id: uuid.UUID | None = None,
    assigned_vehicle_id: uuid.UUID | None = None,
    licence_expiring_before: Annotated[
        Day | None, Query(description="Licences that expire before this day")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Search name, licence number, email")
    ] = None,
    id: Annotated[
        list[uuid.UUID] | None,
        Query(max_length=MAX_IDS, description="Any of these drivers (repeat the parameter)"),
    ] = None,
    sort: Annotated[
        str,
        Query(
            max_length=32,
            description="name, licence_expiry, created_at, updated_at or id; '-' descends",
        ),
    ] = "name",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[Driver]:
    filters = DriverFilters(
        status=status.value if status else None,
        group_id=group_id,
        assigned_vehicle_id=assigned_vehicle_id,
        licence_expiring_before=licence_expiring_before,
        q=q,
        ids=frozenset(id or ()),
    )
    items, next_cursor = await DriverService(session, actor).list(
        filters, sort=sort, cursor=cursor, limit=limit
    )
    return Page[Driver](items=[Driver.model_validate(d) for d in items], next_cursor=next_cursor)


@router.post(
    "",
    response_model=Driver,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, AlreadyExists, VehicleAlreadyAssigned, Conflict),
)
async def create_driver(body: DriverCreate, session: DbSession, actor: Writer) -> Driver:
    return Driver.model_validate(await DriverService(session, actor).create(body))


@router.get("/{driver_id}", response_model=Driver, responses=responses(PermissionDenied, NotFound))
async def get_driver(driver_id: uuid.UUID, session: DbSession, actor: Reader) -> Driver:
    return Driver.model_validate(await DriverService(session, actor).get(driver_id))


@router.patch(
    "/{driver_id}",
    response_model=Driver,
    responses=responses(
        PermissionDenied,
        NotFound,
        VersionConflict,
        AlreadyExists,
        VehicleAlreadyAssigned,
        Conflict,
        PreconditionInvalid,
    ),
)
async def update_driver(
    driver_id: uuid.UUID, body: DriverUpdate, session: DbSession, actor: Writer, if_match: IfMatch
) -> Driver:
    return Driver.model_validate(
        await DriverService(session, actor).update(driver_id, body, if_match)
    )


@router.delete(
    "/{driver_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, Conflict, PreconditionInvalid),
)
async def delete_driver(
    driver_id: uuid.UUID, session: DbSession, actor: Writer, if_match: IfMatch
) -> Response:
    await DriverService(session, actor).delete(driver_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
