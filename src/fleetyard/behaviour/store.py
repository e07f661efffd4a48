"""The detector's SQL on a raw asyncpg connection already scoped to one tenant (``app.tenant_id``
set for the transaction): detector states, the tenant's zone, vehicles' types, the positions a
replay reads, driving events (inserted once per device, kind and start), their event-log rows
and alerts through the shared alert store."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import asyncpg

from fleetyard.auth.principal import ActorType
from fleetyard.behaviour.records import (
    CORNERING,
    HARSH_KINDS,
    IDLING,
    SPEEDING,
    Detected,
    Fix,
    Sample,
)
from fleetyard.events.service import diff
from fleetyard.kit.ids import uuid7
from fleetyard.realtime.items import ALERT_CLEARED, ALERT_OPENED
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.ingest.stages import DeviceCheckpoints, stored_after
from fleetyard.telematics.rules.conditions import AlertKey, Condition, Severity
from fleetyard.telematics.rules.store import ENTITY_TYPE as ALERT_ENTITY
from fleetyard.telematics.rules.store import AlertStore, live_alert

REPLAY_CHUNK: Final = 5_000
ENTITY_TYPE: Final = "driving_event"
EVENT_TYPE: Final = "driving_event_recorded"
HARSH_ALERT: Final = "harsh_event"  # alert kinds (fleetyard.alerts.rules.kinds)
SPEEDING_ALERT: Final = "speeding"
IDLING_ALERT: Final = "idling"
# Alarm names (GT06 and others) that are harsh driving reported by the device.
REPORTED_ALARMS: Final = frozenset(HARSH_KINDS)
# Teltonika green driving value: the force of the reported harsh event in g × 100.
GREEN_DRIVING_VALUE_IO: Final = "254"
MAX_REPORTED_G: Final = 2.0


def reported_g(raw_io: object) -> float | None:
    """The g a Teltonika device measured for its green-driving event (IO 254, g × 100), if
    it sent a plausible one."""
    value = raw_io.get(GREEN_DRIVING_VALUE_IO) if isinstance(raw_io, dict) else raw_io
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    g = float(value) / 100
    return round(g, 2) if 0 < g <= MAX_REPORTED_G else None


_ZONE = "select time_zone from tenants where id = $1"
_VEHICLES = """
select id, type, coalesce(nullif(btrim(plate), ''), nullif(btrim(name), ''), vin) as label
from vehicles where tenant_id = $1 and id = any($2::uuid[])
"""
_POSITIONS = f"""
select fix_time, latitude, longitude, speed_kmh, course, ignition, hdop, satellites,
    attributes->'{attr.ACCURACY_M}' as accuracy_m,
    attributes->'{attr.HARSH_BRAKING}' as harsh_braking,
    attributes->'{attr.HARSH_ACCELERATION}' as harsh_acceleration,
    attributes->'{attr.HARSH_CORNERING}' as harsh_cornering,
    attributes->>'{attr.ALARM}' as alarm,
    attributes->'{attr.IO}'->'{GREEN_DRIVING_VALUE_IO}' as green_driving_value
from positions
where tenant_id = $1 and device_id = $2 and valid and fix_time > $3
order by fix_time
limit {REPLAY_CHUNK}
"""  # noqa: S608 - attribute keys are our own constants

_COLUMNS: Final = (
    "duration_s",
    "speed_kmh",
    "peak_g",
    "delta_kmh",
    "limit_kmh",
    "limit_source",
    "max_speed_kmh",
    "excess_kmh",
    "mean_excess_kmh",
    "distance_m",
)
# The driver at the event's start, by the trips' rule: a confirmed reservation of the vehicle
# with a driver, running then; else the driver assigned to the vehicle now.
_DRIVER_AT = """(select coalesce(
    (select r.driver_id from reservations r
     where r.tenant_id = $1 and r.vehicle_id = $4 and r.driver_id is not null
       and r.status in ('confirmed', 'completed') and r.starts_at <= $8 and r.ends_at > $8
     order by r.starts_at desc limit 1),
    (select d.id from drivers d where d.tenant_id = $1 and d.assigned_vehicle_id = $4
     order by d.id limit 1)))"""
_INSERT = f"""
insert into driving_events (tenant_id, id, device_id, vehicle_id, driver_id, kind, source,
    severity, started_at, ended_at, latitude, longitude, details, fixes, {", ".join(_COLUMNS)})
values ($1, $2, $3, $4, {_DRIVER_AT}, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb,
    {", ".join(f"${n}" for n in range(14, 14 + len(_COLUMNS)))})
on conflict (tenant_id, device_id, kind, started_at) do nothing
returning driver_id
"""  # noqa: S608 - our own column names
_EVENT = """
insert into events (tenant_id, type, entity_type, entity_id, actor_type, changes)
values ($1, $2, $3, $4, $5, $6::jsonb)
"""
# A batch's driving events in one statement (the same rule for the driver, per row).
_COLUMN_TYPES: Final = {"limit_source": "text"}
_INSERT_ALL = f"""
insert into driving_events (tenant_id, id, device_id, vehicle_id, driver_id, kind, source,
    severity, started_at, ended_at, latitude, longitude, details, fixes, {", ".join(_COLUMNS)})
select $1, e.id, e.device_id, e.vehicle_id, (select coalesce(
        (select r.driver_id from reservations r
         where r.tenant_id = $1 and r.vehicle_id = e.vehicle_id and r.driver_id is not null
           and r.status in ('confirmed', 'completed') and r.starts_at <= e.started_at
           and r.ends_at > e.started_at
         order by r.starts_at desc limit 1),
        (select d.id from drivers d where d.tenant_id = $1 and d.assigned_vehicle_id = e.vehicle_id
         order by d.id limit 1))),
    e.kind, e.source, e.severity, e.started_at, e.ended_at, e.latitude, e.longitude,
    e.details::jsonb, e.fixes::jsonb, {", ".join(f"e.{c}" for c in _COLUMNS)}
from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[],
    $8::timestamptz[], $9::timestamptz[], $10::float8[], $11::float8[], $12::text[],
    $13::text[], {
    ", ".join(f"${n}::{_COLUMN_TYPES.get(c, 'float8')}[]" for n, c in enumerate(_COLUMNS, 14))
})
    with ordinality as e(id, device_id, vehicle_id, kind, source, severity, started_at,
        ended_at, latitude, longitude, details, fixes, {", ".join(_COLUMNS)}, n)
order by e.n
on conflict (tenant_id, device_id, kind, started_at) do nothing
returning id, driver_id
"""  # noqa: S608 - our own column names
_OPEN_OF_KINDS = """
select 1 from alerts
where tenant_id = $1 and vehicle_id = any($2::uuid[]) and kind = any($3::text[])
  and cleared_at is null
limit 1
"""
# Raised and cleared at once: each row goes in already cleared.
_ALERTS_CLEARED = """
insert into alerts (tenant_id, id, vehicle_id, device_id, kind, code, severity, message,
    details, opened_at, last_seen_at, cleared_at)
select $1, a.id, a.vehicle_id, a.device_id, a.kind, a.code, a.severity, a.message,
    a.details::jsonb, a.opened_at, a.last_seen_at, a.last_seen_at
from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[]) with ordinality
    as a(id, vehicle_id, device_id, kind, code, severity, message, details, opened_at,
         last_seen_at, n)
order by a.n
returning *
"""
_EVENTS = """
insert into events (tenant_id, type, entity_type, entity_id, actor_type, changes)
select $1, e.type, e.entity_type, e.entity_id, $5, e.changes::jsonb
from unnest($2::text[], $3::text[], $4::uuid[], $6::text[]) with ordinality
    as e(type, entity_type, entity_id, changes, n)
order by e.n
"""


@dataclass(frozen=True, slots=True)
class VehicleInfo:
    type: str | None
    label: str


def reported_kinds(attributes: dict[str, Any] | None, alarm: str | None = None) -> tuple[str, ...]:
    """Harsh kinds a device reported with a fix: Teltonika green driving (IO 253 → the
    ``harsh_*`` flags) and alarms named like them (GT06 0x29, 0x2A/0x2B, 0x30)."""
    found = [k for k in HARSH_KINDS if attributes and attributes.get(k) is True]
    name = alarm if alarm is not None else (attributes or {}).get(attr.ALARM)
    if name in REPORTED_ALARMS and name not in found:
        found.append(name)
    return tuple(found)


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _row_fix(row: asyncpg.Record) -> Fix:
    flags = {k: json.loads(row[k]) if row[k] is not None else None for k in HARSH_KINDS}
    accuracy = json.loads(row["accuracy_m"]) if row["accuracy_m"] is not None else None
    return Fix(
        row["fix_time"],
        row["latitude"],
        row["longitude"],
        row["speed_kmh"],
        row["course"],
        row["ignition"],
        row["hdop"],
        _number(accuracy),
        row["satellites"],
        reported_kinds(flags, row["alarm"]),
        reported_g=reported_g(
            json.loads(row["green_driving_value"]) if row["green_driving_value"] else None
        ),
    )


def event_snapshot(
    event_id: uuid.UUID,
    device_id: uuid.UUID,
    vehicle_id: uuid.UUID,
    driver_id: uuid.UUID | None,
    found: Detected,
) -> dict[str, Any]:
    """What the event log says about a driving event (ids as text, times ISO)."""
    measured = {c: getattr(found, c) for c in _COLUMNS if getattr(found, c) is not None}
    return {
        "id": str(event_id),
        "kind": found.kind,
        "source": found.source,
        "severity": found.severity,
        "vehicle_id": str(vehicle_id),
        "device_id": str(device_id),
        "driver_id": str(driver_id) if driver_id else None,
        "started_at": found.started_at.isoformat(),
        "ended_at": found.ended_at.isoformat(),
        "latitude": found.latitude,
        "longitude": found.longitude,
    } | measured


@dataclass(frozen=True, slots=True)
class Found:
    """A detected event of a device, waiting to be recorded."""

    device_id: uuid.UUID
    vehicle_id: uuid.UUID
    vehicle: VehicleInfo
    event: Detected


class BehaviourStore:
    def __init__(self, conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self.alerts = AlertStore(conn, tenant_id)
        self.checkpoints = DeviceCheckpoints(conn, tenant_id, "behaviour_detectors")

    async def zone(self) -> str | None:
        value = await self.conn.fetchval(_ZONE, self.tenant_id)
        return str(value) if value else None

    async def vehicles(self, vehicle_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, VehicleInfo]:
        rows = await self.conn.fetch(_VEHICLES, self.tenant_id, list(vehicle_ids))
        return {r["id"]: VehicleInfo(r["type"], r["label"] or "A vehicle") for r in rows}

    async def positions_after(
        self, device_id: uuid.UUID, after: datetime
    ) -> AsyncIterator[list[Fix]]:
        """The device's valid fixes after ``after``, in chunks, oldest first."""
        chunks = stored_after(self.conn, _POSITIONS, self.tenant_id, device_id, after, REPLAY_CHUNK)
        async for rows in chunks:
            yield [_row_fix(row) for row in rows]

    async def record(
        self,
        device_id: uuid.UUID,
        vehicle_id: uuid.UUID,
        vehicle: VehicleInfo,
        found: Detected,
    ) -> uuid.UUID | None:
        """Insert the event once (a replay finds it there); its event-log row and alert. The
        new row's id, or None when it was there already."""
        event_id = uuid7()
        row = await self.conn.fetchrow(
            _INSERT,
            self.tenant_id,
            event_id,
            device_id,
            vehicle_id,
            found.kind,
            found.source,
            found.severity,
            found.started_at,
            found.ended_at,
            found.latitude,
            found.longitude,
            json.dumps(found.details),
            json.dumps([s.to_json() for s in found.fixes]),
            *(getattr(found, c) for c in _COLUMNS),
        )
        if row is None:
            return None
        driver_id: uuid.UUID | None = row["driver_id"]
        snapshot = event_snapshot(event_id, device_id, vehicle_id, driver_id, found)
        await self.conn.execute(
            _EVENT,
            self.tenant_id,
            EVENT_TYPE,
            ENTITY_TYPE,
            event_id,
            ActorType.SYSTEM.value,
            json.dumps(diff(None, snapshot)),
        )
        await self._alert(device_id, vehicle_id, vehicle.label, event_id, found)
        return event_id

    async def record_all(self, found: Sequence[Found]) -> int:
        """A batch's events, in order, in four statements however many there are (a harsh
        road shakes a whole fleet at once): the events (each once: a replay finds it there),
        whether any alert of these kinds is open for these vehicles, their alerts (raised and
        cleared at once) and every event-log row. If some such alert is open, which the
        one-by-one path would mark seen and clear, the events go one by one. How many were
        new."""
        if not found:
            return 0
        vehicles = sorted({f.vehicle_id for f in found})
        kinds = [HARSH_ALERT, SPEEDING_ALERT, IDLING_ALERT]
        if await self.conn.fetchval(_OPEN_OF_KINDS, self.tenant_id, vehicles, kinds):
            new = 0
            for f in found:
                if await self.record(f.device_id, f.vehicle_id, f.vehicle, f.event) is not None:
                    new += 1
            return new
        unique: dict[tuple[uuid.UUID, str, datetime], Found] = {}
        for f in found:  # the first of a device, kind and start wins, as one by one
            unique.setdefault((f.device_id, f.event.kind, f.event.started_at), f)
        ids = {uuid7(): f for f in unique.values()}
        events = list(ids.values())
        rows = await self.conn.fetch(
            _INSERT_ALL,
            self.tenant_id,
            list(ids),
            [f.device_id for f in events],
            [f.vehicle_id for f in events],
            [f.event.kind for f in events],
            [f.event.source for f in events],
            [f.event.severity for f in events],
            [f.event.started_at for f in events],
            [f.event.ended_at for f in events],
            [f.event.latitude for f in events],
            [f.event.longitude for f in events],
            [json.dumps(f.event.details) for f in events],
            [json.dumps([s.to_json() for s in f.event.fixes]) for f in events],
            *([getattr(f.event, c) for f in events] for c in _COLUMNS),
        )
        drivers = {row["id"]: row["driver_id"] for row in rows}
        recorded: list[tuple[uuid.UUID, Found, dict[str, Any], uuid.UUID | None]] = []
        alerts: list[tuple[uuid.UUID, Found, Condition]] = []
        for event_id, f in ids.items():
            if event_id not in drivers:
                continue  # recorded before
            snapshot = event_snapshot(
                event_id, f.device_id, f.vehicle_id, drivers[event_id], f.event
            )
            condition = _condition(f.vehicle.label, event_id, f.event)
            alert_id = uuid7() if condition is not None else None
            if condition is not None and alert_id is not None:
                alerts.append((alert_id, f, condition))
            recorded.append((event_id, f, snapshot, alert_id))
        by_id = {row["id"]: row for row in await self._alerts_cleared(alerts)} if alerts else {}
        conditions = {alert_id: condition for alert_id, _, condition in alerts}
        log: list[tuple[str, str, uuid.UUID, dict[str, Any]]] = []
        for event_id, f, snapshot, alert_id in recorded:  # in the one-by-one path's order
            log.append((EVENT_TYPE, ENTITY_TYPE, event_id, diff(None, snapshot)))
            if alert_id is None:
                continue
            row, condition = by_id[alert_id], conditions[alert_id]
            opened = live_alert(ALERT_OPENED, row)  # opened, then cleared at its end
            opened.payload.update(state="open", cleared_at=None)
            self.alerts.live += [opened, live_alert(ALERT_CLEARED, row)]
            alert = {
                "vehicle_id": str(f.vehicle_id),
                "kind": condition.key.kind,
                "code": condition.key.code,
                "severity": row["severity"],
                "message": row["message"],
                "opened_at": row["opened_at"].isoformat(),
            }
            cleared = {"cleared_at": f.event.ended_at.isoformat()}
            log.append(("alert_opened", ALERT_ENTITY, alert_id, diff(None, alert)))
            log.append(
                ("alert_cleared", ALERT_ENTITY, alert_id, diff({"cleared_at": None}, cleared))
            )
        if log:
            await self.conn.execute(
                _EVENTS,
                self.tenant_id,
                [kind for kind, _, _, _ in log],
                [entity for _, entity, _, _ in log],
                [entity_id for _, _, entity_id, _ in log],
                ActorType.SYSTEM.value,
                [json.dumps(changes) for _, _, _, changes in log],
            )
        return len(drivers)

    async def _alerts_cleared(
        self, alerts: Sequence[tuple[uuid.UUID, Found, Condition]]
    ) -> list[asyncpg.Record]:
        return list(
            await self.conn.fetch(
                _ALERTS_CLEARED,
                self.tenant_id,
                [alert_id for alert_id, _, _ in alerts],
                [f.vehicle_id for _, f, _ in alerts],
                [f.device_id for _, f, _ in alerts],
                [c.key.kind for _, _, c in alerts],
                [c.key.code for _, _, c in alerts],
                [c.severity.value for _, _, c in alerts],
                [c.message[:500] for _, _, c in alerts],
                [json.dumps(dict(c.details)) for _, _, c in alerts],
                [f.event.started_at for _, f, _ in alerts],
                [f.event.ended_at for _, f, _ in alerts],
            )
        )

    async def _alert(
        self,
        device_id: uuid.UUID,
        vehicle_id: uuid.UUID,
        label: str,
        event_id: uuid.UUID,
        found: Detected,
    ) -> None:
        """A record of the event: raised and cleared at once (a notification rule decides
        whether it is worth telling anyone). Speeding over a geofence's limit is alerted by
        the geofences already."""
        condition = _condition(label, event_id, found)
        if condition is None:
            return
        await self.alerts.raise_alert(
            vehicle_id, device_id, condition, found.started_at, found.ended_at
        )
        await self.alerts.clear(vehicle_id, condition.key, found.ended_at)


def _condition(label: str, event_id: uuid.UUID, found: Detected) -> Condition | None:
    details: dict[str, Any] = {
        "driving_event_id": str(event_id),
        "kind": found.kind,
        "source": found.source,
        "latitude": found.latitude,
        "longitude": found.longitude,
    }
    words = found.kind.replace("_", " ")
    if found.kind in HARSH_KINDS:
        measured = f" ({found.peak_g:.2f} g)" if found.peak_g is not None else ""
        if found.kind == CORNERING:
            words = "harsh cornering"
        return Condition(
            AlertKey(HARSH_ALERT, found.kind),
            Severity.WARNING,
            f"{label}: {words}{measured}",
            details | {"peak_g": found.peak_g, "severity": found.severity},
        )
    if found.kind == SPEEDING and found.limit_source != "geofence":
        return Condition(
            AlertKey(SPEEDING_ALERT, "road"),
            Severity.WARNING,
            f"{label} drove {found.max_speed_kmh:.0f} km/h where the limit is "
            f"{found.limit_kmh:.0f} for {found.duration_s:.0f} s",
            details
            | {
                "limit_kmh": found.limit_kmh,
                "limit_source": found.limit_source,
                "max_speed_kmh": found.max_speed_kmh,
                "excess_kmh": found.excess_kmh,
                "duration_s": found.duration_s,
            },
        )
    if found.kind == IDLING:
        return Condition(
            AlertKey(IDLING_ALERT, ""),
            Severity.INFO,
            f"{label} idled for {found.duration_s / 60:.0f} min",
            details | {"duration_s": found.duration_s},
        )
    return None


__all__ = ["BehaviourStore", "Found", "Sample", "VehicleInfo", "event_snapshot", "reported_kinds"]
