"""Geofence rules: a geometry shapely accepts (closed, simple, not absurdly small or large),
names unique per tenant (case-insensitive), groups of this tenant, and every change an event
(``geofence_created/updated/deleted``), from which the evaluator rebuilds its index."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, any_, func, or_, select

from fleetyard.errors import ValidationFailed
from fleetyard.geofences.schemas import (
    Geofence as GeofenceOut,
)
from fleetyard.geofences.schemas import (
    GeofenceCreate,
    GeofenceUpdate,
    PointGeometry,
)
from fleetyard.geofences.shapes import FenceShape, circle, polygon
from fleetyard.kit.pagination import SortDirection, page_of, paginate
from fleetyard.kit.records import RecordService
from fleetyard.models import Group
from fleetyard.models.geofence import Geofence, GeofencePresence

MAX_GEOFENCES_PER_TENANT = 10_000


@dataclass(frozen=True, slots=True)
class GeofenceFilters:
    shape: str | None = None
    group_id: uuid.UUID | None = None  # fences that apply to this group (or to all vehicles)
    name: str | None = None  # contains, case-insensitive
    # fences whose bounding box meets this box (min lon, min lat, max lon, max lat)
    bbox: tuple[float, float, float, float] | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.shape is not None:
            clauses.append(Geofence.shape == self.shape)
        if self.group_id is not None:
            clauses.append(or_(Geofence.all_vehicles, any_(Geofence.group_ids) == self.group_id))
        if self.name:
            escaped = self.name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append(func.lower(Geofence.name).like(f"%{escaped.lower()}%", escape="\\"))
        if self.bbox is not None:
            west, south, east, north = self.bbox
            clauses += [
                Geofence.max_longitude >= west,
                Geofence.min_longitude <= east,
                Geofence.max_latitude >= south,
                Geofence.min_latitude <= north,
            ]
        return clauses


def shape_of(geometry: Any, radius_m: float | None) -> FenceShape:
    """The shape a request's geometry makes, or 422 ``invalid_geometry`` saying why."""
    if isinstance(geometry, PointGeometry):
        assert radius_m is not None
        return circle(geometry.coordinates, radius_m)
    return polygon(geometry.coordinates)


def _geometry_columns(geometry: Any, radius_m: float | None) -> dict[str, Any]:
    shape = shape_of(geometry, radius_m)
    b = shape.bounds
    return {
        "shape": shape.shape.value,
        "geometry": geometry.model_dump(mode="json"),
        "radius_m": radius_m if isinstance(geometry, PointGeometry) else None,
        "area_m2": round(shape.area_m2(), 1),
        "min_latitude": b.min_latitude,
        "min_longitude": b.min_longitude,
        "max_latitude": b.max_latitude,
        "max_longitude": b.max_longitude,
    }


def geofence_out(record: Geofence) -> GeofenceOut:
    return GeofenceOut.model_validate(
        {c.key: getattr(record, c.key) for c in Geofence.__table__.columns}
        | {"group_ids": list(record.group_ids or []), "alert_on": list(record.alert_on or [])}
    )


class GeofenceService(RecordService[Geofence]):
    entity_type = "geofence"
    model = Geofence
    sort_fields = ("id", "name", "created_at", "updated_at")
    unique_fields = {"uq_geofences_name": "name"}

    async def list(
        self, filters: GeofenceFilters, *, sort: str, cursor: str | None, limit: int
    ) -> tuple[builtins.list[Geofence], str | None]:
        return await self.list_page(filters.clauses(), sort=sort, cursor=cursor, limit=limit)

    async def create(self, data: GeofenceCreate) -> Geofence:
        await self.enforce_limit(MAX_GEOFENCES_PER_TENANT, "geofences")
        await self._check_groups(data.group_ids)
        return await self.insert(
            _geometry_columns(data.geometry, data.radius_m)
            | {
                "name": data.name,
                "colour": data.colour.lower(),
                "all_vehicles": data.all_vehicles,
                "group_ids": _unique(data.group_ids),
                "speed_limit_kmh": data.speed_limit_kmh,
                "active_hours": _hours(data.active_hours),
                "dwell_minutes": data.dwell_minutes,
                "alert_on": sorted({a.value for a in data.alert_on}),
            }
        )

    async def update(
        self, geofence_id: uuid.UUID, data: GeofenceUpdate, expected_version: int | None
    ) -> Geofence:
        sent = data.model_fields_set - {"version"}
        version = expected_version if expected_version is not None else data.version
        current = await self.get(geofence_id, for_update=True)
        self.check_version(current, version)
        changes: dict[str, Any] = {}
        for name in ("name", "all_vehicles", "speed_limit_kmh", "dwell_minutes"):
            if name in sent:
                changes[name] = getattr(data, name)
        if "colour" in sent and data.colour is not None:
            changes["colour"] = data.colour.lower()
        if "group_ids" in sent and data.group_ids is not None:
            await self._check_groups(data.group_ids)
            changes["group_ids"] = _unique(data.group_ids)
        if "active_hours" in sent:
            changes["active_hours"] = _hours(data.active_hours)
        if "alert_on" in sent and data.alert_on is not None:
            changes["alert_on"] = sorted({a.value for a in data.alert_on})
        changes |= self._geometry_change(current, data, sent)
        all_vehicles = changes.get("all_vehicles", current.all_vehicles)
        if not all_vehicles and not changes.get("group_ids", current.group_ids):
            raise ValidationFailed(
                "A geofence for some groups lists at least one group.",
                details={"field": "group_ids"},
            )
        return await self.apply_update(geofence_id, changes, version)

    async def vehicles_inside(
        self, geofence_id: uuid.UUID, *, cursor: str | None, limit: int
    ) -> tuple[builtins.list[Any], str | None]:
        """The vehicles inside the geofence now, longest there first."""
        await self.get_row(geofence_id)  # another tenant's fence is a 404
        table = GeofencePresence.__table__
        p = table.c
        stmt = paginate(
            select(table).where(p.tenant_id == self.actor.tenant_id, p.geofence_id == geofence_id),
            sort_column=p.entered_at,
            id_column=p.vehicle_id,
            direction=SortDirection.ASC,
            cursor=cursor,
            limit=limit,
        )
        rows = (await self.session.execute(stmt)).all()
        return page_of(rows, limit, "entered_at", "vehicle_id")

    async def delete(self, geofence_id: uuid.UUID, expected_version: int | None) -> None:
        """The vehicles inside it are forgotten with it (no exit is reported)."""
        await self.remove(geofence_id, expected_version)

    @staticmethod
    def _geometry_change(current: Geofence, data: GeofenceUpdate, sent: set[str]) -> dict[str, Any]:
        if "geometry" in sent and data.geometry is not None:
            radius = data.radius_m
            if isinstance(data.geometry, PointGeometry) and radius is None:
                radius = current.radius_m
            if isinstance(data.geometry, PointGeometry) and radius is None:
                raise ValidationFailed(
                    "A circle (Point) needs radius_m.", details={"field": "radius_m"}
                )
            if not isinstance(data.geometry, PointGeometry) and "radius_m" in sent and radius:
                raise ValidationFailed(
                    "radius_m is for circles (Point) only.", details={"field": "radius_m"}
                )
            return _geometry_columns(data.geometry, radius)
        if "radius_m" in sent and data.radius_m is not None:
            if current.shape != "circle":
                raise ValidationFailed(
                    "radius_m is for circles (Point) only.", details={"field": "radius_m"}
                )
            return _geometry_columns(PointGeometry.model_validate(current.geometry), data.radius_m)
        return {}

    async def _check_groups(self, group_ids: Sequence[uuid.UUID]) -> None:
        if not group_ids:
            return
        wanted = set(group_ids)
        stmt = select(Group.id).where(
            Group.tenant_id == self.actor.tenant_id, Group.id.in_(list(wanted))
        )
        found = set((await self.session.execute(stmt)).scalars())
        missing = sorted(str(g) for g in wanted - found)
        if missing:
            raise ValidationFailed(
                "No such group in this tenant.", details={"field": "group_ids", "ids": missing}
            )


def _unique(ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(ids))


def _hours(windows: Sequence[Any] | None) -> list[dict[str, Any]] | None:
    if windows is None:
        return None
    return [
        {
            "days": list(dict.fromkeys(d.value for d in w.days)),
            "start": w.start.strftime("%H:%M"),
            "end": w.end.strftime("%H:%M"),
        }
        for w in windows
    ]
