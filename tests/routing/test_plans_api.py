"""Route plans through the HTTP API, solved by a real worker in a child process."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

import asyncpg
import httpx

from fleetyard.config import Settings
from fleetyard.db import libpq_dsn, owner_url
from fleetyard.routing.travel import TravelSettings
from tests.conftest import Tenants
from tests.routing.plans import (
    PLANS,
    assert_feasible,
    create,
    line_matrix,
    running_worker,
    small_plan,
    solved,
)


async def test_a_plan_is_queued_then_solved_with_feasible_routes(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    headers = live_tenants.a.owner
    async with running_worker(settings) as (_, recorder):
        plan_id = await create(live_client, headers, small_plan())
        plan = await solved(live_client, headers, recorder, plan_id)
    assert plan["status"] == "solved", plan
    solution = plan["solution"]
    assert solution["unassigned"] == []
    assert sum(len(r["stops"]) for r in solution["routes"]) == 8
    assert all(len(r["stops"]) <= 4 for r in solution["routes"])
    # on a line from 0 to 8 with capacity 4: the best is one trip out to 8 and one to 4
    assert solution["distance"] == 2 * 800 + 2 * 400
    assert_feasible(plan)


def rich_plan() -> dict[str, Any]:
    """Skills, a break at the depot, two capacity dimensions, several windows, and jobs no
    vehicle can serve for each reason."""
    return {
        "name": "Rich plan",
        "objective": "distance",
        "time_limit_s": 1,
        "vehicles": [
            {"id": "van", "start_index": 0, "capacity": [5, 2], "shift": [0, 5000]},
            {
                "id": "fridge",
                "start_index": 0,
                "capacity": [5, 2],
                "shift": [0, 5000],
                "skills": ["cold"],
                "break": {"duration_s": 600, "time_window": [1000, 2000], "location_index": 0},
            },
        ],
        "jobs": [
            *({"id": f"j{i}", "location_index": i, "demand": [1, 0]} for i in range(1, 5)),
            {"id": "cold", "location_index": 3, "demand": [1, 1], "skills": ["cold"]},
            {"id": "heavy", "location_index": 2, "demand": [9, 0]},
            {"id": "late", "location_index": 9, "time_windows": [[0, 100]]},
            {"id": "magic", "location_index": 4, "skills": ["teleport"]},
            {"id": "maybe", "location_index": 9, "optional_penalty": 1},
            {"id": "two", "location_index": 5, "time_windows": [[0, 10], [2000, 2600]]},
        ],
        "matrix": line_matrix(10),
    }


async def test_skills_breaks_windows_and_jobs_no_vehicle_can_serve(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    headers = live_tenants.a.owner
    async with running_worker(settings) as (_, recorder):
        plan_id = await create(live_client, headers, rich_plan())
        plan = await solved(live_client, headers, recorder, plan_id)
    assert plan["status"] == "solved", plan
    assert_feasible(plan)
    reasons = {u["job_id"]: u["reason"] for u in plan["solution"]["unassigned"]}
    assert reasons == {
        "heavy": "demand_exceeds_capacity",
        "late": "time_window_unreachable",
        "magic": "no_vehicle_with_skills",
        "maybe": "not_served",  # its penalty (1 m) is less than the detour to it
    }
    routes = {r["vehicle"]: r for r in plan["solution"]["routes"]}
    stops = {s["job_id"]: s for r in routes.values() for s in r["stops"]}
    assert "cold" in [s["job_id"] for s in routes["fridge"]["stops"]]
    brk = stops["break:fridge"]
    assert 1000 <= brk["departure_s"] - 600 <= 2000
    assert stops["two"]["arrival_s"] >= 2000 or stops["two"]["departure_s"] >= 2000


async def test_progress_then_cancel_stops_the_solve_within_a_second_or_two(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    headers = live_tenants.a.owner
    body = small_plan(jobs=120, vehicles=12, capacity=12, time_limit_s=60)
    async with running_worker(settings) as (_, recorder):
        plan_id = await create(live_client, headers, body)
        tick = await recorder.wait(plan_id, "route_plan.progress")
        assert tick.payload["iterations"] > 0 and tick.payload["best_cost"] is not None
        asked = time.monotonic()
        answer = await live_client.post(f"{PLANS}/{plan_id}/cancel", headers=headers)
        assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
        await recorder.wait(plan_id, "route_plan.cancelled", timeout_s=10)
        stopped_after = time.monotonic() - asked
    assert stopped_after < 5  # heartbeat 0.2 s, the child stops at once; the rest is I/O
    plan = (await live_client.get(f"{PLANS}/{plan_id}", headers=headers)).json()
    assert plan["status"] == "cancelled"
    assert plan["solution"] is not None  # the best routes found before the cancel
    assert "route_plan.solved" not in recorder.kinds(plan_id)
    assert plan["progress"]["elapsed_s"] < 30


async def test_edited_routes_are_checked_and_saved_with_their_version(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    headers = live_tenants.b.owner
    async with running_worker(settings) as (_, recorder):
        plan_id = await create(live_client, headers, small_plan())
        plan = await solved(live_client, headers, recorder, plan_id)
    url = f"{PLANS}/{plan_id}"
    orders = {r["vehicle"]: [s["job_id"] for s in r["stops"]] for r in plan["solution"]["routes"]}
    full, other = (
        sorted(orders, key=lambda v: -len(orders[v]))[:2]
        if len(orders) > 1
        else (
            next(iter(orders)),
            "van-2" if "van-1" in orders else "van-1",
        )
    )
    orders.setdefault(other, [])
    moved = orders[full].pop()
    orders[other].append(moved)
    # moving it breaks nothing when the other van has room; four on one van is its capacity
    edit = {"routes": [{"vehicle": v, "job_ids": ids} for v, ids in orders.items()]}
    checked = (await live_client.post(f"{url}/check", json=edit, headers=headers)).json()
    assert checked["feasible"] == all(len(ids) <= 4 for ids in orders.values())
    # every job on one van: over capacity
    everything = [j for ids in orders.values() for j in ids]
    overfull = {"routes": [{"vehicle": "van-1", "job_ids": everything}]}
    checked = (await live_client.post(f"{url}/check", json=overfull, headers=headers)).json()
    assert checked["feasible"] is False
    assert [v["kind"] for v in checked["routes"][0]["violations"]] == ["capacity_exceeded"]
    assert checked["routes"][0]["stops"][0]["load"] == [8 - 1]
    refused = await live_client.put(f"{url}/routes", json=overfull, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "routes_infeasible"
    stale = await live_client.put(
        f"{url}/routes", json={**overfull, "accept_violations": True, "version": 1}, headers=headers
    )
    assert stale.status_code == 409
    saved = await live_client.put(
        f"{url}/routes",
        json={**overfull, "accept_violations": True, "version": plan["version"]},
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    after = saved.json()
    assert after["version"] == plan["version"] + 1
    assert [r["vehicle"] for r in after["solution"]["routes"]] == ["van-1"]
    assert after["solution"]["unassigned"] == []
    unknown = {"routes": [{"vehicle": "bus", "job_ids": ["job-1", "nope"]}]}
    bad = await live_client.post(f"{url}/check", json=unknown, headers=headers)
    assert [e["loc"] for e in bad.json()["error"]["details"]["errors"]] == [
        ["body", "routes", "0", "vehicle"],
        ["body", "routes", "0", "job_ids", "1"],
    ]
    other_tenant = live_tenants.a.owner
    assert (
        await live_client.post(f"{url}/check", json=edit, headers=other_tenant)
    ).status_code == 404
    events = await live_client.get("/api/v1/events", params={"entity_id": plan_id}, headers=headers)
    types = {e["type"] for e in events.json()["items"]}
    assert {"route_plan_created", "route_plan_solved", "route_plan_routes_changed"} <= types


HELSINKI = [
    (60.1699, 24.9384),  # the depot, Kamppi
    (60.1841, 24.9490),  # Kallio
    (60.1610, 24.9450),  # Punavuori
    (60.1756, 24.9310),  # Töölö
    (60.1920, 24.9650),  # Vallila
]


async def test_coordinates_give_the_matrix_its_indices_and_each_route_its_line(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    headers = live_tenants.a.owner
    body = {
        "name": "Helsinki",
        "objective": "duration",
        "time_limit_s": 1,
        "vehicles": [{"id": "van", "start": {"lat": HELSINKI[0][0], "lon": HELSINKI[0][1]}}],
        "jobs": [
            {"id": f"stop-{n}", "location": {"lat": lat, "lon": lon}, "service_s": 120}
            for n, (lat, lon) in enumerate(HELSINKI[1:], start=1)
        ],
    }
    async with running_worker(settings) as (_, recorder):
        plan_id = await create(live_client, headers, body)
        await solved(live_client, headers, recorder, plan_id)
    plan = (
        await live_client.get(f"{PLANS}/{plan_id}", params={"include": "matrix"}, headers=headers)
    ).json()
    assert plan["status"] == "solved", plan
    travel = plan["travel"]
    assert travel["source"] == "haversine"
    assert [(p["lat"], p["lon"]) for p in travel["locations"]] == HELSINKI
    assert travel["job_indices"] == {f"stop-{n}": n for n in range(1, 5)}
    assert travel["vehicle_indices"] == {"van": [0, 0]}
    [route] = plan["solution"]["routes"]
    assert len(route["stops"]) == 4
    assert route["geometry"][0] == [HELSINKI[0][1], HELSINKI[0][0]]
    # the duration is the travel through the matrix plus the service times
    order = [0, *(travel["job_indices"][s["job_id"]] for s in route["stops"]), 0]
    legs = sum(travel["durations"][a][b] for a, b in itertools.pairwise(order))
    assert route["duration"] == legs + 4 * 120
    plain = (await live_client.get(f"{PLANS}/{plan_id}", headers=headers)).json()
    assert plain["travel"] is None


async def test_a_travel_failure_fails_the_plan_with_its_reason(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    headers = live_tenants.b.owner
    body = {
        "name": "No routing server",
        "vehicles": [{"id": "van", "start": {"lat": 60.17, "lon": 24.94}}],
        "jobs": [{"id": "a", "location": {"lat": 60.18, "lon": 24.95}}],
    }
    async with running_worker(settings, travel=TravelSettings(provider="osrm")) as (_, rec):
        plan_id = await create(live_client, headers, body)
        item = await rec.wait(plan_id, "route_plan.failed")
    assert item.payload["error_code"] == "travel_failed"
    plan = (await live_client.get(f"{PLANS}/{plan_id}", headers=headers)).json()
    assert plan["status"] == "failed"
    assert plan["error"]["code"] == "travel_failed"
    assert "no URL" in plan["error"]["message"]


async def test_a_plan_left_solving_by_a_dead_worker_is_solved_again(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    headers = live_tenants.a.owner
    plan_id = await create(live_client, headers, small_plan(jobs=4))
    conn = await asyncpg.connect(libpq_dsn(owner_url(settings)))
    try:
        await conn.execute(
            "update route_plans set status = 'solving', worker = gen_random_uuid(), "
            "attempts = 1, heartbeat_at = now() - interval '1 hour' where id = $1",
            uuid.UUID(plan_id),
        )
    finally:
        await conn.close()
    async with running_worker(settings, stale_after_s=5) as (_, recorder):
        plan = await solved(live_client, headers, recorder, plan_id)
    assert plan["status"] == "solved"
    assert_feasible(plan)
