"""Route plans in search: found by name, by a job's id and by a planned vehicle's plate once
indexed; gone when deleted; never seen by another tenant or by a role that reads no plans."""

from __future__ import annotations

from typing import Any

import httpx

from fleetyard.auth.roles import Role
from fleetyard.db import Database
from fleetyard.search.indexer import SearchIndexer
from tests.conftest import Tenants
from tests.routing.plans import PLANS, small_plan
from tests.search.conftest import ids, index, post, search
from tests.search.test_indexer import eventually, finds


async def _plan(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    van = await post(client, headers, "vehicles", {"plate": "RTE-417", "make": "Ford"})
    body = small_plan(jobs=3, vehicles=1, name="Kallio bakery round")
    body["jobs"][1]["id"] = "ORD-55821"
    body["jobs"][2]["name"] = "Hakaniemi market hall"
    body["vehicles"][0]["vehicle_id"] = van["id"]
    response = await client.post(PLANS, json=body, headers=headers)
    assert response.status_code == 202, response.text
    plan: dict[str, Any] = response.json()
    return plan


async def test_a_plan_is_found_by_name_job_id_and_plate_and_gone_when_deleted(
    client: httpx.AsyncClient, tenants: Tenants, rolled_back_db: Database
) -> None:
    owner = tenants.a.owner
    plan = await _plan(client, owner)
    await index(rolled_back_db, tenants.a.id)
    for q in ("kallio bakery", "ORD-55821", "ord55821", "rte417", "hakaniemi market"):
        answer = await search(client, owner, q, types="route_plan")
        assert ids(answer) == [plan["id"]], q
    hit = (await search(client, owner, "kallio"))["items"][0]
    assert hit["type"] == "route_plan" and hit["title"] == "Kallio bakery round"
    assert hit["subtitle"].startswith("queued · 3 jobs · 1 vehicle · ")
    facets = await search(client, owner, "", types="route_plan", facets="status")
    assert facets["facets"]["status"] == [{"value": "queued", "label": None, "count": 1}]

    response = await client.delete(f"{PLANS}/{plan['id']}", headers=owner)
    assert response.status_code == 204, response.text
    await index(rolled_back_db, tenants.a.id)
    assert (await search(client, owner, "ORD-55821"))["items"] == []


async def test_another_tenant_and_a_driver_never_see_a_plan(
    client: httpx.AsyncClient, tenants: Tenants, rolled_back_db: Database
) -> None:
    plan = await _plan(client, tenants.a.owner)
    await index(rolled_back_db, tenants.a.id)
    await index(rolled_back_db, tenants.b.id)
    assert ids(await search(client, tenants.a.as_(Role.DISPATCHER), "ORD-55821")) == [plan["id"]]
    assert "route_plan" in (await search(client, tenants.a.as_(Role.VIEWER), ""))["types"]
    intruder = await search(client, tenants.b.owner, "kallio bakery")
    assert intruder["items"] == [] and intruder["total"] == 0
    driver = await search(client, tenants.a.as_(Role.DRIVER), "kallio", types="route_plan")
    assert "route_plan" not in driver["types"] and driver["items"] == []


async def test_the_indexer_follows_a_plan_from_its_events(
    live_client: httpx.AsyncClient, live_tenants: Tenants, database_url: str
) -> None:
    """Created, then deleted, through the API: the running indexer picks up each change from
    the plan's route_plan_* events."""
    owner = live_tenants.a.owner
    indexer = await SearchIndexer.start(database_url)

    async def started() -> bool:
        return indexer.rounds >= 1

    try:
        await eventually(started, within_s=30)
        plan = await _plan(live_client, owner)
        await eventually(lambda: finds(live_client, owner, "ORD-55821", plan["id"]))
        response = await live_client.delete(f"{PLANS}/{plan['id']}", headers=owner)
        assert response.status_code == 204, response.text

        async def gone() -> bool:
            return not await finds(live_client, owner, "ORD-55821", plan["id"])

        await eventually(gone)
    finally:
        await indexer.stop()
