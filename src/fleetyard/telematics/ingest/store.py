"""Durable, idempotent position storage: binary COPY into a session-temporary table, then
one INSERT … ON CONFLICT DO NOTHING per tenant (row-level security stays on), then the
latest valid fix per vehicle into vehicle_state — all in one transaction."""

from __future__ import annotations

import json
import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from fleetyard.telematics.ingest.directory import DeviceRoute
from fleetyard.telematics.position import Position

COLUMNS = (
    "tenant_id",
    "device_id",
    "fix_time",
    "vehicle_id",
    "server_time",
    "protocol",
    "latitude",
    "longitude",
    "speed_kmh",
    "course",
    "altitude_m",
    "satellites",
    "hdop",
    "valid",
    "invalid_reason",
    "ignition",
    "odometer_m",
    "attributes",
)
_COLUMN_LIST = ", ".join(COLUMNS)

_STAGING = f"""
create temp table if not exists positions_in
    as select {_COLUMN_LIST} from positions with no data
"""  # noqa: S608 - fixed column names

_INSERT = f"""
insert into positions ({_COLUMN_LIST})
select {_COLUMN_LIST} from positions_in where tenant_id = $1
on conflict do nothing
returning device_id, fix_time
"""  # noqa: S608 - fixed column names

_STATE = """
insert into vehicle_state as s (tenant_id, vehicle_id, device_id, fix_time, server_time,
    latitude, longitude, speed_kmh, course, altitude_m, satellites, ignition, odometer_m,
    attributes)
select distinct on (vehicle_id) tenant_id, vehicle_id, device_id, fix_time, server_time,
    latitude, longitude, speed_kmh, course, altitude_m, satellites, ignition, odometer_m,
    attributes
from positions_in
where tenant_id = $1 and valid and vehicle_id is not null
order by vehicle_id, fix_time desc
on conflict (tenant_id, vehicle_id) do update set
    device_id = excluded.device_id, fix_time = excluded.fix_time,
    server_time = excluded.server_time, latitude = excluded.latitude,
    longitude = excluded.longitude, speed_kmh = excluded.speed_kmh, course = excluded.course,
    altitude_m = excluded.altitude_m, satellites = excluded.satellites,
    ignition = coalesce(excluded.ignition, s.ignition),
    odometer_m = coalesce(excluded.odometer_m, s.odometer_m),
    attributes = s.attributes || excluded.attributes
where s.fix_time < excluded.fix_time
"""


@dataclass(slots=True)
class Resolved:
    """A decoded position on its way to storage, with where it belongs and its verdict."""

    route: DeviceRoute
    position: Position
    server_time: datetime
    invalid_reason: str | None = None

    @property
    def valid(self) -> bool:
        return self.invalid_reason is None

    def record(self) -> tuple[object, ...]:
        p = self.position
        return (
            self.route.tenant_id,
            self.route.device_id,
            p.fix_time,
            self.route.vehicle_id,
            self.server_time,
            p.protocol,
            p.latitude,
            p.longitude,
            p.speed_kmh,
            p.course,
            p.altitude_m,
            p.satellites,
            p.hdop,
            self.valid,
            self.invalid_reason,
            p.ignition,
            p.odometer_m,
            _jsonb_text(p.attributes),
        )


def _jsonb_text(attributes: dict[str, Any]) -> str:
    """The attributes as jsonb text. Nearly every map is plain JSON already and is dumped as is
    (orjson, which also writes NaN and infinities as null); only one with an odd value or key,
    or a NUL character, is cleaned first (slower)."""
    try:
        text = orjson.dumps(attributes, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(_jsonb_safe(attributes), default=str)
    if "\\u0000" in text:
        return json.dumps(_jsonb_safe(attributes), default=str)
    return text


def _jsonb_safe(value: object) -> object:
    """What jsonb refuses would fail the whole batch (and every device in it): NaN and
    infinities become null, NUL characters are dropped."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): _jsonb_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonb_safe(v) for v in value]
    return value


_ENQUEUE = """
insert into stage_queue (records, tenants, devices, first_fix, last_fix)
values ($1, $2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[])
"""


def stage_row(
    fresh: Sequence[Resolved],
) -> tuple[int, list[uuid.UUID], list[uuid.UUID], list[datetime], list[datetime]]:
    """The ``stage_queue`` row naming a batch's new records: per device its tenant and its
    first and last new fix time (the stage workers read the positions back by these)."""
    spans: dict[uuid.UUID, tuple[uuid.UUID, datetime, datetime]] = {}
    for item in fresh:
        at = item.position.fix_time
        device = item.route.device_id
        span = spans.get(device)
        if span is None:
            spans[device] = (item.route.tenant_id, at, at)
        elif at < span[1] or at > span[2]:
            spans[device] = (span[0], min(at, span[1]), max(at, span[2]))
    devices = list(spans)
    return (
        len(fresh),
        [spans[d][0] for d in devices],
        devices,
        [spans[d][1] for d in devices],
        [spans[d][2] for d in devices],
    )


async def write_batch(
    conn: asyncpg.Connection, batch: Sequence[Resolved], *, queue: bool = False
) -> list[Resolved]:
    """Store the batch durably; returns the items that were new (not resends). ``queue``: also
    name the new records in ``stage_queue`` (one row, same transaction) for the stage
    workers."""
    by_tenant: dict[uuid.UUID, list[Resolved]] = defaultdict(list)
    for item in batch:
        by_tenant[item.route.tenant_id].append(item)
    records = [item.record() for item in batch]  # before BEGIN: the transaction stays short
    fresh: list[Resolved] = []
    async with conn.transaction():
        await conn.execute(_STAGING)
        await conn.execute("truncate positions_in")
        await conn.copy_records_to_table("positions_in", records=records, columns=COLUMNS)
        for tenant_id, items in by_tenant.items():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
            inserted = await conn.fetch(_INSERT, tenant_id)
            await conn.execute(_STATE, tenant_id)
            if len(inserted) == len(items):  # the usual case: no resends, all of them new
                fresh.extend(items)
                continue
            keys = {(device_id, fix_time) for device_id, fix_time in inserted}
            fresh.extend(i for i in items if (i.route.device_id, i.position.fix_time) in keys)
        if queue and fresh:  # app.tenant_id is the last tenant's: one the row names
            await conn.execute(_ENQUEUE, *stage_row(fresh))
    return fresh
