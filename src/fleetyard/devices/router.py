"""Devices: trackers and phones that report positions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.devices.schemas import Device, DeviceCreate, DeviceProtocol, DeviceUpdate
from fleetyard.devices.service import DeviceAlreadyRegistered, DeviceFilters, DeviceService
from fleetyard.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionInvalid,
    VersionConflict,
    responses,
)
from fleetyard.kit.http import parse_if_match
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page

router = APIRouter(prefix="/devices", tags=["devices"])
IfMatch = Annotated[int | None, Depends(parse_if_match)]
Reader = Annotated[Principal, Depends(require(Permission.DEVICES_READ))]
Writer = Annotated[Principal, Depends(require(Permission.DEVICES_WRITE))]


@router.get("", response_model=Page[Device], responses=responses(PermissionDenied))
async def list_devices(
    session: DbSession,
    actor: Reader,
    protocol: DeviceProtocol | None = None,
    vehicle_id: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Search id, name, phone")] = None,
    sort: Annotated[
        str, Query(max_length=32, description="unique_id, name, created_at or id; '-' descends")
    ] = "unique_id",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[Device]:
    filters = DeviceFilters(
        protocol=protocol.value if protocol else None, vehicle_id=vehicle_id, q=q
    )
    items, next_cursor = await DeviceService(session, actor).list(
        filters, sort=sort, cursor=cursor, limit=limit
    )
    return Page[Device](items=[Device.model_validate(d) for d in items], next_cursor=next_cursor)


@router.post(
    "",
    response_model=Device,
    status_code=status.HTTP_201_CREATED,
    responses=responses(PermissionDenied, DeviceAlreadyRegistered, Conflict),
)
async def create_device(body: DeviceCreate, session: DbSession, actor: Writer) -> Device:
    """Register a device. Its ``unique_id`` must be free on the whole platform."""
    return Device.model_validate(await DeviceService(session, actor).create(body))


@router.get("/{device_id}", response_model=Device, responses=responses(PermissionDenied, NotFound))
async def get_device(device_id: uuid.UUID, session: DbSession, actor: Reader) -> Device:
    return Device.model_validate(await DeviceService(session, actor).get(device_id))


@router.patch(
    "/{device_id}",
    response_model=Device,
    responses=responses(
        PermissionDenied,
        NotFound,
        VersionConflict,
        DeviceAlreadyRegistered,
        Conflict,
        PreconditionInvalid,
    ),
)
async def update_device(
    device_id: uuid.UUID, body: DeviceUpdate, session: DbSession, actor: Writer, if_match: IfMatch
) -> Device:
    return Device.model_validate(
        await DeviceService(session, actor).update(device_id, body, if_match)
    )


@router.delete(
    "/{device_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(PermissionDenied, NotFound, VersionConflict, Conflict, PreconditionInvalid),
)
async def delete_device(
    device_id: uuid.UUID, session: DbSession, actor: Writer, if_match: IfMatch
) -> Response:
    """Unregister a device; its ``unique_id`` becomes free for any tenant."""
    await DeviceService(session, actor).delete(device_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
