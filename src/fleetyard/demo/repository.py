"""What a tenant already holds, by the natural keys the demo plan uses: the seeding creates
only what is missing, so a second run duplicates nothing."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.devices.schemas import INTEGRATION_PROTOCOLS
from fleetyard.kit.ids import TenantId
from fleetyard.models import AlertRule, Device, Driver, Group, Integration, Reservation, Vehicle
from fleetyard.models.geofence import Geofence


class ExistingRecords:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def group_ids_by_name(self) -> dict[str, uuid.UUID]:
        """Keyed by the lower-case name: group names are unique regardless of case."""
        rows = await self.session.execute(
            select(Group.name, Group.id).where(Group.tenant_id == self.tenant_id)
        )
        return {name.lower(): group_id for name, group_id in rows}

    async def vehicle_ids_by_vin(self) -> dict[str, uuid.UUID]:
        rows = await self.session.execute(
            select(Vehicle.vin, Vehicle.id).where(
                Vehicle.tenant_id == self.tenant_id, Vehicle.vin.is_not(None)
            )
        )
        return {vin: vehicle_id for vin, vehicle_id in rows if vin is not None}

    async def driver_ids_by_licence(self) -> dict[str, uuid.UUID]:
        rows = await self.session.execute(
            select(Driver.licence_number, Driver.id).where(
                Driver.tenant_id == self.tenant_id, Driver.licence_number.is_not(None)
            )
        )
        return {number: driver_id for number, driver_id in rows if number is not None}

    async def devices_by_unique_id(self) -> dict[str, tuple[uuid.UUID, uuid.UUID | None]]:
        """Hardware id → (device id, vehicle id), of the devices a person registers (an
        integration's devices are its own: the seeding never swaps or counts them)."""
        made_by_integrations = [p.value for p in INTEGRATION_PROTOCOLS]
        rows = await self.session.execute(
            select(Device.unique_id, Device.id, Device.vehicle_id).where(
                Device.tenant_id == self.tenant_id,
                Device.protocol.not_in(made_by_integrations),
            )
        )
        return {unique_id: (device_id, vehicle_id) for unique_id, device_id, vehicle_id in rows}

    async def integrations_by_name(self) -> dict[str, Integration]:
        """Keyed by the lower-case name: integration names are unique regardless of case."""
        rows = await self.session.execute(
            select(Integration).where(Integration.tenant_id == self.tenant_id)
        )
        return {integration.name.lower(): integration for integration in rows.scalars()}

    async def reserved_vehicle_ids(self) -> set[uuid.UUID]:
        """Vehicles with any reservation at all (whatever its status)."""
        rows = await self.session.execute(
            select(Reservation.vehicle_id).where(Reservation.tenant_id == self.tenant_id).distinct()
        )
        return set(rows.scalars())

    async def names_in_use(self, model: type[AlertRule] | type[Geofence]) -> set[str]:
        """The names of the tenant's alert rules or geofences, lower-case (the seeding matches
        its plans by name, whatever the case)."""
        rows = await self.session.execute(
            select(model.name).where(model.tenant_id == self.tenant_id)
        )
        return {name.lower() for name in rows.scalars()}
