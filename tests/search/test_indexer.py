"""The indexer end to end: real commits through the API (and raw SQL, as the gateway writes
alerts), a real indexer on the owner connection polling the queue, and the search API seeing
each change within a second of its commit."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from fleetyard.db import with_user
from fleetyard.search.indexer import SearchIndexer
from tests.conftest import Tenants
from tests.search.conftest import ids, post, search

WITHIN_S = 1.0


async def eventually(check: Callable[[], Awaitable[bool]], within_s: float = WITHIN_S) -> float:
    """Seconds until ``check`` holds; fails if it does not within ``within_s``."""
    started = time.monotonic()
    async with asyncio.timeout(within_s):
        while not await check():  # noqa: ASYNC110 - the condition is another process's commit
            await asyncio.sleep(0.01)
    return time.monotonic() - started


@pytest.fixture
async def indexer(database_url: str) -> AsyncIterator[SearchIndexer]:
    running = await SearchIndexer.start(database_url)
    # connected, its first backfill and round done: what follows is measured from a commit
    await eventually(lambda: _true(running.rounds >= 1), within_s=30)
    yield running
    await running.stop()


async def _true(value: bool) -> bool:
    return value


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6].upper()}"


async def finds(
    client: httpx.AsyncClient, headers: dict[str, str], q: str, record_id: str, **params: Any
) -> bool:
    return record_id in ids(await search(client, headers, q, **params))


async def test_a_new_vehicle_an_edit_and_a_delete_each_show_within_a_second(
    live_client: httpx.AsyncClient, live_tenants: Tenants, indexer: SearchIndexer
) -> None:
    owner = live_tenants.a.owner
    plate = unique("NEW-")
    vehicle = await post(
        live_client, owner, "vehicles", {"plate": plate, "make": "Iveco", "model": "Daily"}
    )
    await eventually(lambda: finds(live_client, owner, plate, vehicle["id"]))
    answer = await search(live_client, owner, "ivcoe daily")  # a typo in a word just indexed
    assert vehicle["id"] in ids(answer)

    renamed = unique("RENAMED-")
    response = await live_client.patch(
        f"/api/v1/vehicles/{vehicle['id']}", json={"plate": renamed}, headers=owner
    )
    assert response.status_code == 200, response.text
    await eventually(lambda: finds(live_client, owner, renamed, vehicle["id"]))
    assert not await finds(live_client, owner, plate, vehicle["id"])

    response = await live_client.delete(f"/api/v1/vehicles/{vehicle['id']}", headers=owner)
    assert response.status_code == 204, response.text

    async def gone() -> bool:
        return not await finds(live_client, owner, "iveco", vehicle["id"])

    await eventually(gone)
    # and the word left the vocabulary with its last document
    answer = await search(live_client, owner, "ivcoe")
    assert answer["corrections"] == {} and answer["items"] == []


async def test_renaming_a_depot_rebuilds_what_it_holds(
    live_client: httpx.AsyncClient, live_tenants: Tenants, indexer: SearchIndexer
) -> None:
    owner = live_tenants.a.owner
    region = await post(live_client, owner, "groups", {"name": "Uusimaa", "kind": "region"})
    depot = await post(
        live_client, owner, "groups", {"name": "Pasila", "kind": "depot", "parent_id": region["id"]}
    )
    vehicle = await post(
        live_client, owner, "vehicles", {"plate": unique("DEP-"), "group_id": depot["id"]}
    )
    await eventually(lambda: finds(live_client, owner, "pasila", vehicle["id"], types="vehicle"))
    response = await live_client.patch(
        f"/api/v1/groups/{depot['id']}", json={"name": "Vallila"}, headers=owner
    )
    assert response.status_code == 200, response.text
    await eventually(lambda: finds(live_client, owner, "vallila", vehicle["id"], types="vehicle"))
    assert not await finds(live_client, owner, "pasila", vehicle["id"], types="vehicle")
    # and a region rename reaches the depot's vehicles through the depot
    response = await live_client.patch(
        f"/api/v1/groups/{region['id']}",
        json={"kind": "depot", "name": "Nyland"},
        headers=owner,
    )
    assert response.status_code == 200, response.text
    [hit] = (await search(live_client, owner, "vallila", types="group"))["items"]
    await eventually(lambda: finds(live_client, owner, "nyland", hit["id"], types="group"))


async def test_a_tracker_is_found_with_its_vehicle_while_attached(
    live_client: httpx.AsyncClient, live_tenants: Tenants, indexer: SearchIndexer
) -> None:
    owner = live_tenants.a.owner
    vehicle = await post(live_client, owner, "vehicles", {"plate": unique("TRK-")})
    imei = f"35630{uuid.uuid4().int % 10**10:010d}"
    device = await post(live_client, owner, "devices", {"unique_id": imei, "protocol": "teltonika"})
    await eventually(lambda: finds(live_client, owner, imei[-6:], device["id"]))
    assert not await finds(live_client, owner, imei[-6:], vehicle["id"])

    async def attach(vehicle_id: str | None) -> None:
        response = await live_client.patch(
            f"/api/v1/devices/{device['id']}", json={"vehicle_id": vehicle_id}, headers=owner
        )
        assert response.status_code == 200, response.text

    # attached: the tracker's change rebuilds the vehicle's document, which shows its IMEI
    await attach(vehicle["id"])
    await eventually(lambda: finds(live_client, owner, imei[-6:], vehicle["id"]))
    # moved off the vehicle: the vehicle no longer answers to it
    await attach(None)

    async def detached() -> bool:
        return not await finds(live_client, owner, imei[-6:], vehicle["id"])

    await eventually(detached)
    assert await finds(live_client, owner, imei[-6:], device["id"])


async def test_alerts_written_by_the_gateway_are_indexed(
    live_client: httpx.AsyncClient,
    live_tenants: Tenants,
    indexer: SearchIndexer,
    database_url: str,
) -> None:
    """Alerts come from telemetry on a raw connection: the trigger queues their events too."""
    owner = live_tenants.a.owner
    vehicle = await post(live_client, owner, "vehicles", {"plate": unique("ALR-")})
    alert_id = uuid.uuid4()
    conn = await asyncpg.connect(with_user(database_url, "fleetyard_app"))
    try:
        async with conn.transaction():
            await conn.execute(
                "select set_config('app.tenant_id', $1, true)", str(live_tenants.a.id)
            )
            await conn.execute(
                "insert into alerts (tenant_id, id, vehicle_id, kind, code, severity, message,"
                " opened_at, last_seen_at) values ($1, $2, $3, 'dtc', 'P0420', 'warning',"
                " 'Catalyst efficiency below threshold', now(), now())",
                live_tenants.a.id,
                alert_id,
                uuid.UUID(vehicle["id"]),
            )
            await conn.execute(
                "insert into events (tenant_id, type, entity_type, entity_id, actor_type)"
                " values ($1, 'alert_opened', 'alert', $2, 'system')",
                live_tenants.a.id,
                alert_id,
            )
    finally:
        await conn.close()
    await eventually(lambda: finds(live_client, owner, "catalyst", str(alert_id)))
    answer = await search(live_client, owner, "p0420", facets="severity,status")
    assert answer["items"][0]["id"] == str(alert_id)
    assert answer["facets"]["status"] == [{"value": "open", "label": None, "count": 1}]


async def test_a_tenant_never_indexed_is_queued_whole(
    live_client: httpx.AsyncClient, live_tenants: Tenants, database_url: str
) -> None:
    """Records that existed before search (or whose documents were lost) are indexed when an
    indexer starts and finds the tenant not marked as indexed."""
    owner = live_tenants.b.owner
    vehicle = await post(live_client, owner, "vehicles", {"plate": unique("OLD-")})
    conn = await asyncpg.connect(database_url)
    try:  # as if the vehicle predated search: no queue row, no document, no mark
        await conn.execute("delete from search_queue where tenant_id = $1", live_tenants.b.id)
        await conn.execute("delete from search_tenants where tenant_id = $1", live_tenants.b.id)
    finally:
        await conn.close()
    assert not await finds(live_client, owner, "", vehicle["id"])
    running = await SearchIndexer.start(database_url)
    try:
        await eventually(lambda: finds(live_client, owner, "", vehicle["id"]), within_s=30)
    finally:
        await running.stop()


async def test_two_indexers_share_the_queue(
    live_client: httpx.AsyncClient, live_tenants: Tenants, database_url: str
) -> None:
    owner = live_tenants.a.owner
    indexers = [await SearchIndexer.start(database_url) for _ in range(2)]
    try:
        plates = [unique(f"PAIR{n}-") for n in range(20)]
        created = await asyncio.gather(
            *(post(live_client, owner, "vehicles", {"plate": plate}) for plate in plates)
        )

        async def all_found() -> bool:
            answer = await search(live_client, owner, "", types="vehicle", limit=100)
            return {v["id"] for v in created} <= set(ids(answer))

        await eventually(all_found, within_s=5)
    finally:
        for running in indexers:
            await running.stop()
