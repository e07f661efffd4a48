"""Positions partition upkeep (run on the owner connection).

Monthly partitions are made ahead of time; fixes outside them (months-old buffers, devices with
clocks in 2009) land in the default partition and are kept. When a month's partition is made
for a range the default already holds rows of, those rows move into it in the same transaction.

Retention is per tenant (``tenants.position_retention_days``; unset keeps everything): a
tenant's older rows are deleted, and a whole month is dropped only once it is past every
tenant's retention and no tenant keeps everything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import asyncpg

log = logging.getLogger(__name__)

DELETE_BATCH = 50_000


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def partition_name(month: date) -> str:
    return f"positions_p{month.year:04d}{month.month:02d}"


@dataclass(frozen=True, slots=True)
class Upkeep:
    created: list[str]
    moved_rows: int
    deleted_rows: int
    dropped: list[str]


async def existing_partitions(conn: asyncpg.Connection) -> set[str]:
    rows = await conn.fetch(
        "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
        "where i.inhparent = 'positions'::regclass"
    )
    return {row["relname"] for row in rows}


async def ensure_month(conn: asyncpg.Connection, month: date) -> int:
    """Create the month's partition (moving its rows out of the default); returns rows moved."""
    name = partition_name(month)
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end_day = next_month(month)
    end = datetime(end_day.year, end_day.month, 1, tzinfo=UTC)
    async with conn.transaction():
        await conn.execute("lock table positions_default in share row exclusive mode")
        await conn.execute(f"create table {name} (like positions including all)")
        moved = await conn.execute(
            f"insert into {name} select * from positions_default "  # noqa: S608 - our name
            "where fix_time >= $1 and fix_time < $2",
            start,
            end,
        )
        await conn.execute(
            "delete from positions_default where fix_time >= $1 and fix_time < $2", start, end
        )
        await conn.execute(
            f"alter table positions attach partition {name} "
            f"for values from ('{start.isoformat()}') to ('{end.isoformat()}')"
        )
    return int(moved.split()[-1])


async def apply_retention(conn: asyncpg.Connection, now: datetime) -> tuple[int, list[str]]:
    """Delete each tenant's rows past its retention; drop months past everyone's."""
    tenants = await conn.fetch("select id, position_retention_days from tenants")
    deleted = 0
    for tenant in tenants:
        days = tenant["position_retention_days"]
        if days is None:
            continue
        cutoff = now - timedelta(days=days)
        async with conn.transaction():
            # positions forces row-level security even on its owner: name the tenant
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant["id"]))
            result = await conn.execute(
                "delete from positions where tenant_id = $1 and fix_time < $2", tenant["id"], cutoff
            )
        deleted += int(result.split()[-1])
    dropped: list[str] = []
    keeps_all = any(t["position_retention_days"] is None for t in tenants)
    if tenants and not keeps_all:
        longest = max(t["position_retention_days"] for t in tenants)
        horizon = month_start((now - timedelta(days=longest)).date())
        for name in sorted(await existing_partitions(conn)):
            if not name.startswith("positions_p"):
                continue
            month = date(int(name[11:15]), int(name[15:17]), 1)
            if next_month(month) <= horizon:
                await conn.execute(f"drop table {name}")
                dropped.append(name)
    return deleted, dropped


async def upkeep(
    conn: asyncpg.Connection, now: datetime, *, months_back: int = 1, months_ahead: int = 2
) -> Upkeep:
    present = await existing_partitions(conn)
    created: list[str] = []
    moved = 0
    month = month_start(now.date())
    for _ in range(months_back):
        month = month_start(month - timedelta(days=1))
    for _ in range(months_back + months_ahead + 1):
        if partition_name(month) not in present:
            moved += await ensure_month(conn, month)
            created.append(partition_name(month))
        month = next_month(month)
    deleted, dropped = await apply_retention(conn, now)
    result = Upkeep(created, moved, deleted, dropped)
    log.info(
        "positions upkeep",
        extra={"partitions_created": created, "moved": moved, "deleted": deleted},
    )
    return result
