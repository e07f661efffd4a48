"""The SQL of the vehicles overview: each vehicle with its activity (the shared rule over its
latest state), its last fix, its active driver and its tracker, filtered and keyset-paged
by any of them. One statement; scoped to one tenant (and by RLS)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Row,
    String,
    Subquery,
    case,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.kit.pagination import page_of, paginate, parse_sort
from fleetyard.models import Device, Driver, Vehicle, VehicleState
from fleetyard.tracking.activity import Activity, activity_sql

# The order a fleet manager reads states in: what is on the road first.
ACTIVITY_ORDER: Final = (
    Activity.MOVING,
    Activity.IDLE,
    Activity.PARKED,
    Activity.OFFLINE,
    Activity.NO_POSITION,
)
# sort field (API) → column of the overview
SORT_COLUMNS: Final = {
    "id": "id",
    "plate": "plate",
    "name": "name",
    "make": "make",
    "year": "year",
    "odometer_km": "odometer_km",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "activity": "activity_rank",
    "last_fix": "last_fix_at",
    "driver": "driver_name",
    "tracker": "tracker_label",
}

_v = Vehicle.__table__
_state = VehicleState.__table__.alias("s")  # the name activity_sql reads from
_drivers = Driver.__table__
_devices = Device.__table__


@dataclass(frozen=True, slots=True)
class OverviewFilters:
    """Filters on the live context (the record's own filters are ``VehicleFilters``)."""

    vehicle_id: uuid.UUID | None = None
    # Any of these vehicles: the web's list shows a page of search hits with their context.
    vehicle_ids: frozenset[uuid.UUID] = frozenset()
    activity: frozenset[Activity] = frozenset()
    driver_id: uuid.UUID | None = None
    has_driver: bool | None = None
    device_id: uuid.UUID | None = None
    tracker_protocol: str | None = None
    has_tracker: bool | None = None

    def clauses(self, overview: Subquery) -> list[ColumnElement[bool]]:
        c = overview.c
        clauses: list[ColumnElement[bool]] = []
        if self.vehicle_id is not None:
            clauses.append(c.id == self.vehicle_id)
        if self.vehicle_ids:
            clauses.append(c.id.in_(sorted(self.vehicle_ids)))
        if self.activity:
            clauses.append(c.activity.in_(sorted(self.activity)))
        if self.driver_id is not None:
            clauses.append(c.driver_id == self.driver_id)
        if self.has_driver is not None:
            clauses.append(c.driver_id.is_not(None) if self.has_driver else c.driver_id.is_(None))
        if self.device_id is not None:
            clauses.append(c.tracker_id == self.device_id)
        if self.tracker_protocol is not None:
            clauses.append(c.tracker_protocol == self.tracker_protocol)
        if self.has_tracker is not None:
            has = self.has_tracker
            clauses.append(c.tracker_id.is_not(None) if has else c.tracker_id.is_(None))
        return clauses


def _overview(tenant_id: TenantId, vehicle_filters: Sequence[ColumnElement[bool]]) -> Subquery:
    activity = literal_column(activity_sql("s.fix_time", "s.ignition", "s.speed_kmh"), String)
    rank = case({a.value: i for i, a in enumerate(ACTIVITY_ORDER)}, value=activity, else_=99)
    # The active driver (at most one per vehicle, by the drivers' rule; the first by name
    # should that ever not hold).
    driver = (
        select(_drivers.c.id, _drivers.c.name)
        .where(
            _drivers.c.tenant_id == _v.c.tenant_id,
            _drivers.c.assigned_vehicle_id == _v.c.id,
            _drivers.c.status == "active",
        )
        .order_by(_drivers.c.name, _drivers.c.id)
        .limit(1)
        .lateral("driver")
    )
    # The tracker: the device whose fix is the latest state, else the first one attached.
    tracker = (
        select(_devices.c.id, _devices.c.name, _devices.c.protocol, _devices.c.unique_id)
        .where(_devices.c.tenant_id == _v.c.tenant_id, _devices.c.vehicle_id == _v.c.id)
        .order_by(func.coalesce(_devices.c.id == _state.c.device_id, False).desc(), _devices.c.id)
        .limit(1)
        .lateral("tracker")
    )
    joined = (
        _v.outerjoin(
            _state, (_state.c.tenant_id == _v.c.tenant_id) & (_state.c.vehicle_id == _v.c.id)
        )
        .outerjoin(driver, true())
        .outerjoin(tracker, true())
    )
    return (
        select(
            *(column for column in _v.c if column.key != "tenant_id"),
            activity.label("activity"),
            rank.label("activity_rank"),
            _state.c.fix_time.label("last_fix_at"),
            _state.c.latitude,
            _state.c.longitude,
            _state.c.speed_kmh,
            driver.c.id.label("driver_id"),
            driver.c.name.label("driver_name"),
            tracker.c.id.label("tracker_id"),
            tracker.c.name.label("tracker_name"),
            tracker.c.protocol.label("tracker_protocol"),
            tracker.c.unique_id.label("tracker_unique_id"),
            func.coalesce(tracker.c.name, tracker.c.unique_id).label("tracker_label"),
        )
        .select_from(joined)
        .where(_v.c.tenant_id == tenant_id, *vehicle_filters)
        .subquery("overview")
    )


async def list_overview(
    session: AsyncSession,
    tenant_id: TenantId,
    vehicle_filters: Sequence[ColumnElement[bool]],
    filters: OverviewFilters,
    *,
    sort: str,
    cursor: str | None,
    limit: int,
) -> tuple[list[Row[Any]], str | None]:
    """A page of overview rows and the cursor of the next one."""
    field, direction = parse_sort(sort, tuple(SORT_COLUMNS))
    column = SORT_COLUMNS[field]
    overview = _overview(tenant_id, vehicle_filters)
    stmt = paginate(
        select(overview).where(*filters.clauses(overview)),
        sort_column=overview.c[column],
        id_column=overview.c.id,
        direction=direction,
        cursor=cursor,
        limit=limit,
    )
    rows = (await session.execute(stmt)).all()
    return page_of(rows, limit, column)
