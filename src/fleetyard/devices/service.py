"""Device rules: a hardware id belongs to one device on the whole platform; vehicles in-tenant.

A vendor vehicle's device (protocol ``geotab``, ``samsara``, ``verizon_connect`` or ``mqtt``) is
made by its integration when the vehicle is matched, under an id the integration routes by; by
hand such a device would receive nothing, so it cannot be created, and its id and protocol
cannot be changed (its name, SIM and vehicle can).

``device_identities`` maps each hardware id to its tenant (a frame arrives before we know whose
it is). It is written in the same transaction as the device, and its primary key is what refuses
an id already registered by any tenant — without telling the caller which one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, insert, or_, update
from sqlalchemy.exc import IntegrityError

from fleetyard.devices.schemas import DeviceCreate, DeviceProtocol, DeviceUpdate
from fleetyard.errors import AlreadyExists, Conflict, ValidationFailed
from fleetyard.kit.records import RecordService
from fleetyard.kit.search import contains_pattern
from fleetyard.models import Device, DeviceIdentity, Vehicle


class DeviceAlreadyRegistered(Conflict):
    code = "device_already_registered"
    message = "A device with this unique_id is already registered."


class DeviceManagedByIntegration(ValidationFailed):
    code = "device_managed_by_integration"
    message = (
        "Geotab, Samsara, Verizon Connect and MQTT devices are made by their integration: "
        "connect the account under Integrations and match its vehicles there."
    )


@dataclass(frozen=True, slots=True)
class DeviceFilters:
    protocol: str | None = None
    vehicle_id: uuid.UUID | None = None
    q: str | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.protocol is not None:
            clauses.append(Device.protocol == self.protocol)
        if self.vehicle_id is not None:
            clauses.append(Device.vehicle_id == self.vehicle_id)
        if self.q:
            pattern = contains_pattern(self.q)
            clauses.append(
                or_(
                    Device.unique_id.ilike(pattern),
                    Device.name.ilike(pattern),
                    Device.phone.ilike(pattern),
                )
            )
        return clauses


class DeviceService(RecordService[Device]):
    entity_type = "device"
    model = Device
    sort_fields = ("id", "unique_id", "name", "created_at", "updated_at")
    # Either index can refuse a hardware id: the tenant's own, or the platform-wide one.
    unique_fields = {
        "devices_tenant_id_unique_id_key": "unique_id",
        "device_identities_pkey": "unique_id",
    }

    async def list(
        self, filters: DeviceFilters, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[list[Device], str | None]:
        return await self.list_page(filters.clauses(), sort=sort, cursor=cursor, limit=limit)

    async def create(self, data: DeviceCreate, *, by_integration: bool = False) -> Device:
        """``by_integration``: the integrations' matching, the only maker of vendor devices."""
        if data.protocol.by_integration and not by_integration:
            raise DeviceManagedByIntegration(details={"field": "protocol"})
        values = data.model_dump()
        values["protocol"] = data.protocol.value
        await self._check_vehicle(data.vehicle_id)
        device = await self.insert(values)
        await self._write_identity(
            insert(DeviceIdentity).values(
                unique_id=device.unique_id, tenant_id=self.actor.tenant_id, device_id=device.id
            )
        )
        return device

    async def update(
        self, device_id: uuid.UUID, data: DeviceUpdate, expected_version: int | None
    ) -> Device:
        version = expected_version if expected_version is not None else data.version
        current = await self.get(device_id, for_update=True)
        self.check_version(current, version)
        changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
        if data.protocol is not None:
            changes["protocol"] = data.protocol.value
        _refuse_integration_changes(current, changes)
        if "vehicle_id" in changes:
            await self._check_vehicle(changes["vehicle_id"])
        device = await self.apply_update(device_id, changes, version)
        if "unique_id" in changes:
            await self._write_identity(
                update(DeviceIdentity)
                .where(
                    DeviceIdentity.tenant_id == self.actor.tenant_id,
                    DeviceIdentity.device_id == device.id,
                    DeviceIdentity.unique_id != device.unique_id,
                )
                .values(unique_id=device.unique_id, updated_at=func.now())
            )
        return device

    async def delete(self, device_id: uuid.UUID, expected_version: int | None) -> None:
        """The device's identity goes with it (ON DELETE CASCADE), freeing its hardware id."""
        await self.remove(device_id, expected_version)

    async def _check_vehicle(self, vehicle_id: uuid.UUID | None) -> None:
        if vehicle_id is not None and not await self.exists(Vehicle, vehicle_id):
            raise ValidationFailed(
                "No such vehicle in this tenant.", details={"field": "vehicle_id"}
            )

    async def _write_identity(self, statement: Any) -> None:
        try:
            await self.session.execute(statement)
        except IntegrityError as exc:
            raise self._integrity_error(exc) from exc

    def _integrity_error(self, exc: IntegrityError) -> Conflict | ValidationFailed:
        """Same answer whichever tenant holds the id: its owner is none of the caller's business."""
        error = super()._integrity_error(exc)
        if isinstance(error, AlreadyExists) and error.details.get("field") == "unique_id":
            return DeviceAlreadyRegistered(details={"field": "unique_id"})
        return error


def _refuse_integration_changes(current: Device, changes: dict[str, Any]) -> None:
    """A vendor device keeps the id and protocol its integration gave it, and no device
    becomes a vendor device by hand (the integration would never route to it)."""
    for field in ("protocol", "unique_id"):
        if field not in changes or changes[field] == getattr(current, field):
            continue
        if field == "protocol" and DeviceProtocol(changes[field]).by_integration:
            raise DeviceManagedByIntegration(details={"field": field})
        if DeviceProtocol(current.protocol).by_integration:
            raise DeviceManagedByIntegration(
                "This device belongs to an integration, which set its id and protocol; "
                "its name, SIM and vehicle can be changed.",
                details={"field": field},
            )
