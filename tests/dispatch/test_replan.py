"""Re-planning mid-route: vehicles start where they are, completed stops stay out, a stop a
driver is at stays first; dispatching the new plan supersedes the old routes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.models import Tenant
from tests.conftest import Tenants
from tests.dispatch.helpers import JOBS, dispatch, mark_solved, set_fix, setup

ROUTES = "/api/v1/dispatch/routes"


def replan_solution(now_s: int) -> dict[str, Any]:
    def stop(job_id: str, arrival: int) -> dict[str, Any]:
        return {"job_id": job_id, "arrival_s": arrival, "departure_s": arrival + 300, "load": []}

    return {
        "routes": [
            {
                "vehicle": "van1",
                "start_s": now_s,
                "end_s": now_s + 900,
                "stops": [stop("j4", now_s + 600)],
                "distance": 3000,
                "duration": 900,
                "cost": 0,
            },
            {
                "vehicle": "van2",
                "start_s": now_s,
                "end_s": now_s + 900,
                "stops": [stop("j2", now_s + 300)],
                "distance": 1000,
                "duration": 900,
                "cost": 0,
            },
        ],
        "unassigned": [],
        "distance": 4000,
        "duration": 1800,
        "cost": 0,
        "vehicles_used": 2,
    }


async def test_replan_keeps_completed_out_and_started_first(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    s = await setup(client, db_session, tenants.a)
    start = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    out = await dispatch(client, tenants.a, s.plan_id, start_at=start.isoformat())
    van1 = next(r for r in out["routes"] if r["vehicle"] == "van1")
    van2 = next(r for r in out["routes"] if r["vehicle"] == "van2")
    aino, eero = s.users
    j1, j3 = van1["stops"][0]["id"], van2["stops"][0]["id"]
    done = await client.post(f"{ROUTES}/{van1['id']}/stops/{j1}/complete", json={}, headers=aino)
    assert done.status_code == 200
    at_j3 = await client.post(f"{ROUTES}/{van2['id']}/stops/{j3}/arrive", json={}, headers=eero)
    assert at_j3.status_code == 200
    await set_fix(db_session, tenants.a.id, s.vehicles[0], 60.171, 24.951, datetime.now(UTC))

    url = f"/api/v1/route-plans/{s.plan_id}/replan"
    assert (
        await client.post(url, json={"time_limit_s": 0}, headers=tenants.a.owner)
    ).status_code == 422
    assert (await client.post(url, json={}, headers=s.users[0])).status_code == 403
    response = await client.post(url, json={"time_limit_s": 2}, headers=tenants.a.owner)
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["removed_jobs"] == ["j1", "j3"]
    assert accepted["fixed_stops"] == {"van2": j3}
    plan = await client.get(f"/api/v1/route-plans/{accepted['plan_id']}", headers=tenants.a.owner)
    assert plan.status_code == 200, plan.text
    request = plan.json()["request"]
    assert sorted(j["id"] for j in request["jobs"]) == ["j2", "j4"]
    vehicles = {v["id"]: v for v in request["vehicles"]}
    assert vehicles["van1"]["start"] == {"lat": 60.171, "lon": 24.951}  # where it is
    assert vehicles["van2"]["start"] == {"lat": JOBS[2][1], "lon": JOBS[2][2]}  # at j3
    now_s = int((datetime.now(UTC) - start).total_seconds())
    assert abs(vehicles["van1"]["shift"][0] - now_s) < 60
    assert vehicles["van2"]["shift"][0] >= vehicles["van1"]["shift"][0]  # after j3's service

    await mark_solved(db_session, tenants.a.id, accepted["plan_id"], replan_solution(now_s))
    new = await dispatch(client, tenants.a, accepted["plan_id"], start_at=start.isoformat())
    routes = {r["vehicle"]: r for r in new["routes"]}
    assert [st["job_id"] for st in routes["van2"]["stops"]] == ["j3", "j2"]
    assert routes["van2"]["stops"][0]["status"] == "arrived"
    assert routes["van2"]["status"] == "in_progress"
    assert [st["job_id"] for st in routes["van1"]["stops"]] == ["j4"]
    old = await client.get(f"/api/v1/dispatch/dispatches/{out['id']}", headers=tenants.a.owner)
    assert old.json()["status"] == "superseded" and old.json()["superseded_by"] == new["id"]
    assert {r["status"] for r in old.json()["routes"]} == {"superseded"}
    stale = await client.post(
        f"{ROUTES}/{van1['id']}/stops/{van1['stops'][1]['id']}/complete", json={}, headers=aino
    )
    assert stale.status_code == 409
    # The new routes start now; a driver's day is the tenant's calendar day (near midnight
    # neither UTC's nor the old dispatch's).
    zone = ZoneInfo(
        await db_session.scalar(select(Tenant.time_zone).where(Tenant.id == tenants.a.id)) or "UTC"
    )
    day = datetime.now(zone).date().isoformat()
    mine = await client.get("/api/v1/dispatch/my-routes", params={"date": day}, headers=eero)
    assert [r["id"] for r in mine.json()] == [routes["van2"]["id"]]
    again = await client.post(url, json={}, headers=tenants.a.owner)
    assert again.status_code == 404  # the old plan's dispatch is no longer active
