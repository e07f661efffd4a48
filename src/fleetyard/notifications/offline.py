"""Device offline: a vehicle whose tracker has sent nothing for a rule's ``after_minutes``
gets a ``device_offline`` alert, cleared when it reports again. Opt-in: only vehicles a
``device_offline`` rule covers (and enables) are watched — a fleet parked for the weekend
should not page anyone unless asked to.

The sweep runs in the notification dispatcher every ``notification_offline_sweep_s``; it
raises and clears through the alerts' own raise API (``AlertStore``), so the alert, its event
and its notifications are exactly those of any other kind. Silence is measured from the
time we last *received* a fix (``server_time``), not its fix time: a tracker replaying an old
buffer is not offline. Several nodes may sweep at once: the tenant's advisory lock orders
them and the open-alert upsert keeps one alert per vehicle."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final

import asyncpg

from fleetyard.alerts.rules.kinds import OfflineThresholds
from fleetyard.alerts.rules.matching import rule_for
from fleetyard.alerts.rules.store import group_chains, load_rules
from fleetyard.notifications import queue
from fleetyard.telematics.rules.conditions import AlertKey, Condition, Severity
from fleetyard.telematics.rules.store import AlertStore

KIND: Final = "device_offline"
KEY: Final = AlertKey(KIND)

_TENANTS = """
select distinct tenant_id from alert_rules where kind = 'device_offline' and enabled
"""

_STATES = """
select s.vehicle_id, s.device_id, s.server_time,
    exists (
        select 1 from alerts a
        where a.tenant_id = s.tenant_id and a.vehicle_id = s.vehicle_id
          and a.kind = 'device_offline' and a.code = '' and a.cleared_at is null
    ) as offline
from vehicle_state s
where s.tenant_id = $1
"""


async def sweep(conn: asyncpg.Connection, now: datetime) -> tuple[int, int]:
    """Raise and clear device_offline alerts in every tenant that asked; (raised, cleared)."""
    raised = cleared = 0
    for row in await conn.fetch(_TENANTS):
        async with conn.transaction():
            tenant_id: uuid.UUID = row["tenant_id"]
            await queue.scope(conn, tenant_id)
            await queue.lock_tenant(conn, tenant_id)
            r, c = await _sweep_tenant(conn, tenant_id, now)
            raised, cleared = raised + r, cleared + c
    return raised, cleared


async def _sweep_tenant(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, now: datetime
) -> tuple[int, int]:
    rules = await load_rules(conn, tenant_id, (KIND,))
    states = await conn.fetch(_STATES, tenant_id)
    chains: dict[uuid.UUID, list[uuid.UUID]] = {}
    if any(r.scoped_by_group for r in rules):
        chains = await group_chains(conn, tenant_id, [s["vehicle_id"] for s in states])
    store = AlertStore(conn, tenant_id)
    raised = cleared = 0
    for state in states:
        vehicle_id = state["vehicle_id"]
        rule = rule_for(rules, KIND, vehicle_id, chains.get(vehicle_id, ()))
        last_heard: datetime = state["server_time"]
        silent_min = (now - last_heard).total_seconds() / 60
        watched = rule is not None and rule.enabled
        after = (
            OfflineThresholds.model_validate(dict(rule.thresholds)).after_minutes
            if rule is not None and watched
            else None
        )
        if after is not None and silent_min >= after and not state["offline"]:
            severity = Severity(rule.severity) if rule and rule.severity else Severity.WARNING
            condition = Condition(
                KEY,
                severity,
                f"No data from the tracker for {int(silent_min)} min "
                f"(last at {last_heard:%Y-%m-%d %H:%M} UTC).",
                {"last_heard_at": last_heard.isoformat(), "silent_minutes": int(silent_min)},
            )
            raised += await store.raise_alert(vehicle_id, state["device_id"], condition, now, now)
        elif state["offline"] and (after is None or silent_min < after):
            cleared += await store.clear(vehicle_id, KEY, now)
    return raised, cleared
