"""The detector's SQL on a raw asyncpg connection already scoped to one tenant (``app.tenant_id``
set for the transaction): detector states, trip and stop upserts keyed by (device, start), the
positions a replay reads, the driver at a moment, and the events of every change."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

import asyncpg

from fleetyard.auth.principal import ActorType
from fleetyard.events.service import diff
from fleetyard.kit.ids import uuid7
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.ingest.stages import DeviceCheckpoints, stored_after
from fleetyard.trips.detector import Fix, StopDraft, TripDraft
from fleetyard.trips.figures import stop_duration_s, trip_figures

REPLAY_CHUNK: Final = 5_000

_SETTINGS = "select stop_after_s from trip_settings where tenant_id = $1"

# Replays read valid fixes in the primary key's order (no sort), a chunk at a time.
_POSITIONS = f"""
select fix_time, latitude, longitude, speed_kmh, ignition, odometer_m,
    case when jsonb_typeof(attributes->'{attr.FUEL_USED_L}') = 'number'
         then (attributes->>'{attr.FUEL_USED_L}')::float8 end as fuel_used_l,
    case when jsonb_typeof(attributes->'{attr.FUEL_LEVEL_PCT}') = 'number'
         then (attributes->>'{attr.FUEL_LEVEL_PCT}')::float8 end as fuel_level_pct
from positions
where tenant_id = $1 and device_id = $2 and valid and fix_time > $3
order by fix_time
limit {REPLAY_CHUNK}
"""  # noqa: S608 - attribute keys are our own constants

# Where a re-derivation starts: the last stop begun by the moment, else the first trip if it
# began by then (a device first seen moving), else the moment itself.
_REDERIVE_FROM = """
select coalesce(
    (select max(started_at) from stops
     where tenant_id = $1 and device_id = $2 and started_at <= $3),
    (select min(started_at) from trips
     where tenant_id = $1 and device_id = $2 and started_at <= $3),
    $3)
"""

_TRIP_FIELDS: Final = (
    "status",
    "ended_at",
    "end_latitude",
    "end_longitude",
    "distance_m",
    "distance_source",
    "duration_s",
    "driving_s",
    "idle_s",
    "max_speed_kmh",
    "avg_speed_kmh",
    "fuel_used_l",
    "fuel_used_pct",
    "fixes",
)
_STOP_FIELDS: Final = ("status", "ended_at", "duration_s", "idle_s", "fixes")
_TYPES: Final = {
    "id": "uuid",
    "device_id": "uuid",
    "vehicle_id": "uuid",
    "started_at": "timestamptz",
    "ended_at": "timestamptz",
    "status": "text",
    "distance_source": "text",
    "fixes": "int4",
}
_TRIP_COLUMNS: Final = (
    "id", "device_id", "vehicle_id", "started_at", "start_latitude", "start_longitude",
    *_TRIP_FIELDS,
)  # fmt: skip
_STOP_COLUMNS: Final = (
    "id", "device_id", "vehicle_id", "started_at", "latitude", "longitude", *_STOP_FIELDS,
)  # fmt: skip

# The driver at a trip's start: a confirmed reservation of the vehicle with a driver, running
# then; else the driver assigned to the vehicle now (the assignment keeps no history).
_DRIVER_AT_START = """(select coalesce(
    (select r.driver_id from reservations r
     where r.tenant_id = $1 and r.vehicle_id = i.vehicle_id and r.driver_id is not null
       and r.status in ('confirmed', 'completed')
       and r.starts_at <= i.started_at and r.ends_at > i.started_at
     order by r.starts_at desc limit 1),
    (select d.id from drivers d where d.tenant_id = $1 and d.assigned_vehicle_id = i.vehicle_id
     order by d.id limit 1)))"""


def _upsert(table: str, columns: tuple[str, ...], fields: tuple[str, ...], extra: str) -> str:
    """Many rows in one statement, keyed by (tenant, device, start): each inserted, or updated
    when a figure changed, and returned with whether it was new and its status before."""
    arrays = ", ".join(f"${n}::{_TYPES.get(c, 'float8')}[]" for n, c in enumerate(columns, 2))
    names = ", ".join(columns)
    extra_columns, extra_values = (", driver_id", f", {extra}") if extra else ("", "")
    return f"""
with input as (select * from unnest({arrays}) as i({names})),
old as (
    select o.device_id, o.started_at, o.status from {table} o
    join input i on o.device_id = i.device_id and o.started_at = i.started_at
    where o.tenant_id = $1
),
up as (
    insert into {table} as t (tenant_id{extra_columns}, {names})
    select $1{extra_values}, {", ".join(f"i.{c}" for c in columns)} from input i
    on conflict (tenant_id, device_id, started_at) do update set
        {", ".join(f"{f} = excluded.{f}" for f in fields)},
        version = t.version + 1, updated_at = now()
    where ({", ".join(f"t.{f}" for f in fields)})
        is distinct from ({", ".join(f"excluded.{f}" for f in fields)})
    returning t.*, (t.xmax = 0) as inserted
)
select up.*, old.status as old_status from up
left join old on old.device_id = up.device_id and old.started_at = up.started_at
"""  # noqa: S608 - our own table and column names


_UPSERT_TRIPS: Final = _upsert("trips", _TRIP_COLUMNS, _TRIP_FIELDS, _DRIVER_AT_START)
_UPSERT_STOPS: Final = _upsert("stops", _STOP_COLUMNS, _STOP_FIELDS, "")

_DELETE_FROM = """
delete from {table} where tenant_id = $1 and device_id = $2 and started_at >= $3
    and not (started_at = any($4::timestamptz[]))
returning *
"""

_EVENTS = """
insert into events (tenant_id, type, entity_type, entity_id, actor_type, changes)
select $1, e.type, e.entity_type, e.entity_id, $2, e.changes::jsonb
from unnest($3::text[], $4::text[], $5::uuid[], $6::text[]) with ordinality
    as e(type, entity_type, entity_id, changes, n)
order by e.n
"""


@dataclass(frozen=True, slots=True)
class EventRow:
    type: str
    entity_type: str
    entity_id: uuid.UUID
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class TripRow:
    device_id: uuid.UUID
    vehicle_id: uuid.UUID
    trip: TripDraft
    completed: bool

    def values(self) -> tuple[object, ...]:
        trip, done = self.trip, self.completed
        f = trip_figures(trip)
        return (
            uuid7(), self.device_id, self.vehicle_id, trip.started_at,
            trip.start_latitude, trip.start_longitude,
            "completed" if done else "open",
            trip.ended_at if done else None,
            trip.end_latitude if done else None,
            trip.end_longitude if done else None,
            f.distance_m, f.distance_source, f.duration_s, f.driving_s, f.idle_s,
            f.max_speed_kmh, f.avg_speed_kmh, f.fuel_used_l, f.fuel_used_pct, trip.fixes,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class StopRow:
    device_id: uuid.UUID
    vehicle_id: uuid.UUID
    stop: StopDraft

    def values(self) -> tuple[object, ...]:
        stop = self.stop
        return (
            uuid7(), self.device_id, self.vehicle_id, stop.started_at,
            stop.latitude, stop.longitude,
            "open" if stop.ended_at is None else "completed",
            stop.ended_at, stop_duration_s(stop), round(stop.idle_s, 3), stop.fixes,
        )  # fmt: skip


def trip_snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """What a trip event says about it (ids as text, times ISO)."""
    return {
        k: _plain(row[k])
        for k in ("vehicle_id", "device_id", "driver_id", "started_at", *_TRIP_FIELDS)
    }


def stop_snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("vehicle_id", "device_id", "started_at", "latitude", "longitude", *_STOP_FIELDS)
    return {k: _plain(row[k]) for k in keys}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


class TripStore:
    def __init__(self, conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self.checkpoints = DeviceCheckpoints(conn, tenant_id, "trip_detectors")

    async def stop_after_s(self) -> int | None:
        value = await self.conn.fetchval(_SETTINGS, self.tenant_id)
        return int(value) if value is not None else None

    async def positions_after(
        self, device_id: uuid.UUID, after: datetime
    ) -> AsyncIterator[list[Fix]]:
        """The device's valid fixes after ``after``, in chunks, oldest first."""
        chunks = stored_after(self.conn, _POSITIONS, self.tenant_id, device_id, after, REPLAY_CHUNK)
        async for rows in chunks:
            yield [
                Fix(
                    row["fix_time"],
                    row["latitude"],
                    row["longitude"],
                    row["speed_kmh"],
                    row["ignition"],
                    row["odometer_m"],
                    row["fuel_used_l"],
                    row["fuel_level_pct"],
                )
                for row in rows
            ]

    async def rederive_from(self, device_id: uuid.UUID, moment: datetime) -> datetime:
        """Where to derive the device's trips again for a fix at ``moment``."""
        value: datetime = await self.conn.fetchval(
            _REDERIVE_FROM, self.tenant_id, device_id, moment
        )
        return value

    async def upsert_trips(self, rows: Sequence[TripRow]) -> list[asyncpg.Record]:
        """Insert or update the trips; returns those written (a row as it was is left out)."""
        if not rows:
            return []
        columns = list(zip(*(row.values() for row in rows), strict=True))
        return list(await self.conn.fetch(_UPSERT_TRIPS, self.tenant_id, *map(list, columns)))

    async def upsert_stops(self, rows: Sequence[StopRow]) -> list[asyncpg.Record]:
        if not rows:
            return []
        columns = list(zip(*(row.values() for row in rows), strict=True))
        return list(await self.conn.fetch(_UPSERT_STOPS, self.tenant_id, *map(list, columns)))

    async def delete_from(
        self,
        table: Literal["trips", "stops"],
        device_id: uuid.UUID,
        since: datetime,
        keep: Sequence[datetime],
    ) -> list[asyncpg.Record]:
        """The device's trips or stops starting at or after ``since``, except those in
        ``keep`` (the ones a replay derived again), deleted and returned."""
        return list(
            await self.conn.fetch(
                _DELETE_FROM.format(table=table), self.tenant_id, device_id, since, list(keep)
            )
        )

    async def events(self, events: Sequence[EventRow]) -> None:
        if not events:
            return
        await self.conn.execute(
            _EVENTS,
            self.tenant_id,
            ActorType.SYSTEM.value,
            [e.type for e in events],
            [e.entity_type for e in events],
            [e.entity_id for e in events],
            [json.dumps(diff(e.before, e.after)) for e in events],
        )
