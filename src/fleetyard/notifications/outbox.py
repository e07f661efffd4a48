"""The dispatchers' SQL for sending, on the owner connection: claim due notifications and
release them into deliveries, claim due deliveries with a lease, read what a delivery sends
(under the tenant's row-level security: ``queue.scope``), record outcomes, prune. Claims go
across tenants with ``FOR UPDATE SKIP LOCKED``, like the routing SQL in ``queue``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

_CLAIM_RELEASES = """
select tenant_id, id, user_id, channels
from notifications
where released_at is null and due_at <= $1
order by due_at
limit $2
for update skip locked
"""

_RELEASE = """
update notifications set released_at = $3
where tenant_id = $1 and id = any($2::uuid[])
"""

_CHANNEL_SETTINGS = """
select smtp_enabled, smtp_host, smtp_port, smtp_security, smtp_username, smtp_password_sealed,
    smtp_from, vapid_public_key, vapid_private_key_sealed, vapid_subject
from notification_channel_settings where tenant_id = $1
"""

_USER_EMAILS = "select id, email from users where id = any($1::uuid[])"

_SUBSCRIPTIONS = """
select id, user_id, endpoint, p256dh, auth from push_subscriptions
where tenant_id = $1 and user_id = any($2::uuid[])
"""

_INSERT_DELIVERIES = """
insert into notification_deliveries (tenant_id, id, notification_id, user_id, channel, target,
    next_attempt_at)
select $1, c.id, c.notification_id, c.user_id, c.channel, c.target, $2
from unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[])
    as c(id, notification_id, user_id, channel, target)
"""

_CLAIM_DELIVERIES = """
with picked as (
    select tenant_id, id from notification_deliveries
    where status = 'pending' and next_attempt_at <= $1
    order by next_attempt_at
    limit $2
    for update skip locked
)
update notification_deliveries d
set attempts = d.attempts + 1,
    last_attempt_at = $1,
    next_attempt_at = $1 + make_interval(secs => $3)
from picked
where d.tenant_id = picked.tenant_id and d.id = picked.id
returning d.tenant_id, d.id, d.notification_id, d.user_id, d.channel, d.target, d.attempts
"""

_NOTIFICATION = """
select id, user_id, reason, kind, code, severity, title, body, alert_id, alert_count,
    vehicle_ids, first_at, last_at
from notifications where tenant_id = $1 and id = $2
"""

_SUBSCRIPTION = """
select id, endpoint, p256dh, auth from push_subscriptions where tenant_id = $1 and id = $2
"""

_DELETE_SUBSCRIPTION = "delete from push_subscriptions where tenant_id = $1 and id = $2"

_RECORD = """
update notification_deliveries
set status = $4::varchar,
    next_attempt_at = case when $4::varchar = 'pending' then $5::timestamptz end,
    sent_at = case when $4::varchar = 'succeeded' then $6::timestamptz end,
    alert_count = $7,
    error = $8
where tenant_id = $1 and id = $2 and attempts = $3 and status = 'pending'
"""

_PRUNE = """
delete from notifications
where (tenant_id, id) in (
    select tenant_id, id from notifications
    where released_at < $1 and read_at is not null
    limit 5000
)
"""


@dataclass(frozen=True, slots=True)
class Releasable:
    tenant_id: uuid.UUID
    id: uuid.UUID
    user_id: uuid.UUID
    channels: tuple[str, ...]


async def claim_releases(conn: asyncpg.Connection, now: datetime, limit: int) -> list[Releasable]:
    rows = await conn.fetch(_CLAIM_RELEASES, now, limit)
    return [Releasable(r["tenant_id"], r["id"], r["user_id"], tuple(r["channels"])) for r in rows]


async def release(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, ids: Sequence[uuid.UUID], now: datetime
) -> None:
    await conn.execute(_RELEASE, tenant_id, list(ids), now)


async def channel_settings(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(_CHANNEL_SETTINGS, tenant_id)
    return row


async def user_emails(
    conn: asyncpg.Connection, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    return {r["id"]: r["email"] for r in await conn.fetch(_USER_EMAILS, list(user_ids))}


async def subscriptions(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, user_ids: Sequence[uuid.UUID]
) -> list[asyncpg.Record]:
    return list(await conn.fetch(_SUBSCRIPTIONS, tenant_id, list(user_ids)))


@dataclass(frozen=True, slots=True)
class NewDelivery:
    id: uuid.UUID
    notification_id: uuid.UUID
    user_id: uuid.UUID
    channel: str
    target: str


async def insert_deliveries(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, due: datetime, items: Sequence[NewDelivery]
) -> None:
    if not items:
        return
    await conn.execute(
        _INSERT_DELIVERIES,
        tenant_id,
        due,
        [i.id for i in items],
        [i.notification_id for i in items],
        [i.user_id for i in items],
        [i.channel for i in items],
        [i.target for i in items],
    )


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    tenant_id: uuid.UUID
    id: uuid.UUID
    notification_id: uuid.UUID
    user_id: uuid.UUID
    channel: str
    target: str
    attempts: int


async def claim_deliveries(
    conn: asyncpg.Connection | asyncpg.Pool, now: datetime, limit: int, lease_s: float
) -> list[DeliveryJob]:
    rows = await conn.fetch(_CLAIM_DELIVERIES, now, limit, lease_s)
    return [
        DeliveryJob(
            r["tenant_id"],
            r["id"],
            r["notification_id"],
            r["user_id"],
            r["channel"],
            r["target"],
            r["attempts"],
        )
        for r in rows
    ]


async def notification(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, notification_id: uuid.UUID
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(_NOTIFICATION, tenant_id, notification_id)
    return row


async def subscription(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, subscription_id: uuid.UUID
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(_SUBSCRIPTION, tenant_id, subscription_id)
    return row


async def delete_subscription(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, subscription_id: uuid.UUID
) -> None:
    await conn.execute(_DELETE_SUBSCRIPTION, tenant_id, subscription_id)


async def record(
    conn: asyncpg.Connection | asyncpg.Pool,
    job: DeliveryJob,
    *,
    status: str,
    retry_at: datetime | None,
    sent_at: datetime | None,
    alert_count: int | None,
    error: str | None,
) -> bool:
    result = await conn.execute(
        _RECORD,
        job.tenant_id,
        job.id,
        job.attempts,
        status,
        retry_at,
        sent_at,
        alert_count,
        error[:1000] if error else None,
    )
    return bool(result == "UPDATE 1")


async def prune(conn: asyncpg.Connection | asyncpg.Pool, before: datetime) -> int:
    status = await conn.execute(_PRUNE, before)
    return int(status.rsplit(" ", 1)[-1])
