"""Vehicle rules: VIN decoding, status union, group references, tenant vehicle limit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, or_

from fleetyard.errors import ValidationFailed
from fleetyard.kit.records import RecordService
from fleetyard.kit.vin import decode_vin
from fleetyard.models import Group, Tenant, Vehicle
from fleetyard.vehicles.schemas import VehicleCreate, VehicleUpdate

_vehicles = Vehicle.__table__.c  # Core columns: filters for plain-row reads


@dataclass(frozen=True, slots=True)
class VehicleFilters:
    status: str | None = None
    group_id: uuid.UUID | None = None
    type: str | None = None
    fuel_type: str | None = None
    tag: str | None = None
    q: str | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.status is not None:
            clauses.append(_vehicles.status == self.status)
        if self.group_id is not None:
            clauses.append(_vehicles.group_id == self.group_id)
        if self.type is not None:
            clauses.append(_vehicles.type == self.type)
        if self.fuel_type is not None:
            clauses.append(_vehicles.fuel_type == self.fuel_type)
        if self.tag is not None:
            clauses.append(_vehicles.tags.contains([self.tag]))
        if self.q:
            pattern = (
                "%" + self.q.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
            )
            clauses.append(
                or_(
                    _vehicles.plate.ilike(pattern),
                    _vehicles.name.ilike(pattern),
                    _vehicles.vin.ilike(pattern),
                    _vehicles.make.ilike(pattern),
                    _vehicles.model.ilike(pattern),
                )
            )
        return clauses


def _status_columns(status: Any) -> dict[str, Any]:
    detail = status.model_dump(mode="json", exclude={"state"})
    return {"status": status.state, "status_detail": detail}


class VehicleService(RecordService[Vehicle]):
    entity_type = "vehicle"
    model = Vehicle
    sort_fields = ("id", "created_at", "updated_at", "plate", "name", "make", "year", "odometer_km")
    unique_fields = {"uq_vehicles_vin": "vin", "uq_vehicles_plate": "plate"}

    async def list(
        self, filters: VehicleFilters, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of plain rows (the hot read path: no ORM objects)."""
        return await self.list_rows(filters.clauses(), sort=sort, cursor=cursor, limit=limit)

    async def create(self, data: VehicleCreate) -> Vehicle:
        tenant = await self.session.get(Tenant, self.actor.tenant_id)
        await self.enforce_limit(tenant.max_vehicles if tenant else None, "vehicles")
        values = data.model_dump(exclude={"status"})
        values.update(_status_columns(data.status))
        values["type"] = data.type.value
        values["fuel_type"] = data.fuel_type.value
        await self._check_group(data.group_id)
        self._fill_from_vin(values)
        return await self.insert(values)

    async def update(
        self, vehicle_id: uuid.UUID, data: VehicleUpdate, expected_version: int | None
    ) -> Vehicle:
        changes = data.model_dump(exclude_unset=True, exclude={"version", "status"})
        if data.status is not None:
            changes.update(_status_columns(data.status))
        if "group_id" in changes:
            await self._check_group(changes["group_id"])
        if changes.get("vin"):
            self._fill_from_vin(changes)
        version = expected_version if expected_version is not None else data.version
        return await self.apply_update(vehicle_id, changes, version)

    async def delete(self, vehicle_id: uuid.UUID, expected_version: int | None) -> None:
        await self.remove(vehicle_id, expected_version)

    async def _check_group(self, group_id: uuid.UUID | None) -> None:
        if group_id is not None and not await self.exists(Group, group_id):
            raise ValidationFailed("No such group in this tenant.", details={"field": "group_id"})

    @staticmethod
    def _fill_from_vin(values: dict[str, Any]) -> None:
        """Make and model year decoded from the VIN fill what the caller left empty."""
        vin = values.get("vin")
        if not vin:
            return
        details = decode_vin(vin, max_year=datetime.now(UTC).year + 1)
        if details.make and not values.get("make"):
            values["make"] = details.make
        if details.year and not values.get("year"):
            values["year"] = details.year
