"""The demo's data is searchable: `fleetyard demo` seeds through the services, so its records'
events reach the indexer like any other change (no seeding step of its own for search)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg

from fleetyard.db import Database
from fleetyard.demo.plan import harbour_plan
from fleetyard.demo.seed import seed_tenant
from fleetyard.search.indexer import SearchIndexer

COUNTS = """
select
    (select count(*) from vehicles where tenant_id = $1)
  + (select count(*) from drivers where tenant_id = $1)
  + (select count(*) from groups where tenant_id = $1)
  + (select count(*) from reservations where tenant_id = $1) as records,
    (select count(*) from search_documents where tenant_id = $1) as documents,
    (select count(*) from search_documents where tenant_id = $1
        and document @@ '''vuosaari'''::tsquery and entity_type = 'reservation') as booking
"""


async def test_the_demo_seed_is_indexed_from_its_events(
    app_database: Database, database_url: str
) -> None:
    plan = harbour_plan(datetime.now(UTC))
    async with app_database.sessionmaker() as session:
        await seed_tenant(session, plan)
        await session.commit()
    conn = await asyncpg.connect(database_url)
    indexer = await SearchIndexer.start(database_url, poll_interval_s=0.5)
    try:
        tenant_id = await conn.fetchval("select id from tenants where slug = $1", plan.slug)
        async with asyncio.timeout(30):
            while True:
                counts = await conn.fetchrow(COUNTS, tenant_id)
                if counts["documents"] >= counts["records"] > 0:
                    break
                await asyncio.sleep(0.05)
        assert counts["documents"] == counts["records"]  # 1 depot, 3 vehicles, 2 drivers, 1 booking
        assert counts["booking"] == 1  # its purpose, "Customs papers, Vuosaari terminal"
    finally:
        await indexer.stop()
        await conn.close()
