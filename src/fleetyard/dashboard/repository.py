"""Every line of dashboard SQL: one statement per section, each filtered on the tenant
(row-level security is the second lock)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.geo import haversine_sql
from fleetyard.kit.ids import TenantId
from fleetyard.reservations.schemas import ReservationStatus
from fleetyard.tracking.activity import OFFLINE_AFTER, Activity, activity_sql

NOW = "CAST(:now AS timestamptz)"
OFFLINE_AFTER_SQL = f"interval '{int(OFFLINE_AFTER.total_seconds())} seconds'"

_ACTIVITY_COUNTS = ",\n    ".join(
    f"count(*) filter (where not retired and activity = '{a.value}') as {a.value}" for a in Activity
)

_VEHICLES = text(
    f"""
with v as (
    select v.status = 'retired' as retired,
        {activity_sql("s.fix_time", "s.ignition", "s.speed_kmh", now=NOW)} as activity,
        exists (select 1 from alerts a
                where a.tenant_id = v.tenant_id and a.vehicle_id = v.id
                  and a.cleared_at is null) as in_alert
    from vehicles v
    left join vehicle_state s on s.tenant_id = v.tenant_id and s.vehicle_id = v.id
    where v.tenant_id = :tenant_id
)
select
    count(*) filter (where not retired) as total,
    count(*) filter (where retired) as retired,
    count(*) filter (where not retired and in_alert) as in_alert,
    {_ACTIVITY_COUNTS}
from v
"""  # noqa: S608 - activity names are our own constants
)

_OPEN_ALERTS = text(
    """
select severity, count(*) as open, count(*) filter (where acknowledged_at is null) as unacked
from alerts
where tenant_id = :tenant_id and cleared_at is null
group by severity
"""
)

# A device's last contact: the server time of its newest stored fix (valid or not: a tracker
# without a GPS lock is still talking). One backward index probe per device and partition.
_DEVICES = text(
    f"""
select
    count(*) as total,
    count(*) filter (where last.server_time is null) as never_reported,
    count(*) filter (where {NOW} - last.server_time > {OFFLINE_AFTER_SQL}) as offline
from devices d
left join lateral (
    select p.server_time from positions p
    where p.tenant_id = d.tenant_id and p.device_id = d.id
    order by p.fix_time desc limit 1
) last on true
where d.tenant_id = :tenant_id
"""  # noqa: S608 - the delay is our own constant
)

_WAITING = (ReservationStatus.REQUESTED.value, ReservationStatus.CONFIRMED.value)

_UPCOMING = text(
    f"""
select r.id, r.vehicle_id, v.plate as vehicle_plate, v.name as vehicle_name,
    r.driver_id, d.name as driver_name, r.starts_at, r.ends_at, r.status, r.purpose
from reservations r
join vehicles v on v.tenant_id = r.tenant_id and v.id = r.vehicle_id
left join drivers d on d.tenant_id = r.tenant_id and d.id = r.driver_id
where r.tenant_id = :tenant_id and r.starts_at >= {NOW}
  and r.status in ('{_WAITING[0]}', '{_WAITING[1]}')
order by r.starts_at, r.id
limit :limit
"""  # noqa: S608 - statuses are our own constants
)

_STARTING_WITHIN = text(
    f"""
select count(*) from reservations
where tenant_id = :tenant_id and starts_at >= {NOW} and starts_at < CAST(:until AS timestamptz)
  and status in ('{_WAITING[0]}', '{_WAITING[1]}')
"""  # noqa: S608 - statuses are our own constants
)


# The fleet summary's breakdowns of the records themselves, one pass over the tenant's
# vehicles: by status, by type and by the group (depot) each belongs to.
_VEHICLE_BREAKDOWN = text(
    """
select grouping(v.status) = 0 as by_status, grouping(v.type) = 0 as by_type,
    v.status, v.type, v.group_id, g.name as group_name, count(*) as vehicles
from vehicles v
left join groups g on g.tenant_id = v.tenant_id and g.id = v.group_id
where v.tenant_id = :tenant_id
group by grouping sets ((v.status), (v.type), (v.group_id, g.name))
"""
)

# Reservations whose time overlaps [start, end), by status.
_RESERVATIONS_BETWEEN = text(
    """
select status, count(*) as reservations from reservations
where tenant_id = :tenant_id and starts_at < CAST(:end AS timestamptz)
  and ends_at > CAST(:start AS timestamptz)
group by status
"""
)


# Today's distance is measured per device on a vehicle (see the service for the rule). The
# odometer's advance from the day's first valid fix to its last: one index probe each. A
# tracker that reports an odometer reports it with every fix, so both ends carry one; when
# either doesn't, the device's GPS path counts instead (searching the day for some reading
# would read every fix of a device that never reports one).
_ODOMETER_READING = """
    select p.fix_time, p.odometer_m from positions p
    where p.tenant_id = d.tenant_id and p.device_id = d.id and p.valid
      and p.fix_time >= :start and p.fix_time < :end
    order by p.fix_time {direction} limit 1
"""

_ODOMETERS = text(
    f"""
select d.id as device_id, d.vehicle_id,
    case when lst.fix_time > fst.fix_time and lst.odometer_m >= fst.odometer_m
         then (lst.odometer_m - fst.odometer_m) / 1000.0 end as km
from devices d
left join lateral ({_ODOMETER_READING.format(direction="asc")}) fst on true
left join lateral ({_ODOMETER_READING.format(direction="desc")}) lst on true
where d.tenant_id = :tenant_id and d.vehicle_id is not null
"""  # noqa: S608 - our own fragments
)

# The path through a device's valid fixes in [:since, :until), its walk starting from its
# last fix of the day before :since, so lengths of consecutive windows add up. Per device, in
# its primary key's order (no sort); every predicate bounds fix_time, so only the day's
# partition is read.
_PATHS = text(
    f"""
select t.id as device_id, walk.km
from unnest(CAST(:device_ids AS uuid[])) as t(id)
left join lateral (
    select p.latitude, p.longitude from positions p
    where p.tenant_id = :tenant_id and p.device_id = t.id and p.valid
      and p.fix_time >= :day and p.fix_time < :since
    order by p.fix_time desc limit 1
) before on true
cross join lateral (
    select sum({haversine_sql("prev_lat", "prev_lon", "latitude", "longitude", unit_m=1000)}) as km
    from (
        select p.latitude, p.longitude,
            lag(p.latitude, 1, before.latitude) over w as prev_lat,
            lag(p.longitude, 1, before.longitude) over w as prev_lon
        from positions p
        where p.tenant_id = :tenant_id and p.device_id = t.id and p.valid
          and p.fix_time >= :since and p.fix_time < :until
        window w as (order by p.fix_time)
    ) steps
    where prev_lat is not null
) walk
where walk.km is not null
"""  # noqa: S608 - the formula is our own
)


@dataclass(frozen=True, slots=True)
class VehicleCounts:
    total: int
    retired: int
    in_alert: int
    by_activity: dict[Activity, int]


@dataclass(frozen=True, slots=True)
class DepotCount:
    group_id: uuid.UUID | None
    name: str | None
    vehicles: int


@dataclass(frozen=True, slots=True)
class VehicleBreakdown:
    by_status: dict[str, int]
    by_type: dict[str, int]
    by_depot: list[DepotCount]


@dataclass(frozen=True, slots=True)
class SeverityCount:
    severity: str
    open: int
    unacknowledged: int


@dataclass(frozen=True, slots=True)
class DeviceContact:
    total: int
    offline: int
    never_reported: int


@dataclass(frozen=True, slots=True)
class DeviceOdometer:
    device_id: uuid.UUID
    vehicle_id: uuid.UUID
    km: float | None  # None: no reading at either end of the day, or it went backwards


@dataclass(frozen=True, slots=True)
class Upcoming:
    id: uuid.UUID
    vehicle_id: uuid.UUID
    vehicle_plate: str | None
    vehicle_name: str | None
    driver_id: uuid.UUID | None
    driver_name: str | None
    starts_at: datetime
    ends_at: datetime
    status: str
    purpose: str


class DashboardRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def _one(self, statement: Any, **params: Any) -> Any:
        return (
            await self.session.execute(statement, {"tenant_id": self.tenant_id, **params})
        ).one()

    async def vehicle_counts(self, now: datetime) -> VehicleCounts:
        row = await self._one(_VEHICLES, now=now)
        return VehicleCounts(
            total=row.total,
            retired=row.retired,
            in_alert=row.in_alert,
            by_activity={a: getattr(row, a.value) for a in Activity},
        )

    async def open_alerts_by_severity(self) -> list[SeverityCount]:
        rows = await self.session.execute(_OPEN_ALERTS, {"tenant_id": self.tenant_id})
        return [SeverityCount(r.severity, r.open, r.unacked) for r in rows]

    async def device_contact(self, now: datetime) -> DeviceContact:
        row = await self._one(_DEVICES, now=now)
        return DeviceContact(row.total, row.offline, row.never_reported)

    async def odometers(self, start: datetime, end: datetime) -> list[DeviceOdometer]:
        """Every device on a vehicle, with its odometer's advance in [start, end)."""
        rows = await self.session.execute(
            _ODOMETERS, {"tenant_id": self.tenant_id, "start": start, "end": end}
        )
        return [
            DeviceOdometer(r.device_id, r.vehicle_id, None if r.km is None else float(r.km))
            for r in rows
        ]

    async def path_km(
        self, device_ids: Collection[uuid.UUID], day: datetime, since: datetime, until: datetime
    ) -> dict[uuid.UUID, float]:
        """Per device, the path length through its valid fixes in [since, until), from its
        last fix in [day, since); devices that didn't move are left out."""
        params = {"device_ids": list(device_ids), "day": day, "since": since, "until": until}
        rows = await self.session.execute(_PATHS, {"tenant_id": self.tenant_id, **params})
        return {r.device_id: float(r.km) for r in rows}

    async def upcoming_reservations(self, now: datetime, limit: int) -> list[Upcoming]:
        rows = await self.session.execute(
            _UPCOMING, {"tenant_id": self.tenant_id, "now": now, "limit": limit}
        )
        return [Upcoming(**row._asdict()) for row in rows]

    async def reservations_starting(self, now: datetime, until: datetime) -> int:
        row = await self._one(_STARTING_WITHIN, now=now, until=until)
        count: int = row[0]
        return count

    async def vehicle_breakdown(self) -> VehicleBreakdown:
        """Vehicles (retired ones too) by status, by type and by their group, biggest first."""
        rows = await self.session.execute(_VEHICLE_BREAKDOWN, {"tenant_id": self.tenant_id})
        by_status: dict[str, int] = {}
        by_type: dict[str, int] = {}
        depots: list[DepotCount] = []
        for r in rows:
            if r.by_status:
                by_status[r.status] = r.vehicles
            elif r.by_type:
                by_type[r.type] = r.vehicles
            else:
                depots.append(DepotCount(r.group_id, r.group_name, r.vehicles))
        depots.sort(key=lambda d: (-d.vehicles, d.name is None, d.name or "", str(d.group_id)))
        return VehicleBreakdown(by_status, by_type, depots)

    async def reservations_between(self, start: datetime, end: datetime) -> dict[str, int]:
        rows = await self.session.execute(
            _RESERVATIONS_BETWEEN, {"tenant_id": self.tenant_id, "start": start, "end": end}
        )
        return {r.status: r.reservations for r in rows}
