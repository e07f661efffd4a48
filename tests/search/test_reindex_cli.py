"""``fleetyard search reindex`` rebuilds lost or stale documents from the records, with a
progress bar, for one tenant or every one."""

from __future__ import annotations

import asyncio
import os
import sys

import asyncpg
import httpx

from fleetyard.config import Settings
from tests.conftest import Tenants
from tests.search.conftest import ids, post, search


async def run_cli(settings: Settings, *args: str) -> tuple[int, str]:
    env = {
        **os.environ,
        "FLEETYARD_DATABASE_URL": settings.database_url or "",
        "FLEETYARD_ENV": "test",
        "FLEETYARD_SECRET_KEY": settings.secret_key,
        "FLEETYARD_MASTER_KEY": "test-master-key-that-is-long-enough-0123456789",
        "COLUMNS": "120",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fleetyard",
        "search",
        "reindex",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(120):
        output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_reindex_rebuilds_a_tenants_documents(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings, database_url: str
) -> None:
    owner = live_tenants.a.owner
    depot = await post(live_client, owner, "groups", {"name": "Tikkurila"})
    vehicles = [
        await post(live_client, owner, "vehicles", {"plate": f"RX-{n}", "group_id": depot["id"]})
        for n in range(3)
    ]
    conn = await asyncpg.connect(database_url)
    try:  # documents lost, one stale, and the queue emptied, so only the reindex can help
        await conn.execute("delete from search_queue where tenant_id = $1", live_tenants.a.id)
        await conn.execute(
            "insert into search_documents (tenant_id, entity_type, entity_id, title, sort_title,"
            " document) values ($1, 'vehicle', gen_random_uuid(), 'Ghost', 'ghost', 'ghost')",
            live_tenants.a.id,
        )
    finally:
        await conn.close()
    assert (await search(live_client, owner, "tikkurila"))["items"] == []
    assert (await search(live_client, owner, "ghost"))["items"]

    code, output = await run_cli(settings, "--tenant", live_tenants.a.slug)
    assert code == 0, output
    assert live_tenants.a.slug in output
    assert "reindexed 4 record(s) of 1 tenant(s)" in output  # 3 vehicles and the group
    answer = await search(live_client, owner, "tikkurila", types="vehicle")
    assert set(ids(answer)) == {v["id"] for v in vehicles}
    assert (await search(live_client, owner, "ghost"))["items"] == []  # its record is gone


async def test_reindex_of_an_unknown_tenant_fails(settings: Settings) -> None:
    code, output = await run_cli(settings, "--tenant", "no-such-tenant")
    assert code == 1
    assert "no tenant 'no-such-tenant'" in output
