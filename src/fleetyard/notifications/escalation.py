"""Escalation: an alert whose rule says "escalate after N minutes to these members", still
open and not acknowledged when ``escalate_at`` comes, notifies them once. ``escalated_at``
is set in the same transaction as the ``alert_escalated`` event and the notifications, on a
row claimed with ``FOR UPDATE SKIP LOCKED``: two schedulers never escalate one alert twice."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

import asyncpg

from fleetyard.alerts.rules.matching import RuleRecord
from fleetyard.events.service import diff
from fleetyard.notifications import queue
from fleetyard.notifications.routing import personal_notice, write_notice

BATCH = 100


async def escalate_due(conn: asyncpg.Connection, now: datetime) -> int:
    """Escalate the alerts due now; returns how many were escalated."""
    escalated = 0
    async with conn.transaction():
        claimed = await queue.claim_escalations(conn, now, BATCH)
        by_tenant: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for tenant_id, alert_id in claimed:
            by_tenant[tenant_id].append(alert_id)
        for tenant_id in sorted(by_tenant):
            await queue.scope(conn, tenant_id)
            await queue.lock_tenant(conn, tenant_id)
            escalated += await _escalate_tenant(conn, tenant_id, by_tenant[tenant_id], now)
    return escalated


async def _escalate_tenant(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, alert_ids: list[uuid.UUID], now: datetime
) -> int:
    alerts = await queue.alerts(conn, tenant_id, alert_ids)
    members = {m.user_id: m for m in await queue.members(conn, tenant_id)}
    done = 0
    for alert_id in alert_ids:
        alert = alerts.get(alert_id)
        if alert is None or not await queue.mark_escalated(conn, tenant_id, alert_id, now):
            continue
        row = (
            await queue.rule_by_id(conn, tenant_id, alert["rule_id"]) if alert["rule_id"] else None
        )
        targets = (
            [members[u] for u in RuleRecord.from_row(row).escalate_to if u in members]
            if row
            else []
        )
        changes = diff(
            {"escalated_at": None},
            {"escalated_at": now.isoformat(), "escalated_to": [str(t.user_id) for t in targets]},
        )
        await queue.event(conn, tenant_id, "alert_escalated", "alert", alert_id, changes)
        for member in targets:
            notice = personal_notice(
                member,
                alert_id,
                alert,
                group_key=f"escalation:{alert_id}",
                reason="escalation",
                now=now,
            )
            await write_notice(conn, tenant_id, notice, now)
        done += 1
    return done
