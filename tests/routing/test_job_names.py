"""A job's optional name and note: refused past their limits (422 in the error envelope),
carried into the solution's stops, and shown on the driver's dispatched route unless the
dispatcher's own details override them."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.config import Settings
from tests.conftest import Tenants
from tests.dispatch.helpers import (
    dispatch,
    make_driver,
    make_vehicle,
    plan_request,
    solved_plan,
)
from tests.routing.plans import PLANS, create, running_worker, small_plan, solved

ROUTES = "/api/v1/dispatch/routes"


async def test_names_and_notes_past_their_limits_are_refused(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    for key, value in (("name", "x" * 121), ("name", "   "), ("note", "y" * 501), ("name", 7)):
        body = small_plan(jobs=2, vehicles=1)
        body["jobs"][0][key] = value
        response = await client.post(PLANS, json=body, headers=tenants.a.owner)
        assert response.status_code == 422, (key, value, response.text)
        assert response.json()["error"]["code"], response.text
    body = small_plan(jobs=2, vehicles=1)
    body["jobs"][0].update(name=" " + "n" * 120 + " ", note="z" * 500)
    response = await client.post(PLANS, json=body, headers=tenants.a.owner)
    assert response.status_code == 202, response.text


async def test_the_solution_stops_carry_the_names_and_notes(
    live_client: httpx.AsyncClient, live_tenants: Tenants, settings: Settings
) -> None:
    body = small_plan(jobs=3, vehicles=1)
    body["jobs"][0].update(name="Kamppi Pharmacy", note="Back door, ring twice")
    body["jobs"][1].update(name="Hotel Torni")
    headers = live_tenants.a.as_(Role.DISPATCHER)
    async with running_worker(settings) as (_, recorder):
        plan_id = await create(live_client, headers, body)
        plan = await solved(live_client, headers, recorder, plan_id)
    assert plan["status"] == "solved", plan
    stops = {s["job_id"]: s for r in plan["solution"]["routes"] for s in r["stops"]}
    assert (stops["job-1"]["name"], stops["job-1"]["note"]) == (
        "Kamppi Pharmacy",
        "Back door, ring twice",
    )
    assert (stops["job-2"]["name"], stops["job-2"]["note"]) == ("Hotel Torni", None)
    assert (stops["job-3"]["name"], stops["job-3"]["note"]) == (None, None)
    assert plan["request"]["jobs"][0]["name"] == "Kamppi Pharmacy"


async def test_the_drivers_route_shows_them(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    vehicles = [await make_vehicle(client, tenants.a.owner) for _ in range(2)]
    drivers: list[str] = []
    users: list[dict[str, str]] = []
    for name in ("Aino", "Eero"):
        driver_id, user = await make_driver(client, tenants.a, name)
        drivers.append(driver_id)
        users.append(user)
    request: dict[str, Any] = plan_request(vehicles, drivers)
    request["jobs"][0].update(name="Kauppahalli", note="Cold chain")
    request["jobs"][1].update(name="Kamppi Pharmacy", note="Back door")
    plan_id = await solved_plan(client, db_session, tenants.a, request)
    # the dispatcher's details for j2 win over the request's
    out = await dispatch(
        client, tenants.a, plan_id, jobs={"j2": {"name": "Apteekki", "notes": "Front desk"}}
    )
    van1 = next(r for r in out["routes"] if r["vehicle"] == "van1")
    mine = await client.get(f"{ROUTES}/{van1['id']}", headers=users[0])
    assert mine.status_code == 200, mine.text
    stops = [(s["job_id"], s["name"], s["notes"]) for s in mine.json()["stops"]]
    assert stops == [("j1", "Kauppahalli", "Cold chain"), ("j2", "Apteekki", "Front desk")]
    van2 = next(r for r in out["routes"] if r["vehicle"] == "van2")
    assert [s["name"] for s in van2["stops"]] == ["j3", "j4"]  # no name: the job's id
