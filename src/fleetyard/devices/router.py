"""Devices: trackers and phones that report positions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.devices.commands import (
    CommandNotSupported,
    DeviceCommand,
    DeviceCommandResult,
    DeviceCommandService,
    DeviceNotConnected,
    DeviceTimeout,
    command_timeout,
    live_gateway,
)
from fleetyard.devices.schemas import (
    Device,
    DeviceCreate,
    DeviceProtocol,
    DeviceUpdate,
    UniqueId,
)
from fleetyard.devices.service import (
    DeviceAlreadyRegistered,
    DeviceFilters,
    DeviceManagedByIntegration,
    DeviceService,
)
from fleetyard.devices.unknown import UnknownDeviceClaim, UnknownDeviceOut, UnknownDeviceService
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
from fleetyard.telematics.gateway.server import Gateway

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
    responses=responses(
        PermissionDenied, DeviceAlreadyRegistered, Conflict, DeviceManagedByIntegration
    ),
)
async def create_device(body: DeviceCreate, session: DbSession, actor: Writer) -> Device:
    """Register a device. Its ``unique_id`` must be free on the whole platform. Devices of
    the integrations' protocols (``geotab``, ``samsara``, ``verizon_connect``, ``mqtt``) are
    made by their integration when it matches a vendor vehicle: 422
    ``device_managed_by_integration`` here."""
    return Device.model_validate(await DeviceService(session, actor).create(body))


# Declared before "/{device_id}", which would otherwise take "unknown" for a malformed id.
@router.get(
    "/unknown", response_model=list[UnknownDeviceOut], responses=responses(PermissionDenied)
)
async def list_unknown_devices(
    session: DbSession,
    actor: Writer,
    days: Annotated[int, Query(ge=1, le=30, description="Seen within this many days")] = 7,
    q: Annotated[str | None, Query(max_length=64, description="Part of the unique id")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> list[UnknownDeviceOut]:
    """Hardware ids that connected recently without being registered, latest first."""
    rows = await UnknownDeviceService(session, actor).list_recent(days=days, q=q, limit=limit)
    return [UnknownDeviceOut.model_validate(row) for row in rows]


@router.post(
    "/unknown/{unique_id}/claim",
    response_model=Device,
    status_code=status.HTTP_201_CREATED,
    responses=responses(
        PermissionDenied, NotFound, DeviceAlreadyRegistered, Conflict, DeviceManagedByIntegration
    ),
)
async def claim_unknown_device(
    unique_id: UniqueId, body: UnknownDeviceClaim, session: DbSession, actor: Writer
) -> Device:
    """Register an unknown device in this tenant (its protocol as seen, unless given)."""
    return Device.model_validate(await UnknownDeviceService(session, actor).claim(unique_id, body))


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
        DeviceManagedByIntegration,
    ),
)
async def update_device(
    device_id: uuid.UUID, body: DeviceUpdate, session: DbSession, actor: Writer, if_match: IfMatch
) -> Device:
    """Change a device. An integration's device keeps the ``unique_id`` and ``protocol`` its
    integration gave it (422 ``device_managed_by_integration``); its name, SIM and vehicle can
    change."""
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


@router.post(
    "/{device_id}/commands",
    response_model=DeviceCommandResult,
    responses=responses(
        PermissionDenied, NotFound, CommandNotSupported, DeviceNotConnected, DeviceTimeout
    ),
)
async def send_device_command(
    device_id: uuid.UUID,
    body: DeviceCommand,
    session: DbSession,
    actor: Writer,
    gateway: Annotated[Gateway | None, Depends(live_gateway)],
    timeout_s: Annotated[float, Depends(command_timeout)],
) -> DeviceCommandResult:
    """Send a text command (Teltonika Codec 12) to a connected device and return its answer."""
    service = DeviceCommandService(session, actor, gateway, timeout_s=timeout_s)
    return await service.send(device_id, body.command)
