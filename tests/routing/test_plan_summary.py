"""The plan list's summary counts the jobs a solution leaves unserved (the planning screen's
list shows it without loading every solution)."""

from __future__ import annotations

import httpx

from fleetyard.config import Settings
from tests.conftest import Tenants
from tests.routing.plans import PLANS, create, running_worker, solved
from tests.routing.test_plans_api import rich_plan


async def test_the_list_counts_unassigned_jobs_once_solved_and_none_before(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    headers = live_tenants.a.owner
    plan_id = await create(live_client, headers, rich_plan())
    queued = (await live_client.get(PLANS, headers=headers)).json()["items"]
    assert [p["unassigned"] for p in queued if p["id"] == plan_id] == [None]
    async with running_worker(settings) as (_, recorder):
        plan = await solved(live_client, headers, recorder, plan_id)
    assert plan["status"] == "solved", plan
    assert plan["unassigned"] == len(plan["solution"]["unassigned"]) == 4
    listed = (await live_client.get(PLANS, headers=headers)).json()["items"]
    assert [p["unassigned"] for p in listed if p["id"] == plan_id] == [4]
