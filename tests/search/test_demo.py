"""The demo's data is searchable: `fleetyard demo` seeds through the services, so its records'
events reach the indexer like any other change (no seeding step of its own for search)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg

from fleetyard.db import Database
from fleetyard.demo.plan import harbour_plan
from fleetyard.demo.seed import seed_tenant
from fleetyard.search.documents import SOURCES
from fleetyard.search.indexer import SearchIndexer

BOOKING = (
    "select count(*) from search_documents where tenant_id = $1"
    " and document @@ '''vuosaari'''::tsquery and entity_type = 'reservation'"
)


async def _counts(conn: asyncpg.Connection, tenant_id: object) -> dict[str, tuple[int, int]]:
    """Per searchable type (every source the registry holds): its records and documents."""
    counts: dict[str, tuple[int, int]] = {}
    for source in SOURCES:
        records = await conn.fetchval(
            f"select count(*) from {source.table.name} where tenant_id = $1",  # noqa: S608 (a table of ours)
            tenant_id,
        )
        documents = await conn.fetchval(
            "select count(*) from search_documents where tenant_id = $1 and entity_type = $2",
            tenant_id,
            source.entity_type,
        )
        counts[source.entity_type] = (records, documents)
    return counts


async def test_the_demo_seed_is_indexed_from_its_events(
    app_database: Database, database_url: str
) -> None:
    plan = harbour_plan(datetime.now(UTC))
    async with app_database.sessionmaker() as session:
        await seed_tenant(session, plan)
        await session.commit()
    conn = await asyncpg.connect(database_url)
    indexer = await SearchIndexer.start(database_url)
    try:
        tenant_id = await conn.fetchval("select id from tenants where slug = $1", plan.slug)
        async with asyncio.timeout(30):
            while True:
                counts = await _counts(conn, tenant_id)
                if all(documents >= records for records, documents in counts.values()):
                    break
                await asyncio.sleep(0.05)
        # every record of every searchable kind the demo seeds has its one document
        assert all(records == documents for records, documents in counts.values()), counts
        for kind in ("group", "vehicle", "driver", "reservation", "geofence", "work_order"):
            assert counts[kind][0] > 0, kind
        assert await conn.fetchval(BOOKING, tenant_id) == 1  # "Customs papers, Vuosaari terminal"
    finally:
        await indexer.stop()
        await conn.close()
