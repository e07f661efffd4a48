"""From queued alert events to notifications, one tenant at a time (in the router's
transaction, under the tenant's row-level security and its advisory lock).

For each opened alert: the rule that applies (``alerts.rules.matching``) — none means the
kind's defaults; a disabled rule or thresholds the alert doesn't pass mean no notice. Then
every member whose preferences want the kind and severity on some channel gets it, grouped:
identical alerts (same rule or kind, same code) merge into the member's open notification
for that group until its ``merge_until`` (the gathering delay or the rule's dedupe window,
whichever is longer) and count there. A new group is due after the gathering delay, or when
quiet hours end for a non-critical alert. An assignment notifies the assignee.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from fleetyard.alerts.rules.kinds import passes
from fleetyard.alerts.rules.matching import RuleRecord, rule_for
from fleetyard.alerts.rules.store import group_chains, load_rules
from fleetyard.kit.ids import uuid7
from fleetyard.notifications import queue
from fleetyard.notifications.preferences import SEVERITY_LEVEL, Channel
from fleetyard.notifications.queue import Member, Queued
from fleetyard.notifications.quiet import quiet_until
from fleetyard.notifications.render import alert_title

DEFAULT_DEDUPE_S = 600


@dataclass(slots=True)
class Notice:
    """What one member is told about some alerts of one group in this batch."""

    user_id: uuid.UUID
    group_key: str
    reason: str
    rule_id: uuid.UUID | None
    kind: str
    code: str
    severity: str
    title: str
    body: str
    channels: tuple[str, ...]
    due_at: datetime
    merge_until: datetime
    first_at: datetime
    alert_ids: list[uuid.UUID] = field(default_factory=list)
    vehicle_ids: list[uuid.UUID] = field(default_factory=list)

    def add(self, alert_id: uuid.UUID, vehicle_id: uuid.UUID, severity: str) -> None:
        self.alert_ids.append(alert_id)
        if vehicle_id not in self.vehicle_ids and len(self.vehicle_ids) < 100:
            self.vehicle_ids.append(vehicle_id)
        if SEVERITY_LEVEL.get(severity, 0) > SEVERITY_LEVEL.get(self.severity, 0):
            self.severity = severity


@dataclass(frozen=True, slots=True)
class Timing:
    now: datetime
    gather_s: float
    time_zone: str

    def due(self, severity: str, rule: RuleRecord | None) -> datetime:
        due = self.now + timedelta(seconds=self.gather_s)
        if severity != "critical" and rule is not None and rule.quiet_start and rule.quiet_end:
            ends = quiet_until(self.now, rule.quiet_start, rule.quiet_end, self.time_zone)
            if ends is not None and ends > due:
                return ends
        return due

    def merge_until(self, rule: RuleRecord | None) -> datetime:
        window = rule.dedupe_window_s if rule is not None else DEFAULT_DEDUPE_S
        return self.now + timedelta(seconds=max(window, self.gather_s))


def channels_for(member: Member, kind: str, severity: str) -> tuple[str, ...]:
    return tuple(c.value for c, p in member.preferences.items() if p.wants(kind, severity))


def every_enabled_channel(member: Member) -> tuple[str, ...]:
    """Escalations and assignments: whatever the member turned on, in-app at least."""
    chosen = {c.value for c, p in member.preferences.items() if p.enabled}
    chosen.add(Channel.IN_APP.value)
    return tuple(sorted(chosen))


def personal_notice(
    member: Member,
    alert_id: uuid.UUID,
    alert: asyncpg.Record,
    *,
    group_key: str,
    reason: str,
    now: datetime,
) -> Notice:
    """A notice to one member about one alert (an escalation, an assignment): due now, on
    every channel they turned on."""
    notice = Notice(
        user_id=member.user_id,
        group_key=group_key,
        reason=reason,
        rule_id=alert["rule_id"],
        kind=alert["kind"],
        code=alert["code"],
        severity=alert["severity"],
        title=alert_title(alert["kind"], alert["code"], alert["vehicle_label"]),
        body=alert["message"],
        channels=every_enabled_channel(member),
        due_at=now,
        merge_until=now,
        first_at=now,
    )
    notice.add(alert_id, alert["vehicle_id"], alert["severity"])
    return notice


class TenantRouter:
    def __init__(self, conn: asyncpg.Connection, tenant_id: uuid.UUID, timing: Timing) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self.timing = timing
        self.notices: dict[tuple[uuid.UUID, str], Notice] = {}

    async def route(self, items: Sequence[Queued], members: Sequence[Member]) -> int:
        """Queue items → notices merged into (or creating) notifications; returns how many
        notifications were touched."""
        alerts = await queue.alerts(self.conn, self.tenant_id, [i.alert_id for i in items])
        opened = [
            alerts[i.alert_id]
            for i in items
            if i.event_type == "alert_opened" and i.alert_id in alerts
        ]
        await self._opened(opened, members)
        for item in items:
            if item.event_type == "alert_assigned" and item.alert_id in alerts:
                self._assigned(item, alerts[item.alert_id], members)
        return await self._write()

    async def _opened(self, opened: Sequence[asyncpg.Record], members: Sequence[Member]) -> None:
        if not opened:
            return
        rules = await load_rules(self.conn, self.tenant_id, {a["kind"] for a in opened})
        chains: dict[uuid.UUID, list[uuid.UUID]] = {}
        if any(r.scoped_by_group for r in rules):
            chains = await group_chains(
                self.conn, self.tenant_id, sorted({a["vehicle_id"] for a in opened})
            )
        matched: list[tuple[uuid.UUID, uuid.UUID | None, datetime | None]] = []
        for alert in opened:
            rule = rule_for(
                rules, alert["kind"], alert["vehicle_id"], chains.get(alert["vehicle_id"], ())
            )
            if rule is not None and (
                not rule.enabled or not passes(alert["kind"], rule.thresholds, _details(alert))
            ):
                continue
            matched.append((alert["id"], rule.id if rule else None, _escalate_at(alert, rule)))
            self._notify_opened(alert, rule, members)
        await queue.set_rules(self.conn, self.tenant_id, matched)

    def _notify_opened(
        self, alert: asyncpg.Record, rule: RuleRecord | None, members: Sequence[Member]
    ) -> None:
        severity = (rule.severity if rule and rule.severity else None) or alert["severity"]
        group_key = f"alert:{rule.id if rule else alert['kind']}:{alert['kind']}:{alert['code']}"
        for member in members:
            channels = channels_for(member, alert["kind"], severity)
            if not channels:
                continue
            notice = self.notices.get((member.user_id, group_key))
            if notice is None:
                notice = Notice(
                    user_id=member.user_id,
                    group_key=group_key,
                    reason="alert",
                    rule_id=rule.id if rule else None,
                    kind=alert["kind"],
                    code=alert["code"],
                    severity=severity,
                    title=alert_title(alert["kind"], alert["code"], alert["vehicle_label"]),
                    body=alert["message"],
                    channels=channels,
                    due_at=self.timing.due(severity, rule),
                    merge_until=self.timing.merge_until(rule),
                    first_at=self.timing.now,
                )
                self.notices[(member.user_id, group_key)] = notice
            notice.add(alert["id"], alert["vehicle_id"], severity)

    def _assigned(self, item: Queued, alert: asyncpg.Record, members: Sequence[Member]) -> None:
        change = item.changes.get("assigned_to") or {}
        assignee = _uuid(change.get("after") if isinstance(change, dict) else None)
        member = next((m for m in members if m.user_id == assignee), None)
        if member is None or assignee == item.actor_id:
            return  # unassigned, no longer a member, or took it themselves
        notice = personal_notice(
            member,
            alert["id"],
            alert,
            group_key=f"assigned:{alert['id']}:{item.event_id}",
            reason="assigned",
            now=self.timing.now,
        )
        self.notices[(member.user_id, notice.group_key)] = notice

    async def _write(self) -> int:
        for notice in self.notices.values():
            await write_notice(self.conn, self.tenant_id, notice, self.timing.now)
        return len(self.notices)


async def write_notice(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, notice: Notice, now: datetime
) -> None:
    """Merge into the member's open notification of the group, or start one."""
    existing = await queue.open_group(conn, tenant_id, notice.user_id, notice.group_key, now)
    if existing is not None:
        await queue.merge(
            conn,
            tenant_id,
            existing,
            count=len(notice.alert_ids),
            last_alert_id=notice.alert_ids[-1],
            last_at=now,
            vehicle_ids=notice.vehicle_ids,
            severity=notice.severity,
        )
        return
    await queue.insert_notification(
        conn,
        tenant_id,
        id=uuid7(),
        user_id=notice.user_id,
        group_key=notice.group_key,
        reason=notice.reason,
        rule_id=notice.rule_id,
        kind=notice.kind,
        code=notice.code,
        severity=notice.severity,
        title=notice.title,
        body=notice.body,
        alert_id=notice.alert_ids[0],
        last_alert_id=notice.alert_ids[-1],
        alert_count=len(notice.alert_ids),
        vehicle_ids=notice.vehicle_ids,
        channels=notice.channels,
        first_at=notice.first_at,
        due_at=notice.due_at,
        merge_until=notice.merge_until,
    )


def _escalate_at(alert: asyncpg.Record, rule: RuleRecord | None) -> datetime | None:
    if rule is None or rule.escalate_after_min is None or not rule.escalate_to:
        return None
    opened: datetime = alert["opened_at"]
    return opened + timedelta(minutes=rule.escalate_after_min)


def _details(alert: asyncpg.Record) -> dict[str, Any]:
    details = alert["details"]
    if isinstance(details, str):
        loaded: dict[str, Any] = json.loads(details)
        return loaded
    return dict(details or {})


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


async def route_queued(
    conn: asyncpg.Connection, now: datetime, *, gather_s: float, batch: int
) -> int:
    """Claim a batch of queued alert events and route them, tenant by tenant (in a fixed
    order, so two routers never wait on each other's tenant locks in a cycle); returns the
    batch size. A crash before commit leaves the batch queued."""
    async with conn.transaction():
        items = await queue.claim_queue(conn, batch)
        by_tenant: dict[uuid.UUID, list[Queued]] = {}
        for item in items:
            by_tenant.setdefault(item.tenant_id, []).append(item)
        for tenant_id in sorted(by_tenant):
            await queue.scope(conn, tenant_id)
            await queue.lock_tenant(conn, tenant_id)
            timing = Timing(now, gather_s, await queue.time_zone(conn, tenant_id))
            members = await queue.members(conn, tenant_id)
            await TenantRouter(conn, tenant_id, timing).route(by_tenant[tenant_id], members)
        if items:
            await queue.delete_queued(conn, items)
    return len(items)
