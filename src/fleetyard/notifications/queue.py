"""The dispatchers' routing and escalation SQL on the owner connection (sending is in
``outbox``). Claims go across tenants (``FOR UPDATE SKIP LOCKED``, so nodes never take the
same row); everything read or written for one tenant runs with ``app.tenant_id`` set for the
transaction, so row-level security scopes it as it scopes the API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from fleetyard.notifications.preferences import Channel, Preference, effective

_CLAIM_QUEUE = """
select tenant_id, id, event_id, event_type, alert_id, actor_id, changes
from notification_queue
order by id
limit $1
for update skip locked
"""

_DELETE_QUEUED = """
delete from notification_queue q
using unnest($1::uuid[], $2::bigint[]) as c(tenant_id, id)
where q.tenant_id = c.tenant_id and q.id = c.id
"""

_ALERTS = """
select a.id, a.vehicle_id, a.kind, a.code, a.severity, a.message, a.details, a.opened_at,
    a.acknowledged_at, a.cleared_at, a.rule_id,
    coalesce(nullif(btrim(v.plate), ''), nullif(btrim(v.name), ''), v.vin, 'a vehicle')
        as vehicle_label
from alerts a
left join vehicles v on v.tenant_id = a.tenant_id and v.id = a.vehicle_id
where a.tenant_id = $1 and a.id = any($2::uuid[])
"""

_SET_RULE = """
update alerts a set rule_id = c.rule_id, escalate_at = c.escalate_at
from unnest($2::uuid[], $3::uuid[], $4::timestamptz[]) as c(id, rule_id, escalate_at)
where a.tenant_id = $1 and a.id = c.id
"""

_MEMBERS = """
select m.user_id, m.role, u.email
from memberships m
join users u on u.id = m.user_id
where m.tenant_id = $1 and u.is_active
"""

_PREFERENCES = """
select user_id, channel, enabled, kinds, min_severity
from notification_preferences
where tenant_id = $1
"""

_TIME_ZONE = "select time_zone from tenants where id = $1"

_OPEN_GROUP = """
select id from notifications
where tenant_id = $1 and user_id = $2 and group_key = $3 and merge_until > $4
order by merge_until desc
limit 1
for update
"""

_MERGE = """
update notifications
set alert_count = alert_count + $3,
    last_alert_id = $4,
    last_at = greatest(last_at, $5),
    vehicle_ids = array(
        select distinct v from unnest(vehicle_ids || $6::uuid[]) as v limit 100
    ),
    severity = case when $7 = 'critical' or severity = 'critical' then 'critical'
                    when $7 = 'warning' or severity = 'warning' then 'warning'
                    else severity end
where tenant_id = $1 and id = $2
"""

_INSERT = """
insert into notifications (tenant_id, id, user_id, group_key, reason, rule_id, kind, code,
    severity, title, body, alert_id, last_alert_id, alert_count, vehicle_ids, channels,
    first_at, last_at, due_at, merge_until)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::uuid[], $16::text[],
    $17, $17, $18, $19)
"""

_EVENT = """
insert into events (tenant_id, type, entity_type, entity_id, actor_type, changes)
values ($1, $2, $3, $4, 'system', $5::jsonb)
"""

_RULE_BY_ID = """
select id, kind, name, enabled, severity, thresholds, vehicle_ids, group_ids, quiet_start,
    quiet_end, dedupe_window_s, escalate_after_min, escalate_to
from alert_rules where tenant_id = $1 and id = $2
"""

_CLAIM_ESCALATIONS = """
select tenant_id, id from alerts
where escalate_at <= $1 and escalated_at is null and acknowledged_at is null
  and cleared_at is null
order by escalate_at
limit $2
for update skip locked
"""

_MARK_ESCALATED = """
update alerts set escalated_at = $3 where tenant_id = $1 and id = $2 and escalated_at is null
"""


async def scope(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    """Row-level security to this tenant for the rest of the transaction."""
    await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))


async def lock_tenant(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    """One router at a time per tenant: grouping reads then writes its open groups."""
    await conn.execute(
        "select pg_advisory_xact_lock(hashtextextended($1, 0))", f"notifications:{tenant_id}"
    )


@dataclass(frozen=True, slots=True)
class Queued:
    tenant_id: uuid.UUID
    id: int
    event_id: int
    event_type: str
    alert_id: uuid.UUID
    actor_id: uuid.UUID | None
    changes: dict[str, Any]


async def claim_queue(conn: asyncpg.Connection, limit: int) -> list[Queued]:
    rows = await conn.fetch(_CLAIM_QUEUE, limit)
    return [
        Queued(
            tenant_id=r["tenant_id"],
            id=r["id"],
            event_id=r["event_id"],
            event_type=r["event_type"],
            alert_id=r["alert_id"],
            actor_id=r["actor_id"],
            changes=_json(r["changes"]),
        )
        for r in rows
    ]


async def delete_queued(conn: asyncpg.Connection, items: Sequence[Queued]) -> None:
    await conn.execute(_DELETE_QUEUED, [i.tenant_id for i in items], [i.id for i in items])


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        loaded: dict[str, Any] = json.loads(value)
        return loaded
    return dict(value or {})


async def alerts(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, asyncpg.Record]:
    return {r["id"]: r for r in await conn.fetch(_ALERTS, tenant_id, list(ids))}


async def set_rules(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    matched: Sequence[tuple[uuid.UUID, uuid.UUID | None, datetime | None]],
) -> None:
    if matched:
        await conn.execute(
            _SET_RULE,
            tenant_id,
            [m[0] for m in matched],
            [m[1] for m in matched],
            [m[2] for m in matched],
        )


@dataclass(frozen=True, slots=True)
class Member:
    user_id: uuid.UUID
    role: str
    email: str
    preferences: dict[Channel, Preference]


async def members(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> list[Member]:
    stored: dict[uuid.UUID, list[Preference]] = {}
    for row in await conn.fetch(_PREFERENCES, tenant_id):
        stored.setdefault(row["user_id"], []).append(
            Preference(
                Channel(row["channel"]),
                row["enabled"],
                frozenset(row["kinds"] or ()),
                row["min_severity"],
            )
        )
    return [
        Member(
            r["user_id"], r["role"], r["email"], effective(stored.get(r["user_id"], []), r["role"])
        )
        for r in await conn.fetch(_MEMBERS, tenant_id)
    ]


async def time_zone(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> str:
    value = await conn.fetchval(_TIME_ZONE, tenant_id)
    return str(value or "UTC")


async def open_group(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    group_key: str,
    now: datetime,
) -> uuid.UUID | None:
    found: uuid.UUID | None = await conn.fetchval(_OPEN_GROUP, tenant_id, user_id, group_key, now)
    return found


async def merge(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    notification_id: uuid.UUID,
    *,
    count: int,
    last_alert_id: uuid.UUID,
    last_at: datetime,
    vehicle_ids: Sequence[uuid.UUID],
    severity: str,
) -> None:
    await conn.execute(
        _MERGE,
        tenant_id,
        notification_id,
        count,
        last_alert_id,
        last_at,
        list(vehicle_ids),
        severity,
    )


async def insert_notification(conn: asyncpg.Connection, tenant_id: uuid.UUID, **v: Any) -> None:
    await conn.execute(
        _INSERT,
        tenant_id,
        v["id"],
        v["user_id"],
        v["group_key"],
        v["reason"],
        v["rule_id"],
        v["kind"],
        v["code"],
        v["severity"],
        v["title"][:300],
        v["body"][:2000],
        v["alert_id"],
        v["last_alert_id"],
        v["alert_count"],
        list(v["vehicle_ids"])[:100],
        list(v["channels"]),
        v["first_at"],
        v["due_at"],
        v["merge_until"],
    )


async def event(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    type_: str,
    entity_type: str,
    entity_id: uuid.UUID,
    changes: dict[str, Any],
) -> None:
    await conn.execute(_EVENT, tenant_id, type_, entity_type, entity_id, json.dumps(changes))


async def rule_by_id(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, rule_id: uuid.UUID
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(_RULE_BY_ID, tenant_id, rule_id)
    return row


async def claim_escalations(
    conn: asyncpg.Connection, now: datetime, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    return [(r["tenant_id"], r["id"]) for r in await conn.fetch(_CLAIM_ESCALATIONS, now, limit)]


async def mark_escalated(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, alert_id: uuid.UUID, now: datetime
) -> bool:
    return bool(await conn.execute(_MARK_ESCALATED, tenant_id, alert_id, now) == "UPDATE 1")
