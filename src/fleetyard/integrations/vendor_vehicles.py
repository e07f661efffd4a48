"""A connection's vendor vehicles: kept in ``integration_vehicles``, matched to ours, and given
a device through the devices service (so the device is an ordinary record with its event).

Runs in one tenant's transaction on the app role (the caller sets the tenant), so row-level
security holds here as everywhere.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.devices.schemas import DeviceCreate, DeviceProtocol
from fleetyard.devices.service import DeviceService
from fleetyard.errors import FleetyardError
from fleetyard.integrations.matching import Match, Matcher, OurVehicle, device_unique_id
from fleetyard.integrations.providers.base import VendorVehicle
from fleetyard.kit.ids import TenantId

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VendorVehicleRow:
    vendor_id: str
    name: str | None
    vin: str | None
    serial: str | None
    plate: str | None
    device_id: uuid.UUID | None
    vehicle_id: uuid.UUID | None
    matched_by: str | None
    last_seen_at: datetime


def _cut(value: str | None, length: int) -> str | None:
    return None if value is None else value[:length]


class VendorVehicleRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def upsert_seen(
        self, integration_id: uuid.UUID, vehicles: Iterable[VendorVehicle]
    ) -> None:
        rows = [
            {
                "tenant_id": self.tenant_id,
                "integration_id": integration_id,
                "vendor_id": v.vendor_id[:200],
                "name": _cut(v.name, 200),
                "vin": _cut(v.vin, 32),
                "serial": _cut(v.serial, 100),
                "plate": _cut(v.plate, 40),
            }
            for v in vehicles
        ]
        if not rows:
            return
        await self.session.execute(
            text(
                """
                insert into integration_vehicles
                    (tenant_id, integration_id, vendor_id, name, vin, serial, plate)
                values (:tenant_id, :integration_id, :vendor_id, :name, :vin, :serial, :plate)
                on conflict (tenant_id, integration_id, vendor_id) do update set
                    name = coalesce(excluded.name, integration_vehicles.name),
                    vin = coalesce(excluded.vin, integration_vehicles.vin),
                    serial = coalesce(excluded.serial, integration_vehicles.serial),
                    plate = coalesce(excluded.plate, integration_vehicles.plate),
                    last_seen_at = now()
                """
            ),
            rows,
        )

    async def integration_exists(self, integration_id: uuid.UUID) -> bool:
        found = await self.session.scalar(
            text("select 1 from integrations where tenant_id = :tenant_id and id = :id"),
            {"tenant_id": self.tenant_id, "id": integration_id},
        )
        return found is not None

    async def provider_of(self, integration_id: uuid.UUID) -> str:
        provider: str = await self.session.scalar(
            text("select provider from integrations where tenant_id = :tenant_id and id = :id"),
            {"tenant_id": self.tenant_id, "id": integration_id},
        )
        return provider

    async def vehicle_exists(self, vehicle_id: uuid.UUID) -> bool:
        found = await self.session.scalar(
            text("select 1 from vehicles where tenant_id = :tenant_id and id = :id"),
            {"tenant_id": self.tenant_id, "id": vehicle_id},
        )
        return found is not None

    async def list_by_integration(
        self,
        integration_id: uuid.UUID,
        *,
        unmatched_only: bool = False,
        after: str | None = None,
        vendor_id: str | None = None,
        limit: int | None = None,
    ) -> list[VendorVehicleRow]:
        result = await self.session.execute(
            text(
                """
                select iv.vendor_id, iv.name, iv.vin, iv.serial, iv.plate, iv.device_id,
                       d.vehicle_id, iv.matched_by, iv.last_seen_at
                  from integration_vehicles iv
                  left join devices d on d.tenant_id = iv.tenant_id and d.id = iv.device_id
                 where iv.tenant_id = :tenant_id and iv.integration_id = :integration_id
                   and (not :unmatched_only or iv.device_id is null)
                   and (cast(:after as text) is null or iv.vendor_id > :after)
                   and (cast(:vendor_id as text) is null or iv.vendor_id = :vendor_id)
                 order by iv.vendor_id
                 limit :limit
                """
            ),
            {
                "tenant_id": self.tenant_id,
                "integration_id": integration_id,
                "unmatched_only": unmatched_only,
                "after": after,
                "vendor_id": vendor_id,
                "limit": limit,
            },
        )
        return [VendorVehicleRow(*row) for row in result.all()]

    async def our_vehicles(self) -> list[OurVehicle]:
        result = await self.session.execute(
            text("select id, vin, name, plate from vehicles where tenant_id = :tenant_id"),
            {"tenant_id": self.tenant_id},
        )
        return [OurVehicle(*row) for row in result.all()]

    async def device_id_by_unique_id(self, unique_id: str) -> uuid.UUID | None:
        found: uuid.UUID | None = await self.session.scalar(
            text("select id from devices where tenant_id = :tenant_id and unique_id = :unique_id"),
            {"tenant_id": self.tenant_id, "unique_id": unique_id},
        )
        return found

    async def link(
        self, integration_id: uuid.UUID, vendor_id: str, device_id: uuid.UUID, matched_by: str
    ) -> None:
        await self.session.execute(
            text(
                """
                update integration_vehicles set device_id = :device_id, matched_by = :matched_by
                 where tenant_id = :tenant_id and integration_id = :integration_id
                   and vendor_id = :vendor_id
                """
            ),
            {
                "tenant_id": self.tenant_id,
                "integration_id": integration_id,
                "vendor_id": vendor_id[:200],
                "device_id": device_id,
                "matched_by": matched_by,
            },
        )


async def sync_vendor_vehicles(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    integration_id: uuid.UUID,
    provider: str,
    vehicles: Sequence[VendorVehicle],
) -> list[str]:
    """Remember the vendor's vehicles and match the unmatched ones; answers the device ids
    (``unique_id``) newly linked, so the caller can forget cached misses for them."""
    repository = VendorVehicleRepository(session, tenant_id)
    await repository.upsert_seen(integration_id, vehicles)
    unmatched = await repository.list_by_integration(integration_id, unmatched_only=True)
    if not unmatched:
        return []
    matcher = Matcher(await repository.our_vehicles())
    linked: list[str] = []
    for row in unmatched:
        vendor = VendorVehicle(row.vendor_id, row.name, row.vin, row.serial, row.plate)
        found = matcher.match(vendor)
        if found is None:
            continue
        unique_id = await link_device(session, tenant_id, integration_id, provider, vendor, found)
        if unique_id is not None:
            linked.append(unique_id)
    return linked


async def link_device(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    integration_id: uuid.UUID,
    provider: str,
    vendor: VendorVehicle,
    found: Match,
) -> str | None:
    """Our device for the vendor vehicle, on the matched vehicle: created through the devices
    service (its event written), or the one made before a crash reused."""
    repository = VendorVehicleRepository(session, tenant_id)
    unique_id = device_unique_id(provider, integration_id, vendor.vendor_id)
    device_id = await repository.device_id_by_unique_id(unique_id)
    if device_id is None:
        try:
            data = DeviceCreate(
                unique_id=unique_id,
                protocol=DeviceProtocol(provider),  # each provider's name is a protocol
                name=_device_name(provider, vendor),
                vehicle_id=found.vehicle_id,
            )
            async with session.begin_nested():
                device = await DeviceService(session, Principal.system(TenantId(tenant_id))).create(
                    data, by_integration=True
                )
        except (ValidationError, FleetyardError):
            log.warning(
                "vendor vehicle not linked",
                exc_info=True,
                extra={"integration": str(integration_id), "vendor_id": vendor.vendor_id[:200]},
            )
            return None
        device_id = device.id
    await repository.link(integration_id, vendor.vendor_id, device_id, found.by)
    return unique_id


def _device_name(provider: str, vendor: VendorVehicle) -> str:
    label = (vendor.name or vendor.serial or vendor.vendor_id).strip() or vendor.vendor_id
    return f"{label} ({provider})"[:200]
