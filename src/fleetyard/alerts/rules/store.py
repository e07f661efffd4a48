"""Rule reads on a raw asyncpg connection already scoped to one tenant (the ingest rules and
the notification dispatcher both run there)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence

import asyncpg

from fleetyard.alerts.rules.matching import RuleRecord

_RULES = """
select id, kind, name, enabled, severity, thresholds, vehicle_ids, group_ids, quiet_start,
    quiet_end, dedupe_window_s, escalate_after_min, escalate_to
from alert_rules
where tenant_id = $1 and kind = any($2::text[])
order by id
"""

# Each vehicle's group and that group's ancestors, nearest first (cycles can't loop: depth).
_GROUP_CHAINS = """
with recursive chain as (
    select v.id as vehicle_id, g.id as group_id, g.parent_id, 0 as depth
    from vehicles v
    join groups g on g.tenant_id = v.tenant_id and g.id = v.group_id
    where v.tenant_id = $1 and v.id = any($2::uuid[])
    union all
    select c.vehicle_id, g.id, g.parent_id, c.depth + 1
    from chain c
    join groups g on g.tenant_id = $1 and g.id = c.parent_id
    where c.depth < 32
)
select vehicle_id, group_id from chain order by vehicle_id, depth
"""


async def load_rules(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, kinds: Collection[str]
) -> list[RuleRecord]:
    rows = await conn.fetch(_RULES, tenant_id, list(kinds))
    return [RuleRecord.from_row(row) for row in rows]


async def group_chains(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, vehicle_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    chains: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for row in await conn.fetch(_GROUP_CHAINS, tenant_id, list(vehicle_ids)):
        chains[row["vehicle_id"]].append(row["group_id"])
    return chains
