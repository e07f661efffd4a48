"""Alert writes on a raw asyncpg connection already scoped to one tenant (``app.tenant_id``
set for the transaction): the open-alert upsert, the clear, and their events."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from fleetyard.auth.principal import ActorType
from fleetyard.events.service import diff
from fleetyard.kit.ids import uuid7
from fleetyard.realtime.items import ALERT_CLEARED, ALERT_OPENED, LiveItem
from fleetyard.telematics.rules.conditions import AlertKey, Condition

ENTITY_TYPE = "alert"

_OPEN_KEYS = """
select vehicle_id, kind, code from alerts
where tenant_id = $1 and vehicle_id = any($2::uuid[]) and cleared_at is null
"""

# The partial unique index uq_alerts_open keeps one open alert per vehicle, kind and code.
_RAISE = """
insert into alerts as a (tenant_id, id, vehicle_id, device_id, kind, code, severity, message,
    details, opened_at, last_seen_at)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
on conflict (tenant_id, vehicle_id, kind, code) where cleared_at is null
do update set last_seen_at = greatest(a.last_seen_at, excluded.last_seen_at)
returning *
"""

# A fix older than the alert's last sighting can't clear it (late, buffered records).
_CLEAR = """
update alerts set cleared_at = $5
where tenant_id = $1 and vehicle_id = $2 and kind = $3 and code = $4
  and cleared_at is null and last_seen_at <= $5
returning *
"""

_EVENT = """
insert into events (tenant_id, type, entity_type, entity_id, actor_type, changes)
values ($1, $2, $3, $4, $5, $6::jsonb)
"""


def live_alert(kind: str, row: asyncpg.Record) -> LiveItem:
    """An opened or cleared alert as the live stream carries it (the alerts API's shape)."""
    payload: dict[str, Any] = {
        "id": row["id"],
        "vehicle_id": row["vehicle_id"],
        "device_id": row["device_id"],
        "kind": row["kind"],
        "code": row["code"],
        "severity": row["severity"],
        "state": "open" if row["cleared_at"] is None else "cleared",
        "message": row["message"],
        "details": json.loads(row["details"])
        if isinstance(row["details"], str)
        else row["details"],
        "opened_at": row["opened_at"],
        "last_seen_at": row["last_seen_at"],
        "cleared_at": row["cleared_at"],
        "acknowledged_at": row["acknowledged_at"],
        "acknowledged_by": row["acknowledged_by"],
    }
    return LiveItem(kind, ENTITY_TYPE, (row["vehicle_id"],), payload)


class AlertStore:
    def __init__(self, conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        # what to publish live once the transaction commits
        self.live: list[LiveItem] = []

    async def open_keys(self, vehicle_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, set[AlertKey]]:
        rows = await self.conn.fetch(_OPEN_KEYS, self.tenant_id, list(vehicle_ids))
        found: dict[uuid.UUID, set[AlertKey]] = defaultdict(set)
        for row in rows:
            found[row["vehicle_id"]].add(AlertKey(row["kind"], row["code"]))
        return found

    async def raise_alert(
        self,
        vehicle_id: uuid.UUID,
        device_id: uuid.UUID | None,
        condition: Condition,
        first_at: datetime,
        last_at: datetime,
    ) -> bool:
        """Open the alert, or mark the open one seen; True when this call opened it."""
        new_id = uuid7()
        row = await self.conn.fetchrow(
            _RAISE,
            self.tenant_id,
            new_id,
            vehicle_id,
            device_id,
            condition.key.kind,
            condition.key.code,
            condition.severity.value,
            condition.message[:500],
            json.dumps(dict(condition.details)),
            first_at,
            last_at,
        )
        assert row is not None  # the upsert always returns the row
        if row["id"] != new_id:
            return False
        self.live.append(live_alert(ALERT_OPENED, row))
        snapshot = {
            "vehicle_id": str(vehicle_id),
            "kind": condition.key.kind,
            "code": condition.key.code,
            "severity": row["severity"],
            "message": row["message"],
            "opened_at": row["opened_at"].isoformat(),
        }
        await self._event("opened", new_id, None, snapshot)
        return True

    async def clear(self, vehicle_id: uuid.UUID, key: AlertKey, at: datetime) -> bool:
        """Clear the open alert; True when there was one to clear."""
        row = await self.conn.fetchrow(_CLEAR, self.tenant_id, vehicle_id, key.kind, key.code, at)
        if row is None:
            return False
        self.live.append(live_alert(ALERT_CLEARED, row))
        await self._event(
            "cleared", row["id"], {"cleared_at": None}, {"cleared_at": at.isoformat()}
        )
        return True

    async def _event(
        self,
        action: str,
        alert_id: uuid.UUID,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None:
        await self.conn.execute(
            _EVENT,
            self.tenant_id,
            f"{ENTITY_TYPE}_{action}",
            ENTITY_TYPE,
            alert_id,
            ActorType.SYSTEM.value,
            json.dumps(diff(before, after)),
        )
