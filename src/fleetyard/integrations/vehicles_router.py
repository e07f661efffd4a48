"""A connection's vendor vehicles: which are matched to ours, and matching one by hand."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.devices.schemas import DeviceUpdate
from fleetyard.devices.service import DeviceService
from fleetyard.errors import NotFound, PermissionDenied, ValidationFailed, responses
from fleetyard.integrations.matching import Match
from fleetyard.integrations.providers.base import VendorVehicle
from fleetyard.integrations.vendor_vehicles import (
    VendorVehicleRepository,
    VendorVehicleRow,
    link_device,
)
from fleetyard.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page
from fleetyard.kit.schemas import ReadSchema, Schema

router = APIRouter(prefix="/integrations", tags=["integrations"])
Manager = Annotated[Principal, Depends(require(Permission.INTEGRATIONS_MANAGE))]
VendorId = Annotated[str, Path(min_length=1, max_length=200)]


class IntegrationVehicle(ReadSchema):
    """A vehicle as the vendor knows it, and ours once matched."""

    vendor_id: str
    name: str | None
    vin: str | None
    serial: str | None
    plate: str | None
    device_id: uuid.UUID | None
    vehicle_id: uuid.UUID | None
    matched_by: str | None
    last_seen_at: datetime


class VehicleMatch(Schema):
    vehicle_id: uuid.UUID


def _read(row: VendorVehicleRow) -> IntegrationVehicle:
    return IntegrationVehicle(
        vendor_id=row.vendor_id,
        name=row.name,
        vin=row.vin,
        serial=row.serial,
        plate=row.plate,
        device_id=row.device_id,
        vehicle_id=row.vehicle_id,
        matched_by=row.matched_by,
        last_seen_at=row.last_seen_at,
    )


async def _repository(
    session: AsyncSession, actor: Principal, integration_id: uuid.UUID
) -> VendorVehicleRepository:
    repository = VendorVehicleRepository(session, actor.tenant_id)
    if not await repository.integration_exists(integration_id):
        raise NotFound()
    return repository


@router.get(
    "/{integration_id}/vehicles",
    response_model=Page[IntegrationVehicle],
    responses=responses(PermissionDenied, NotFound),
)
async def list_integration_vehicles(
    integration_id: uuid.UUID,
    session: DbSession,
    actor: Manager,
    unmatched: bool = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Page[IntegrationVehicle]:
    """The vehicles the vendor listed or sent, by vendor id; ``unmatched=true`` for those
    waiting for a person to match them."""
    repository = await _repository(session, actor, integration_id)
    rows = await repository.list_by_integration(
        integration_id, unmatched_only=unmatched, after=cursor, limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page[IntegrationVehicle](
        items=[_read(row) for row in rows], next_cursor=rows[-1].vendor_id if more else None
    )


@router.post(
    "/{integration_id}/vehicles/{vendor_id}/match",
    response_model=IntegrationVehicle,
    responses=responses(PermissionDenied, NotFound),
)
async def match_integration_vehicle(
    integration_id: uuid.UUID,
    vendor_id: VendorId,
    body: VehicleMatch,
    session: DbSession,
    actor: Manager,
) -> IntegrationVehicle:
    """Match a vendor vehicle to one of ours: its positions flow to that vehicle from now on
    (its device is made, or moved to the vehicle)."""
    repository = await _repository(session, actor, integration_id)
    found = await repository.list_by_integration(integration_id, vendor_id=vendor_id, limit=1)
    if not found:
        raise NotFound()
    if not await repository.vehicle_exists(body.vehicle_id):
        raise ValidationFailed("No such vehicle in this tenant.", details={"field": "vehicle_id"})
    row = found[0]
    if row.device_id is not None:
        await DeviceService(session, actor).update(
            row.device_id, DeviceUpdate(vehicle_id=body.vehicle_id), None
        )
        await repository.link(integration_id, vendor_id, row.device_id, "person")
    else:
        provider = await repository.provider_of(integration_id)
        vendor = VendorVehicle(row.vendor_id, row.name, row.vin, row.serial, row.plate)
        linked = await link_device(
            session,
            actor.tenant_id,
            integration_id,
            provider,
            vendor,
            Match(body.vehicle_id, "person"),
        )
        if linked is None:
            raise ValidationFailed("This vendor vehicle can't be given a device.")
    (updated,) = await repository.list_by_integration(integration_id, vendor_id=vendor_id, limit=1)
    return _read(updated)
