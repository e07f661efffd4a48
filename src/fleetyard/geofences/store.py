"""The evaluator's SQL, on a raw asyncpg connection of the ingest pool (app role, the tenant
set for the transaction, so row-level security applies): what a tenant's index is built from,
its vehicles' presence, and the writes of one batch (presence rows, ``geofence_*`` events
and, where a fence asks, alerts through the shared alert store)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import asyncpg

from fleetyard.auth.principal import ActorType
from fleetyard.events.service import diff
from fleetyard.geofences.evaluate import (
    Change,
    Dwelt,
    Entered,
    Exited,
    Presence,
    SpeedingEnded,
)
from fleetyard.geofences.index import Fence
from fleetyard.models import Event
from fleetyard.realtime.items import LiveItem
from fleetyard.realtime.publishers import event_item
from fleetyard.telematics.rules.conditions import AlertKey, Condition, Severity
from fleetyard.telematics.rules.store import AlertStore

ENTITY_TYPE: Final = "geofence"
GEOFENCE_ALERT: Final = "geofence"  # alert kinds (fleetyard.alerts.rules.kinds)
SPEEDING_ALERT: Final = "speeding"

_FENCES = """
select id, name, geometry, radius_m, all_vehicles, group_ids, speed_limit_kmh, active_hours,
       dwell_minutes, alert_on
from geofences where tenant_id = $1
"""
_ZONE = "select time_zone from tenants where id = $1"
_VEHICLES = "select id, group_id, coalesce(nullif(btrim(plate), ''), nullif(btrim(name), ''), vin) "
_VEHICLES += "as label from vehicles where tenant_id = $1"
_GROUPS = "select id, parent_id from groups where tenant_id = $1"
_PRESENCE = "select * from geofence_presence where tenant_id = $1"

_UPSERT = """
insert into geofence_presence as p (tenant_id, vehicle_id, geofence_id, device_id, entered_at,
    last_fix_at, dwell_reported_at, speeding_since, speeding_max_kmh)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
on conflict (tenant_id, vehicle_id, geofence_id) do update set
    device_id = excluded.device_id, entered_at = excluded.entered_at,
    last_fix_at = excluded.last_fix_at, dwell_reported_at = excluded.dwell_reported_at,
    speeding_since = excluded.speeding_since, speeding_max_kmh = excluded.speeding_max_kmh
"""
_DELETE = """
delete from geofence_presence where tenant_id = $1 and vehicle_id = $2 and geofence_id = $3
"""
_EVENTS = """
insert into events (tenant_id, type, entity_type, entity_id, actor_type, changes)
select $1, e.type, $5, e.entity_id, $6, e.changes::jsonb
from unnest($2::text[], $3::uuid[], $4::text[]) with ordinality as e(type, entity_id, changes, n)
order by e.n
returning id, occurred_at
"""


@dataclass(frozen=True, slots=True)
class TenantRows:
    fences: list[asyncpg.Record]
    zone: str | None
    vehicles: list[asyncpg.Record]
    groups: list[asyncpg.Record]


async def scoped(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))


async def load_tenant(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> TenantRows:
    """Everything a tenant's index is built from (in the caller's scoped transaction)."""
    fences = await conn.fetch(_FENCES, tenant_id)
    zone = await conn.fetchval(_ZONE, tenant_id)
    vehicles = await conn.fetch(_VEHICLES, tenant_id) if fences else []
    groups = await conn.fetch(_GROUPS, tenant_id) if fences else []
    return TenantRows(fences, zone, vehicles, groups)


async def load_presence(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(_PRESENCE, tenant_id))


def fence_row(row: asyncpg.Record) -> dict[str, Any]:
    """A fences row with its JSON decoded (asyncpg hands jsonb over as text)."""
    values = dict(row)
    for key in ("geometry", "active_hours"):
        if isinstance(values[key], str):
            values[key] = json.loads(values[key])
    return values


@dataclass
class BatchWrites:
    """What one tenant's batch writes, gathered by the handler and written in one go."""

    tenant_id: uuid.UUID
    labels: Mapping[uuid.UUID, str]
    changes: list[tuple[uuid.UUID, Change]] = field(default_factory=list)
    upserts: list[tuple[uuid.UUID, Presence]] = field(default_factory=list)
    deletes: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    live: list[LiveItem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes or self.upserts or self.deletes)


async def write(conn: asyncpg.Connection, batch: BatchWrites) -> None:
    """In the caller's scoped transaction. Deletes first: a vehicle that left and came back
    within the batch has its new row upserted after the old one went."""
    tenant = batch.tenant_id
    if batch.deletes:
        await conn.executemany(_DELETE, [(tenant, v, g) for v, g in batch.deletes])
    if batch.upserts:
        await conn.executemany(
            _UPSERT,
            [
                (
                    tenant,
                    vehicle_id,
                    p.geofence_id,
                    p.device_id,
                    p.entered_at,
                    p.last_fix_at,
                    p.dwell_reported_at,
                    p.speeding_since,
                    p.speeding_max_kmh,
                )
                for vehicle_id, p in batch.upserts
            ],
        )
    alerts = AlertStore(conn, tenant)
    # the open alerts a transition may clear, read once (most transitions clear nothing)
    movers = sorted({v for v, c in batch.changes if isinstance(c, Entered | Exited)})
    open_keys = await alerts.open_keys(movers) if movers else {}
    await _record_all(conn, batch)
    for vehicle_id, change in batch.changes:
        label = batch.labels.get(vehicle_id, "A vehicle")
        opened = open_keys.setdefault(vehicle_id, set())
        await _alert(alerts, vehicle_id, label, change, opened)
    batch.live.extend(alerts.live)


def _snapshot(vehicle_id: uuid.UUID, change: Change) -> tuple[str, dict[str, Any]] | None:
    """The event type and what it records, or None for a change that writes no event."""
    fence = change.fence
    base: dict[str, Any] = {
        "vehicle_id": str(vehicle_id),
        "name": fence.name,
        "device_id": str(change.device_id) if change.device_id else None,
    }
    if isinstance(change, Entered):
        if not change.reported:
            return None
        return "geofence_entered", base | {"entered_at": _iso(change.at)}
    if isinstance(change, Exited):
        if not change.reported:
            return None
        stay = (change.at - change.entered_at).total_seconds()
        return "geofence_exited", base | {
            "entered_at": _iso(change.entered_at),
            "exited_at": _iso(change.at),
            "duration_s": round(stay),
        }
    if isinstance(change, Dwelt):
        return "geofence_dwell", base | {
            "entered_at": _iso(change.entered_at),
            "dwell_minutes": fence.dwell_minutes,
            "at": _iso(change.at),
        }
    if isinstance(change, SpeedingEnded):
        return "geofence_speeding", base | {
            "since": _iso(change.since),
            "until": _iso(change.until),
            "duration_s": round(change.duration_s, 1),
            "limit_kmh": change.limit_kmh,
            "max_speed_kmh": round(change.max_speed_kmh, 1),
            "excess_kmh": round(change.excess_kmh, 1),
        }
    return None  # a speeding episode is recorded when it ends


async def _record_all(conn: asyncpg.Connection, batch: BatchWrites) -> None:
    """Every event of the batch in one statement (a fleet that wakes up at its depot enters
    it a thousand times at once), in the batch's order: ids come from the sequence as the
    rows go in, so sorting what comes back by id restores that order."""
    written: list[tuple[str, uuid.UUID, dict[str, Any]]] = []
    for vehicle_id, change in batch.changes:
        found = _snapshot(vehicle_id, change)
        if found is not None:
            event_type, snapshot = found
            written.append((event_type, change.fence.id, diff(None, snapshot)))
    if not written:
        return
    rows = await conn.fetch(
        _EVENTS,
        batch.tenant_id,
        [event_type for event_type, _, _ in written],
        [fence_id for _, fence_id, _ in written],
        [json.dumps(changes) for _, _, changes in written],
        ENTITY_TYPE,
        ActorType.SYSTEM.value,
    )
    for row, (event_type, fence_id, changes) in zip(
        sorted(rows, key=lambda r: r["id"]), written, strict=True
    ):
        event = Event(
            id=row["id"],
            tenant_id=batch.tenant_id,
            type=event_type,
            entity_type=ENTITY_TYPE,
            entity_id=fence_id,
            actor_type=ActorType.SYSTEM.value,
            actor_id=None,
            changes=changes,
            occurred_at=row["occurred_at"],
        )
        batch.live.append(event_item(event))


def alert_key(fence: Fence, transition: str) -> AlertKey:
    """One open geofence alert per vehicle, fence and transition (``in``, ``out``, ``dwell``)."""
    return AlertKey(GEOFENCE_ALERT, f"{fence.id.hex[:24]}:{transition}")


def _details(fence: Fence, **more: Any) -> dict[str, Any]:
    return {"geofence_id": str(fence.id), "geofence": fence.name} | more


async def _alert(
    store: AlertStore, vehicle_id: uuid.UUID, label: str, change: Change, opened: set[AlertKey]
) -> None:
    """The alerts a change opens or clears; ``opened``: the vehicle's open alert keys, kept
    up to date as this batch raises and clears them."""
    fence = change.fence
    wants = fence.alert_on
    if isinstance(change, Entered) and change.reported:
        await _clear(store, vehicle_id, alert_key(fence, "out"), change.at, opened)
        if "enter" in wants:
            condition = Condition(
                alert_key(fence, "in"),
                Severity.INFO,
                f"{label} entered {fence.name}",
                _details(fence, event="enter"),
            )
            await _raise(store, vehicle_id, change.device_id, condition, change.at, opened)
    elif isinstance(change, Exited) and change.reported:
        for transition in ("in", "dwell"):
            await _clear(store, vehicle_id, alert_key(fence, transition), change.at, opened)
        if "exit" in wants:
            condition = Condition(
                alert_key(fence, "out"),
                Severity.INFO,
                f"{label} left {fence.name}",
                _details(fence, event="exit", entered_at=_iso(change.entered_at)),
            )
            await _raise(store, vehicle_id, change.device_id, condition, change.at, opened)
    elif isinstance(change, Dwelt) and "dwell" in wants:
        condition = Condition(
            alert_key(fence, "dwell"),
            Severity.WARNING,
            f"{label} has been in {fence.name} over {fence.dwell_minutes} min",
            _details(fence, event="dwell", entered_at=_iso(change.entered_at)),
        )
        await _raise(store, vehicle_id, change.device_id, condition, change.at, opened)
    elif isinstance(change, SpeedingEnded) and "speeding" in wants:
        await _speeding_alert(store, vehicle_id, label, change)


async def _raise(
    store: AlertStore,
    vehicle_id: uuid.UUID,
    device_id: uuid.UUID | None,
    condition: Condition,
    at: datetime,
    opened: set[AlertKey],
) -> None:
    await store.raise_alert(vehicle_id, device_id, condition, at, at)
    opened.add(condition.key)


async def _clear(
    store: AlertStore,
    vehicle_id: uuid.UUID,
    key: AlertKey,
    at: datetime,
    opened: set[AlertKey],
) -> None:
    if key in opened:  # a round trip only for an alert that is open
        await store.clear(vehicle_id, key, at)
        opened.discard(key)


async def _speeding_alert(
    store: AlertStore, vehicle_id: uuid.UUID, label: str, change: SpeedingEnded
) -> None:
    """Raised when the episode ends, so it carries its duration and excess (what a
    notification rule filters on), and cleared at once: it is a record of the episode."""
    fence = change.fence
    key = AlertKey(SPEEDING_ALERT, fence.id.hex)
    condition = Condition(
        key,
        Severity.WARNING,
        f"{label} drove {change.max_speed_kmh:.0f} km/h in {fence.name} "
        f"(limit {change.limit_kmh}) for {change.duration_s:.0f} s",
        _details(
            fence,
            limit_kmh=change.limit_kmh,
            max_speed_kmh=round(change.max_speed_kmh, 1),
            excess_kmh=round(change.excess_kmh, 1),
            duration_s=round(change.duration_s, 1),
            since=_iso(change.since),
            until=_iso(change.until),
        ),
    )
    await store.raise_alert(vehicle_id, change.device_id, condition, change.since, change.until)
    await store.clear(vehicle_id, key, change.until)


def _iso(moment: datetime) -> str:
    return moment.isoformat()
