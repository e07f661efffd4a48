"""``stage_queue`` for the stage workers: claim stored batches, take their tenants, read the
positions they name back as the records the stages take.

A row names, per device, its tenant and the first and last new fix time of the batch; the
positions are read back per tenant through the app role with the tenant set (row-level
security as everywhere), so a row can only make a worker look at a tenant's own positions.
A device's span may hold a fix stored earlier by another batch (a resend between two new
ones): the stages take a fix they have seen as a late one, exactly as after a restart.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Final

import asyncpg
import orjson

from fleetyard.telematics.ingest.directory import DeviceRoute
from fleetyard.telematics.ingest.store import Resolved
from fleetyard.telematics.position import Position

CLAIM = """
select id, stored_at, records, tenants, devices, first_fix, last_fix from stage_queue
order by id limit $1 for update skip locked
"""

# Locks the tenants' rows for the claim's transaction (a row the WHERE leaves alone is locked
# all the same), in tenant order so two workers wait instead of deadlocking; returns the
# tenants this worker did not hold last (new, or run by another worker since).
TAKE_TENANTS = """
insert into stage_owners as o (tenant_id, worker)
select t, $2 from unnest($1::uuid[]) as t order by t
on conflict (tenant_id) do update set worker = excluded.worker, since = now()
    where o.worker <> excluded.worker
returning tenant_id
"""

DONE = "delete from stage_queue where id = any($1::bigint[])"

DEPTH = """
select count(*) as batches, coalesce(sum(records), 0) as records,
    coalesce(extract(epoch from clock_timestamp() - min(stored_at)), 0) as lag_s
from stage_queue
"""

_READ = """
select p.device_id, p.fix_time, p.vehicle_id, p.server_time, p.protocol, p.latitude,
    p.longitude, p.valid, p.speed_kmh, p.course, p.altitude_m, p.satellites, p.hdop,
    p.invalid_reason, p.ignition, p.odometer_m, p.attributes::text as attributes
from unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[]) as r(d, f, l)
join positions p on p.tenant_id = $1 and p.device_id = r.d
    and p.fix_time >= r.f and p.fix_time <= r.l
where p.fix_time >= $5 and p.fix_time <= $6
"""


@dataclass
class Spans:
    """What claimed rows name for one tenant: per device its spans of fix time."""

    devices: list[uuid.UUID]
    first: list[datetime]
    last: list[datetime]


_DEVICE_THEN_FIX: Final = itemgetter(0, 1)  # _READ's device_id, fix_time


def spans_by_tenant(rows: Sequence[asyncpg.Record]) -> dict[uuid.UUID, Spans]:
    found: dict[uuid.UUID, Spans] = defaultdict(lambda: Spans([], [], []))
    for row in rows:
        for tenant, device, first, last in zip(
            row["tenants"], row["devices"], row["first_fix"], row["last_fix"], strict=True
        ):
            spans = found[tenant]
            spans.devices.append(device)
            spans.first.append(first)
            spans.last.append(last)
    return dict(found)


async def read_tenant(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, spans: Spans
) -> list[Resolved]:
    """The tenant's stored positions the spans name, each once, in fix time order per device
    (on a connection in a transaction)."""
    await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
    rows = await conn.fetch(
        _READ,
        tenant_id,
        spans.devices,
        spans.first,
        spans.last,
        min(spans.first),
        max(spans.last),
    )
    items: list[Resolved] = []
    routes: dict[tuple[uuid.UUID, uuid.UUID | None], DeviceRoute] = {}
    previous: tuple[uuid.UUID, datetime] | None = None
    # by position, not by name: a few hundred thousand rows a second go through this loop
    for (
        device_id,
        fix_time,
        vehicle_id,
        server_time,
        protocol,
        latitude,
        longitude,
        valid,
        speed_kmh,
        course,
        altitude_m,
        satellites,
        hdop,
        invalid_reason,
        ignition,
        odometer_m,
        attributes,
    ) in sorted(rows, key=_DEVICE_THEN_FIX):
        if previous == (device_id, fix_time):  # two spans of one device overlapped
            continue
        previous = (device_id, fix_time)
        route = routes.get((device_id, vehicle_id))
        if route is None:
            route = routes[device_id, vehicle_id] = DeviceRoute(tenant_id, device_id, vehicle_id)
        position = Position(
            "",  # the hardware id: no stage needs it
            protocol,
            fix_time,
            latitude,
            longitude,
            valid,
            speed_kmh,
            course,
            altitude_m,
            satellites,
            hdop,
            ignition,
            odometer_m,
            orjson.loads(attributes) if attributes else {},
        )
        items.append(Resolved(route, position, server_time, invalid_reason))
    return items
