"""Vehicle rules: VIN decoding, status union, group references, tenant vehicle limit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, exists, or_, select, true

from fleetyard.auth.roles import Permission
from fleetyard.errors import NotFound, PermissionDenied, ValidationFailed
from fleetyard.kit.records import RecordService
from fleetyard.kit.vin import decode_vin
from fleetyard.models import Group, Tenant, Vehicle
from fleetyard.places.naming import Place
from fleetyard.places.repository import depots_of
from fleetyard.places.service import PlaceNamer
from fleetyard.vehicles.repository import OverviewFilters, list_overview
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

    def params(self) -> list[tuple[str, str]]:
        """The filters as name/value pairs (a cache key's part): only those set."""
        values = ((f.name, getattr(self, f.name)) for f in fields(self))
        return [(name, str(value)) for name, value in values if value is not None]

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


OverviewRow = tuple[Row[Any], Place | None]
OverviewRows = list[OverviewRow]  # spelled here: inside the class, ``list`` is its method


def _status_columns(status: Any) -> dict[str, Any]:
    detail = status.model_dump(mode="json", exclude={"state"})
    return {"status": status.state, "status_detail": detail}


class VehicleService(RecordService[Vehicle]):
    entity_type = "vehicle"
    model = Vehicle
    sort_fields = ("id", "created_at", "updated_at", "plate", "name", "make", "year", "odometer_km")
    unique_fields = {"uq_vehicles_vin": "vin", "uq_vehicles_plate": "plate"}
    missing_links = {
        "vehicles_tenant_id_group_id_fkey": ("group_id", "No such group in this tenant.")
    }

    async def list(
        self, filters: VehicleFilters, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[list[Row[Any]], str | None]:
        """A page of plain rows (the hot read path: no ORM objects)."""
        return await self.list_rows(filters.clauses(), sort=sort, cursor=cursor, limit=limit)

    @property
    def sees_drivers(self) -> bool:
        return self.actor.can(Permission.DRIVERS_READ)

    @property
    def sees_trackers(self) -> bool:
        return self.actor.can(Permission.DEVICES_READ)

    async def overview(
        self,
        filters: VehicleFilters,
        live: OverviewFilters,
        places: PlaceNamer,
        *,
        sort: str,
        cursor: str | None,
        limit: int,
    ) -> tuple[OverviewRows, str | None]:
        """A page of vehicles with their live context, each named where it is (after the
        page is read: a name is an R-tree lookup, so only the rows shown pay for one)."""
        self._check_overview_access(live, sort)
        clauses = filters.clauses()
        if live.activity and filters.status is None:
            # As the dashboard counts them: a retired vehicle is out of the working fleet, so
            # "moving" lists it only when asked for retired ones.
            clauses.append(_vehicles.status != "retired")
        rows, next_cursor = await list_overview(
            self.session,
            self.actor.tenant_id,
            clauses,
            live,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
        return await self._named(rows, places), next_cursor

    async def overview_of(self, vehicle_id: uuid.UUID, places: PlaceNamer) -> OverviewRow:
        rows, _ = await list_overview(
            self.session,
            self.actor.tenant_id,
            [],
            OverviewFilters(vehicle_id=vehicle_id),
            sort="id",
            cursor=None,
            limit=1,
        )
        if not rows:
            raise NotFound(
                "No such vehicle.", details={"entity_type": "vehicle", "id": str(vehicle_id)}
            )
        return (await self._named(rows, places))[0]

    async def _named(self, rows: Sequence[Row[Any]], places: PlaceNamer) -> OverviewRows:
        points = [
            None if row.last_fix_at is None else (row.latitude, row.longitude) for row in rows
        ]
        if not any(points):
            return [(row, None) for row in rows]
        depots = await depots_of(self.session, self.actor.tenant_id)
        return list(zip(rows, await places.name_all(points, depots), strict=True))

    def _check_overview_access(self, live: OverviewFilters, sort: str) -> None:
        """Filtering or sorting by drivers or trackers tells about them: their permission."""
        field = sort.lstrip("-")
        by_driver = field == "driver" or live.driver_id is not None or live.has_driver is not None
        by_tracker = field == "tracker" or live.device_id is not None
        by_tracker = by_tracker or live.tracker_protocol is not None or live.has_tracker is not None
        for asked, permission in (
            (by_driver, Permission.DRIVERS_READ),
            (by_tracker, Permission.DEVICES_READ),
        ):
            if asked and not self.actor.can(permission):
                raise PermissionDenied(details={"required": permission.value})

    async def create(self, data: VehicleCreate) -> Vehicle:
        known = self.actor.vehicle_limit
        if known is not None:  # read with the principal; the group is checked by its key
            max_vehicles = known.at_most
        else:
            max_vehicles, group_found = await self._limit_and_group(data.group_id)
            if not group_found:
                raise ValidationFailed(
                    "No such group in this tenant.", details={"field": "group_id"}
                )
        await self.enforce_limit(max_vehicles, "vehicles")
        values = data.model_dump(exclude={"status"})
        values.update(_status_columns(data.status))
        values["type"] = data.type.value
        values["fuel_type"] = data.fuel_type.value
        self._fill_from_vin(values)
        return await self.insert(values)

    async def _limit_and_group(self, group_id: uuid.UUID | None) -> tuple[int | None, bool]:
        """The tenant's vehicle limit and whether the group exists, in one statement (a
        create is a hot write: each statement is a round trip)."""
        tenants = Tenant.__table__.c
        groups = Group.__table__.c
        group_found: Any = true()
        if group_id is not None:
            group_found = exists().where(
                groups.tenant_id == self.actor.tenant_id, groups.id == group_id
            )
        row = (
            await self.session.execute(
                select(tenants.max_vehicles, group_found.label("group_found")).where(
                    tenants.id == self.actor.tenant_id
                )
            )
        ).first()
        if row is None:  # the tenant row is invisible (gone): nothing to check against
            return None, group_id is None
        return row.max_vehicles, bool(row.group_found)

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
