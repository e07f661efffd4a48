"""Driver rules: references stay inside the tenant; a vehicle has at most one active driver."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from fleetyard.drivers.schemas import DriverCreate, DriverStatus, DriverUpdate
from fleetyard.errors import Conflict, ValidationFailed
from fleetyard.kit.locks import lock_until_commit
from fleetyard.kit.records import RecordService
from fleetyard.kit.search import contains_pattern
from fleetyard.models import Driver, Group, Membership, Vehicle


class VehicleAlreadyAssigned(Conflict):
    code = "vehicle_already_assigned"
    message = "The vehicle is already assigned to another active driver."


@dataclass(frozen=True, slots=True)
class DriverFilters:
    status: str | None = None
    group_id: uuid.UUID | None = None
    assigned_vehicle_id: uuid.UUID | None = None
    q: str | None = None
    licence_expiring_before: date | None = None
    # Any of these drivers: the web's list shows a page of search hits.
    ids: frozenset[uuid.UUID] = frozenset()

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.status is not None:
            clauses.append(Driver.status == self.status)
        if self.group_id is not None:
            clauses.append(Driver.group_id == self.group_id)
        if self.assigned_vehicle_id is not None:
            clauses.append(Driver.assigned_vehicle_id == self.assigned_vehicle_id)
        if self.ids:
            clauses.append(Driver.id.in_(sorted(self.ids)))
        if self.licence_expiring_before is not None:
            clauses.append(Driver.licence_expiry < self.licence_expiring_before)
        if self.q:
            pattern = contains_pattern(self.q)
            clauses.append(
                or_(
                    Driver.name.ilike(pattern),
                    Driver.licence_number.ilike(pattern),
                    Driver.email.ilike(pattern),
                )
            )
        return clauses


class DriverService(RecordService[Driver]):
    entity_type = "driver"
    model = Driver
    sort_fields = ("id", "name", "licence_expiry", "created_at", "updated_at")
    unique_fields = {"uq_drivers_licence": "licence_number"}

    async def list(
        self, filters: DriverFilters, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[list[Driver], str | None]:
        return await self.list_page(filters.clauses(), sort=sort, cursor=cursor, limit=limit)

    async def create(self, data: DriverCreate) -> Driver:
        values = data.model_dump()
        values["status"] = data.status.value
        await self._check_references(values)
        await self._check_assignment(None, data.status.value, data.assigned_vehicle_id)
        return await self.insert(values)

    async def update(
        self, driver_id: uuid.UUID, data: DriverUpdate, expected_version: int | None
    ) -> Driver:
        version = expected_version if expected_version is not None else data.version
        current = await self.get(driver_id, for_update=True)
        self.check_version(current, version)
        changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
        if data.status is not None:
            changes["status"] = data.status.value
        await self._check_references(changes)
        if "status" in changes or "assigned_vehicle_id" in changes:
            await self._check_assignment(
                driver_id,
                changes.get("status", current.status),
                changes.get("assigned_vehicle_id", current.assigned_vehicle_id),
            )
        return await self.apply_update(driver_id, changes, version)

    async def delete(self, driver_id: uuid.UUID, expected_version: int | None) -> None:
        await self.remove(driver_id, expected_version)

    async def _check_references(self, values: dict[str, Any]) -> None:
        """Every id the driver points at must be a record (or member) of this tenant."""
        checks = (("assigned_vehicle_id", Vehicle, "vehicle"), ("group_id", Group, "group"))
        for field, model, noun in checks:
            record_id = values.get(field)
            if record_id is not None and not await self.exists(model, record_id):
                raise ValidationFailed(f"No such {noun} in this tenant.", details={"field": field})
        user_id = values.get("user_id")
        if user_id is not None and not await self._is_member(user_id):
            raise ValidationFailed("No such member in this tenant.", details={"field": "user_id"})

    async def _is_member(self, user_id: uuid.UUID) -> bool:
        stmt = select(Membership.user_id).where(
            Membership.tenant_id == self.actor.tenant_id, Membership.user_id == user_id
        )
        return (await self.session.execute(stmt)).first() is not None

    async def _check_assignment(
        self, driver_id: uuid.UUID | None, status: str, vehicle_id: uuid.UUID | None
    ) -> None:
        """At most one active driver per vehicle. The per-vehicle lock makes two concurrent
        assignments of the same vehicle take turns, so the second one sees the first."""
        if vehicle_id is None or status != DriverStatus.ACTIVE.value:
            return
        await lock_until_commit(self.session, f"{self.actor.tenant_id}:driver-of:{vehicle_id}")
        stmt = self._scoped().where(
            Driver.assigned_vehicle_id == vehicle_id, Driver.status == DriverStatus.ACTIVE.value
        )
        if driver_id is not None:
            stmt = stmt.where(Driver.id != driver_id)
        holder: Driver | None = (await self.session.execute(stmt.limit(1))).scalar_one_or_none()
        if holder is not None:
            raise VehicleAlreadyAssigned(
                details={
                    "field": "assigned_vehicle_id",
                    "vehicle_id": str(vehicle_id),
                    "driver_id": str(holder.id),
                }
            )
