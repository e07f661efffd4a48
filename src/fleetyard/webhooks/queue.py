"""The dispatchers' SQL, on the owner connection, across tenants: claim due deliveries
(``FOR UPDATE SKIP LOCKED``, so nodes never claim the same one), record what happened, and
prune old finished deliveries.

A claim *leases* a delivery: it counts the attempt and moves ``next_attempt_at`` past the
request's timeout, then commits, so nothing stays locked while the request is in flight.
The result is recorded only by the claim that made it (same attempt number, still pending);
a node that dies mid-request leaves the lease to expire, and another node tries again.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from fleetyard.kit.sealing import Keyring, SealError
from fleetyard.webhooks import sealing
from fleetyard.webhooks.retry import DeliveryStatus, Settlement

log = logging.getLogger(__name__)

# How many due deliveries one claim looks at to pick a fair share per webhook.
SCAN_WINDOW = 1000

_CLAIM = """
with in_flight as (
    select * from unnest($3::uuid[], $4::int[]) as f(webhook_id, n)
), candidates as (
    select d.tenant_id, d.id, d.webhook_id, d.next_attempt_at, coalesce(f.n, 0) as n
    from webhook_deliveries d
    left join in_flight f on f.webhook_id = d.webhook_id
    where d.status = 'pending' and d.next_attempt_at <= now() and coalesce(f.n, 0) < $2
    order by d.next_attempt_at
    limit $5
), ranked as (
    select tenant_id, id, next_attempt_at, n,
        row_number() over (partition by tenant_id, webhook_id order by next_attempt_at, id) as rank
    from candidates
), picked as (
    select d.tenant_id, d.id
    from webhook_deliveries d
    join ranked r on r.tenant_id = d.tenant_id and r.id = d.id
    join webhooks w on w.tenant_id = d.tenant_id and w.id = d.webhook_id
    where r.rank <= $2 - r.n and w.active
      and d.status = 'pending' and d.next_attempt_at <= now()
    order by r.next_attempt_at
    limit $1
    for update of d skip locked
)
update webhook_deliveries d
set attempts = d.attempts + 1,
    last_attempt_at = now(),
    next_attempt_at = now() + make_interval(secs => $6)
from picked, webhooks w
where d.tenant_id = picked.tenant_id and d.id = picked.id
  and w.tenant_id = d.tenant_id and w.id = d.webhook_id
returning d.tenant_id, d.id, d.webhook_id, d.event_type, d.attempts, d.payload, w.url,
    w.secret, w.secret_sealed,
    case when w.previous_secret_expires_at > now() then w.previous_secret end as previous_secret,
    case when w.previous_secret_expires_at > now() then w.previous_secret_sealed end
        as previous_secret_sealed
"""

_RECORD = """
update webhook_deliveries
set status = $4::varchar,
    next_attempt_at = case when $4::varchar = 'pending' then now() + make_interval(secs => $5) end,
    response_status = $6,
    response_body = $7,
    error = $8,
    duration_ms = $9
where tenant_id = $1 and id = $2 and attempts = $3 and status = 'pending'
"""

_PRUNE = """
delete from webhook_deliveries
where (tenant_id, id) in (
    select tenant_id, id from webhook_deliveries
    where created_at < now() - make_interval(days => $1) and status <> 'pending'
    limit $2
)
"""


@dataclass(frozen=True, slots=True)
class Job:
    """One claimed delivery: what to send, where, signed with which secrets."""

    tenant_id: uuid.UUID
    id: uuid.UUID
    webhook_id: uuid.UUID
    event_type: str
    attempts: int
    payload: Mapping[str, Any]
    url: str
    secrets: tuple[str, ...]  # the current secret first

    @classmethod
    def from_row(cls, row: asyncpg.Record, keyring: Keyring) -> Job:
        """Raises ``SealError`` when a secret does not open (another master key)."""
        webhook = {**row, "tenant_id": row["tenant_id"], "id": row["webhook_id"]}
        current = sealing.current_secret(keyring, webhook)
        previous = sealing.previous_secret(keyring, webhook)
        secrets = tuple(s for s in (current, previous) if s)
        return cls(
            tenant_id=row["tenant_id"],
            id=row["id"],
            webhook_id=row["webhook_id"],
            event_type=row["event_type"],
            attempts=row["attempts"],
            payload=json.loads(row["payload"]),
            url=row["url"],
            secrets=secrets,
        )

    def body(self) -> bytes:
        """The JSON sent (and signed): the event and this delivery's id."""
        document = {**self.payload, "delivery_id": str(self.id)}
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class Result:
    """What one attempt got back; ``error`` says why it did not succeed."""

    status_code: int | None
    body: str | None
    error: str | None
    duration_ms: int


async def claim(
    conn: asyncpg.Connection | asyncpg.Pool,
    *,
    limit: int,
    per_webhook: int,
    in_flight: Mapping[uuid.UUID, int],
    lease_s: float,
    keyring: Keyring,
) -> list[Job]:
    """Up to ``limit`` due deliveries of active webhooks, at most ``per_webhook`` in flight
    per webhook counting ``in_flight`` (this node's own), the longest waiting first. A
    delivery whose secret does not open is logged and left to its lease (sent once the
    right master key is configured)."""
    rows = await conn.fetch(
        _CLAIM,
        limit,
        per_webhook,
        list(in_flight),
        list(in_flight.values()),
        SCAN_WINDOW,
        lease_s,
    )
    jobs = []
    for row in rows:
        try:
            jobs.append(Job.from_row(row, keyring))
        except SealError:
            log.error(
                "webhook secret does not open with this master key",
                extra={"tenant_id": str(row["tenant_id"]), "webhook_id": str(row["webhook_id"])},
            )
    return jobs


async def record(
    conn: asyncpg.Connection | asyncpg.Pool, job: Job, result: Result, settlement: Settlement
) -> bool:
    """Store the attempt's outcome; False when the claim had expired and another took over."""
    status = await conn.execute(
        _RECORD,
        job.tenant_id,
        job.id,
        job.attempts,
        settlement.status.value,
        settlement.retry_in_s if settlement.status is DeliveryStatus.PENDING else 0.0,
        result.status_code,
        result.body,
        result.error,
        result.duration_ms,
    )
    return bool(status == "UPDATE 1")


async def prune(
    conn: asyncpg.Connection | asyncpg.Pool, retention_days: int, batch: int = 5000
) -> int:
    """Delete finished deliveries older than the retention, in batches; returns how many."""
    deleted = 0
    while True:
        status = await conn.execute(_PRUNE, retention_days, batch)
        count = int(status.rsplit(" ", 1)[-1])
        deleted += count
        if count < batch:
            return deleted
