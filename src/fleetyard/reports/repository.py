"""One SQL query per report kind, each scoped to the tenant and the filters."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId

MAX_ROWS: Final = 100_000  # a report is a file, not an export of the whole database


@dataclass(frozen=True, slots=True)
class ReportFilters:
    start: datetime
    end: datetime
    vehicle_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None


# Vehicles the filters keep (alias v); appended to every query's where clause.
_VEHICLE_FILTERS = """
  and (cast(:vehicle_id as uuid) is null or v.id = cast(:vehicle_id as uuid))
  and (cast(:group_id as uuid) is null or v.group_id = cast(:group_id as uuid))
"""
_VEHICLE = "coalesce(v.plate, v.name, v.id::text)"

QUERIES: Final[dict[str, str]] = {
    "trips": f"""
select {_VEHICLE} as vehicle, t.started_at, t.ended_at,
       round((t.distance_m / 1000.0)::numeric, 2)::float8 as distance_km,
       round((t.driving_s / 60.0)::numeric, 1)::float8 as driving_min,
       round((t.idle_s / 60.0)::numeric, 1)::float8 as idle_min,
       t.max_speed_kmh, t.fuel_used_l, t.status
from trips t join vehicles v on v.tenant_id = t.tenant_id and v.id = t.vehicle_id
where t.tenant_id = :tenant_id and t.started_at < :end and coalesce(t.ended_at, now()) > :start
  and (cast(:driver_id as uuid) is null or t.driver_id = cast(:driver_id as uuid))
  {_VEHICLE_FILTERS}
order by t.started_at, t.id limit :limit
""",  # noqa: S608 - constants only, every value bound
    "stops": f"""
select {_VEHICLE} as vehicle, s.started_at, s.ended_at,
       round((s.duration_s / 60.0)::numeric, 1)::float8 as duration_min,
       round((s.idle_s / 60.0)::numeric, 1)::float8 as idle_min,
       s.latitude, s.longitude
from stops s join vehicles v on v.tenant_id = s.tenant_id and v.id = s.vehicle_id
where s.tenant_id = :tenant_id and s.started_at < :end and coalesce(s.ended_at, now()) > :start
  and (cast(:driver_id as uuid) is null or exists (
      select 1 from trips t where t.tenant_id = s.tenant_id and t.vehicle_id = s.vehicle_id
        and t.driver_id = cast(:driver_id as uuid)
        and t.started_at < :end and coalesce(t.ended_at, now()) > :start))
  {_VEHICLE_FILTERS}
order by s.started_at, s.id limit :limit
""",  # noqa: S608 - constants only, every value bound
    # Days in the tenant's zone; a trip counts on the day it started.
    "daily-summary": f"""
select (t.started_at at time zone :zone)::date as day, {_VEHICLE} as vehicle,
       count(*)::int as trips,
       round((sum(t.distance_m) / 1000.0)::numeric, 2)::float8 as distance_km,
       round((sum(t.driving_s) / 60.0)::numeric, 1)::float8 as driving_min,
       round((sum(t.idle_s) / 60.0)::numeric, 1)::float8 as idle_min,
       max(t.max_speed_kmh) as max_speed_kmh,
       sum(t.fuel_used_l) as fuel_used_l
from trips t join vehicles v on v.tenant_id = t.tenant_id and v.id = t.vehicle_id
where t.tenant_id = :tenant_id and t.started_at >= :start and t.started_at < :end
  and (cast(:driver_id as uuid) is null or t.driver_id = cast(:driver_id as uuid))
  {_VEHICLE_FILTERS}
group by 1, 2 order by 1, 2 limit :limit
""",  # noqa: S608 - constants only, every value bound
    "speeding": f"""
select {_VEHICLE} as vehicle, e.started_at, e.ended_at,
       round(e.duration_s::numeric, 0)::float8 as duration_s,
       e.max_speed_kmh, e.limit_kmh, e.excess_kmh, e.severity, e.latitude, e.longitude
from driving_events e join vehicles v on v.tenant_id = e.tenant_id and v.id = e.vehicle_id
where e.tenant_id = :tenant_id and e.kind = 'speeding'
  and e.started_at >= :start and e.started_at < :end
  and (cast(:driver_id as uuid) is null or e.driver_id = cast(:driver_id as uuid))
  {_VEHICLE_FILTERS}
order by e.started_at, e.id limit :limit
""",  # noqa: S608 - constants only, every value bound
    "alerts": f"""
select {_VEHICLE} as vehicle, a.opened_at, a.cleared_at, a.kind, a.severity, a.message,
       a.acknowledged_at
from alerts a join vehicles v on v.tenant_id = a.tenant_id and v.id = a.vehicle_id
where a.tenant_id = :tenant_id and a.opened_at >= :start and a.opened_at < :end
  and cast(:driver_id as uuid) is null
  {_VEHICLE_FILTERS}
order by a.opened_at, a.id limit :limit
""",  # noqa: S608 - constants only, every value bound
    # Completed visits: the evaluator's geofence_exited events (the event log), by exit time.
    "geofence-visits": f"""
select g.changes->>'name' as geofence, {_VEHICLE} as vehicle,
       (g.changes->>'entered_at')::timestamptz as entered_at,
       (g.changes->>'exited_at')::timestamptz as exited_at,
       round(((g.changes->>'duration_s')::float8 / 60.0)::numeric, 1)::float8 as duration_min
from events g
join vehicles v on v.tenant_id = g.tenant_id and v.id = (g.changes->>'vehicle_id')::uuid
where g.tenant_id = :tenant_id and g.type = 'geofence_exited' and g.occurred_at >= :start
  and (g.changes->>'exited_at')::timestamptz >= :start
  and (g.changes->>'exited_at')::timestamptz < :end
  and cast(:driver_id as uuid) is null
  {_VEHICLE_FILTERS}
order by 4, g.id limit :limit
""",  # noqa: S608 - constants only, every value bound
    # Per driver: the trips they drove (distance, driving time) for the score's basis.
    "driver-scores": f"""
select d.id, d.name, count(t.id)::int as trips, coalesce(sum(t.distance_m), 0) as distance_m,
       coalesce(sum(t.driving_s), 0) as driving_s
from trips t join drivers d on d.tenant_id = t.tenant_id and d.id = t.driver_id
join vehicles v on v.tenant_id = t.tenant_id and v.id = t.vehicle_id
where t.tenant_id = :tenant_id and t.started_at >= :start and t.started_at < :end
  and (cast(:driver_id as uuid) is null or t.driver_id = cast(:driver_id as uuid))
  {_VEHICLE_FILTERS}
group by d.id, d.name order by d.name, d.id limit :limit
""",  # noqa: S608 - constants only, every value bound
}

DRIVER_EVENTS: Final = """
select e.driver_id, e.id, e.kind, e.severity, e.started_at, e.ended_at, e.latitude, e.longitude,
       e.vehicle_id, e.duration_s, e.excess_kmh, e.peak_g
from driving_events e
where e.tenant_id = :tenant_id and e.driver_id = any(:driver_ids)
  and e.started_at >= :start and e.started_at < :end
order by e.started_at, e.id
"""


class ReportRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def time_zone(self) -> str:
        zone = await self.session.scalar(
            text("select time_zone from tenants where id = :id"), {"id": self.tenant_id}
        )
        return str(zone or "UTC")

    async def rows(
        self, kind: str, filters: ReportFilters, zone: str, limit: int = MAX_ROWS
    ) -> list[tuple[Any, ...]]:
        params = {
            "tenant_id": self.tenant_id,
            "start": filters.start,
            "end": filters.end,
            "vehicle_id": filters.vehicle_id,
            "driver_id": filters.driver_id,
            "group_id": filters.group_id,
            "zone": zone,
            "limit": limit,
        }
        result = await self.session.execute(text(QUERIES[kind]), params)
        return [tuple(row) for row in result]

    async def driver_events(self, driver_ids: list[uuid.UUID], filters: ReportFilters) -> list[Any]:
        result = await self.session.execute(
            text(DRIVER_EVENTS),
            {
                "tenant_id": self.tenant_id,
                "driver_ids": driver_ids,
                "start": filters.start,
                "end": filters.end,
            },
        )
        return list(result)
