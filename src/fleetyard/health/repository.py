"""Every line of health SQL: aggregates over one vehicle's valid fixes in a window, and its
open alerts — each statement filtered on the tenant (row-level security is the second lock)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.health.score import MOVING_KMH, DrivingStats, OpenAlert
from fleetyard.kit.geo import haversine_sql
from fleetyard.kit.ids import TenantId
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.rules import j1939
from fleetyard.telematics.rules.j2012 import DTC_PATTERN
from fleetyard.telematics.rules.thresholds import COOLANT_HIGH, FUEL_LOW


def _number(key: str) -> str:
    """A numeric attribute, or NULL when it is missing, not a JSON number, or absurd. CASE
    tries its branches in order: the casts only ever see a number, float8 one it can hold."""
    value = f"attributes->'{key}'"
    return (
        f"case when jsonb_typeof({value}) <> 'number' then null "
        f"when abs(({value})::numeric) <= {attr.MAX_READING} then ({value})::float8 end"
    )


def _flag(key: str) -> str:
    return f"coalesce(attributes->'{key}' = 'true'::jsonb, false)"


_PATH_STEP_KM = haversine_sql("prev_lat", "prev_lon", "latitude", "longitude", unit_m=1000)

# Episodes follow the rules' hysteresis: readings between the release and trigger values
# can't start or end one, so they are left out before counting the starts.
_STATS = text(
    f"""
with w as (
    select fix_time, speed_kmh, odometer_m,
        {_number(attr.COOLANT_TEMP_C)} as coolant,
        {_number(attr.FUEL_LEVEL_PCT)} as fuel,
        {_number(attr.RPM)} as rpm,
        {_flag(attr.HARSH_BRAKING)} as harsh_braking,
        {_flag(attr.HARSH_ACCELERATION)} as harsh_acceleration,
        attributes->'{attr.DTCS}' as dtcs,
        lag(latitude) over t as prev_lat, lag(longitude) over t as prev_lon,
        latitude, longitude
    from positions
    where tenant_id = :tenant_id and vehicle_id = :vehicle_id and valid
      and fix_time >= :start and fix_time <= :end
    window t as (order by fix_time)
),
hot as (
    select coolant > :coolant_trigger as active, fix_time from w
    where coolant > :coolant_trigger or coolant < :coolant_release
),
low as (
    select fuel < :fuel_trigger as active, fix_time from w
    where fuel < :fuel_trigger or fuel > :fuel_release
),
codes as (
    select distinct upper(btrim(code)) as code
    from w cross join lateral (
        select jsonb_array_elements_text(
            case when jsonb_typeof(w.dtcs) = 'array' then w.dtcs else '[]'::jsonb end)
        union all
        select regexp_split_to_table(
            case when jsonb_typeof(w.dtcs) = 'string' then w.dtcs #>> '{{}}' else '' end,
            '[,[:space:]]+')
    ) as e(code)
)
select
    (select count(*) from w) as fixes,
    (select coalesce(array_agg(code order by code), '{{}}') from codes
        where code ~ :dtc_pattern or code ~ :j1939_pattern) as dtcs,
    (select count(*) from (select active, lag(active) over (order by fix_time) as was from hot) s
        where active and was is not true) as coolant_episodes,
    (select count(*) from (select active, lag(active) over (order by fix_time) as was from low) s
        where active and was is not true) as low_fuel_episodes,
    (select avg(rpm) from w where speed_kmh > :moving and rpm is not null) as avg_rpm_moving,
    (select count(rpm) from w where speed_kmh > :moving) as rpm_samples,
    (select count(*) from w where harsh_braking) as harsh_braking,
    (select count(*) from w where harsh_acceleration) as harsh_acceleration,
    (select max(odometer_m) - min(odometer_m) from w) as odometer_delta_m,
    (select count(odometer_m) from w) as odometer_readings,
    (select coalesce(sum({_PATH_STEP_KM}), 0) from w where prev_lat is not null) as path_km,
    (select count(distinct (fix_time at time zone 'UTC')::date) from w
        where speed_kmh > :moving) as driving_days
"""  # noqa: S608 - attribute keys are our own constants
)

_OPEN_ALERTS = text(
    """
select id, kind, code, severity from alerts
where tenant_id = :tenant_id and vehicle_id = :vehicle_id and cleared_at is null
order by opened_at, id
"""
)

_VEHICLE_EXISTS = text("select 1 from vehicles where tenant_id = :tenant_id and id = :vehicle_id")


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime


def distance_km(odometer_delta_m: float | None, odometer_readings: int, path_km: float) -> float:
    """The odometer's advance when the device reports one, else the GPS path length."""
    if odometer_readings >= 2 and odometer_delta_m is not None and odometer_delta_m > 0:
        return odometer_delta_m / 1000
    return path_km


class HealthRepository:
    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def vehicle_exists(self, vehicle_id: uuid.UUID) -> bool:
        found = await self.session.execute(
            _VEHICLE_EXISTS, {"tenant_id": self.tenant_id, "vehicle_id": vehicle_id}
        )
        return found.first() is not None

    async def open_alerts(self, vehicle_id: uuid.UUID) -> list[OpenAlert]:
        rows = await self.session.execute(
            _OPEN_ALERTS, {"tenant_id": self.tenant_id, "vehicle_id": vehicle_id}
        )
        return [OpenAlert(r.id, r.kind, r.code, r.severity) for r in rows]

    async def driving_stats(self, vehicle_id: uuid.UUID, window: Window) -> DrivingStats:
        params = {
            "tenant_id": self.tenant_id,
            "vehicle_id": vehicle_id,
            "start": window.start,
            "end": window.end,
            "coolant_trigger": COOLANT_HIGH.trigger,
            "coolant_release": COOLANT_HIGH.release,
            "fuel_trigger": FUEL_LOW.trigger,
            "fuel_release": FUEL_LOW.release,
            "moving": MOVING_KMH,
            "dtc_pattern": DTC_PATTERN.pattern,
            "j1939_pattern": j1939.NORMAL_PATTERN.pattern,
        }
        row = (await self.session.execute(_STATS, params)).one()
        return DrivingStats(
            fixes=row.fixes,
            dtcs=tuple(row.dtcs),
            coolant_episodes=row.coolant_episodes,
            low_fuel_episodes=row.low_fuel_episodes,
            avg_rpm_moving=row.avg_rpm_moving,
            rpm_samples=row.rpm_samples,
            harsh_braking=row.harsh_braking,
            harsh_acceleration=row.harsh_acceleration,
            distance_km=distance_km(row.odometer_delta_m, row.odometer_readings, row.path_km),
            driving_days=row.driving_days,
        )
