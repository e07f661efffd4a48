"""The demo's plan to edit: tomorrow's thirty-two deliveries for four vans, queued through
the route planner once (a second seeding makes none), and solvable as it stands: a real
worker serves every delivery within its window and each van's load."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.config import Settings
from fleetyard.demo.plan import demo_fleet_plan
from fleetyard.demo.routeplans import DELIVERIES, PLAN_NAME, plan_request
from fleetyard.demo.seed import seed_tenant
from fleetyard.kit.sealing import Keyring
from fleetyard.models import RoutePlan
from fleetyard.routing.feasibility import check_plan
from fleetyard.routing.travel import TravelSettings
from fleetyard.simulator.fleet import FleetConfig
from tests.conftest import Tenants
from tests.routing.plans import PLANS, create, running_worker, solved


async def test_the_demo_seeds_tomorrows_plan_once(
    db_session: AsyncSession, settings: Settings
) -> None:
    plan = demo_fleet_plan(FleetConfig(vehicles=12, seed=3), datetime.now(UTC))
    keyring = Keyring.from_settings(settings)
    first = await seed_tenant(db_session, plan, keyring)
    assert first.created["route plans"] == first.planned["route plans"] == 1
    rows = (await db_session.scalars(select(RoutePlan).where(RoutePlan.name == PLAN_NAME))).all()
    assert len(rows) == 1
    [row] = rows
    assert row.status == "queued" and row.job_count == 32 and row.vehicle_count == 4
    vans = row.request["vehicles"]
    assert all(v["vehicle_id"] and v["driver_id"] for v in vans)
    assert all(job["name"] for job in row.request["jobs"])  # the planning screen shows places
    assert len({v["vehicle_id"] for v in vans}) == 4
    second = await seed_tenant(db_session, plan, keyring)
    assert second.created["route plans"] == 0 and second.planned["route plans"] == 1


async def test_tomorrows_plan_solves_with_every_delivery_served(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    pairs = [(uuid.uuid4(), uuid.uuid4()) for _ in range(4)]
    request = plan_request(pairs)
    for van in request["vehicles"]:  # the tenant of this test has no such fleet records
        del van["vehicle_id"], van["driver_id"]
    request["time_limit_s"] = 2
    headers = live_tenants.a.as_(Role.DISPATCHER)
    road = TravelSettings(provider="road", data_dir=settings.data_dir)
    async with running_worker(settings, travel=road) as (_, recorder):
        plan_id = await create(live_client, headers, request)
        plan = await solved(live_client, headers, recorder, plan_id)
    assert plan["status"] == "solved", plan
    solution = plan["solution"]
    answer = await live_client.get(
        f"{PLANS}/{plan_id}", params={"include": "matrix"}, headers=headers
    )
    travel = answer.json()["travel"]
    assert travel["source"] == "road", travel["source"]  # every address on the demo graph
    assert check_plan(request, solution, travel) == []
    assert solution["unassigned"] == []
    served = sorted(stop["job_id"] for route in solution["routes"] for stop in route["stops"])
    assert served == sorted(d.id for d in DELIVERIES)
    assert solution["vehicles_used"] >= 2
