"""Release due notifications: from ``due_at`` on (the gathering delay or quiet hours over) a
notification shows in the app, and gets one e-mail delivery (when the tenant set up SMTP)
and one push delivery per subscribed browser (when it has VAPID keys), per the channels
chosen when it was made. Claimed with ``FOR UPDATE SKIP LOCKED``: released once."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

import asyncpg

from fleetyard.kit.ids import uuid7
from fleetyard.notifications import outbox, queue
from fleetyard.notifications.outbox import NewDelivery, Releasable

BATCH = 500


async def release_due(conn: asyncpg.Connection, now: datetime) -> list[Releasable]:
    """Release what came due (at most a batch); returns what was released, once committed."""
    async with conn.transaction():
        items = await outbox.claim_releases(conn, now, BATCH)
        by_tenant: dict[uuid.UUID, list[Releasable]] = defaultdict(list)
        for item in items:
            by_tenant[item.tenant_id].append(item)
        for tenant_id in sorted(by_tenant):
            await queue.scope(conn, tenant_id)
            batch = by_tenant[tenant_id]
            await outbox.release(conn, tenant_id, [i.id for i in batch], now)
            deliveries = await _deliveries(conn, tenant_id, batch)
            await outbox.insert_deliveries(conn, tenant_id, now, deliveries)
    return items


async def _deliveries(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, batch: list[Releasable]
) -> list[NewDelivery]:
    wanting_email = [i for i in batch if "email" in i.channels]
    wanting_push = [i for i in batch if "push" in i.channels]
    if not wanting_email and not wanting_push:
        return []
    settings = await outbox.channel_settings(conn, tenant_id)
    if settings is None:
        return []
    deliveries: list[NewDelivery] = []
    if wanting_email and settings["smtp_enabled"] and settings["smtp_host"]:
        emails = await outbox.user_emails(conn, sorted({i.user_id for i in wanting_email}))
        deliveries += [
            NewDelivery(uuid7(), i.id, i.user_id, "email", emails[i.user_id])
            for i in wanting_email
            if i.user_id in emails
        ]
    if wanting_push and settings["vapid_private_key_sealed"] is not None:
        browsers = await outbox.subscriptions(
            conn, tenant_id, sorted({i.user_id for i in wanting_push})
        )
        deliveries += [
            NewDelivery(uuid7(), i.id, i.user_id, "push", str(s["id"]))
            for i in wanting_push
            for s in browsers
            if s["user_id"] == i.user_id
        ]
    return deliveries
