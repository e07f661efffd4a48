"""Service schedules over HTTP: due by each meter from the live state, group schedules,
status filters, reminders raised and cleared as alerts, the tenant's zone, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.kit.ids import TenantId
from tests.conftest import Tenants
from tests.maintenance.helpers import (
    SCHEDULES,
    make_schedule,
    make_vehicle,
    open_alerts,
    set_meters,
)

pytestmark = pytest.mark.usefixtures("tenants")


async def status_of(client: httpx.AsyncClient, headers: dict[str, str], vehicle_id: str) -> dict:
    response = await client.get(f"/api/v1/vehicles/{vehicle_id}/maintenance", headers=headers)
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


async def test_due_by_odometer_from_live_state(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    vid = await make_vehicle(client, headers)
    await set_meters(db_session, tenants.a.id, vid, km=100_000)
    schedule = await make_schedule(
        client, headers, vehicle_id=vid, interval_km="15000", soon_km="1000"
    )
    assert schedule["status"] == "ok"
    assert schedule["vehicles"] == {"ok": 1, "due_soon": 0, "due": 0, "overdue": 0}

    await set_meters(db_session, tenants.a.id, vid, km=114_200.4)
    body = await status_of(client, headers, vid)
    assert body["meters"]["odometer_km"] == "114200.4"
    [due] = body["schedules"]
    assert (due["status"], due["due_by"], due["remaining_km"]) == ("due_soon", ["km"], "799.6")
    assert due["next_due_km"] == "115000.0"
    assert body["status"] == "due_soon"

    await set_meters(db_session, tenants.a.id, vid, km=116_500)
    assert (await status_of(client, headers, vid))["schedules"][0]["status"] == "overdue"


async def test_due_by_engine_hours_with_given_last_done(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    vid = await make_vehicle(client, headers, type="equipment")
    await set_meters(db_session, tenants.a.id, vid, km=5_000, hours=1_730)
    await make_schedule(
        client,
        headers,
        name="Hydraulics",
        vehicle_id=vid,
        interval_hours="500",
        soon_hours="50",
        last_done={"engine_hours": "1250"},
    )
    [due] = (await status_of(client, headers, vid))["schedules"]
    assert (due["status"], due["due_by"], due["remaining_hours"]) == ("due_soon", ["hours"], "20.0")
    assert due["last_done_hours"] == "1250.0"
    # the reminder is an alert of the vehicle, coded by the schedule
    alerts = await open_alerts(db_session, tenants.a.id, vid)
    assert [(k, m) for k, _, m in alerts] == [
        ("service_due_soon", "Hydraulics due soon: in 20 engine h.")
    ]


async def test_group_schedule_covers_subgroups_and_filters_by_status(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    headers = tenants.a.owner
    region = (await client.post("/api/v1/groups", json={"name": "South"}, headers=headers)).json()
    depot = (
        await client.post(
            "/api/v1/groups", json={"name": "Depot", "parent_id": region["id"]}, headers=headers
        )
    ).json()
    near = await make_vehicle(client, headers, group_id=depot["id"])
    far = await make_vehicle(client, headers, group_id=region["id"])
    outside = await make_vehicle(client, headers)
    for vid in (near, far, outside):
        await set_meters(db_session, tenants.a.id, vid, km=50_000)
    schedule = await make_schedule(
        client,
        headers,
        name="Brake check",
        group_id=region["id"],
        interval_km="30000",
        soon_km="2000",
        component="brakes",
    )
    assert schedule["vehicles"]["ok"] == 2
    await set_meters(db_session, tenants.a.id, far, km=81_000)
    await client.patch(f"{SCHEDULES}/{schedule['id']}", json={"soon_km": "2500"}, headers=headers)

    by_status = await client.get(SCHEDULES, params={"status": "overdue"}, headers=headers)
    assert [s["id"] for s in by_status.json()["items"]] == []
    due = await client.get(SCHEDULES, params={"status": "due"}, headers=headers)
    [listed] = due.json()["items"]
    assert (listed["id"], listed["status"]) == (schedule["id"], "due")
    assert listed["vehicles"] == {"ok": 1, "due_soon": 0, "due": 1, "overdue": 0}
    mine = await client.get(SCHEDULES, params={"vehicle_id": near}, headers=headers)
    assert [s["id"] for s in mine.json()["items"]] == [schedule["id"]]
    none = await client.get(SCHEDULES, params={"vehicle_id": outside}, headers=headers)
    assert none.json()["items"] == []
    vehicles = await client.get(f"{SCHEDULES}/{schedule['id']}/vehicles", headers=headers)
    assert [(v["vehicle_id"], v["status"]) for v in vehicles.json()] == [
        (far, "due"),
        (near, "ok"),
    ]


async def test_reminders_clear_when_done_or_deleted(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    await set_meters(db_session, tenants.a.id, vid, km=20_000)
    schedule = await make_schedule(
        client,
        headers,
        vehicle_id=vid,
        interval_km="15000",
        last_done={"odometer_km": "4000"},
    )
    assert schedule["status"] == "overdue"
    [(kind, code, message)] = await open_alerts(db_session, tenants.a.id, vid)
    assert (kind, code) == ("service_overdue", schedule["id"].replace("-", ""))
    assert message == "Oil service overdue: 1,000 km past due."
    deleted = await client.delete(f"{SCHEDULES}/{schedule['id']}", headers=headers)
    assert deleted.status_code == 204
    assert await open_alerts(db_session, tenants.a.id, vid) == []


async def test_calendar_due_in_the_tenants_zone(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    """The calendar counts in the tenant's zone: a service last done on a date is due on the
    date a year later there, whatever the server's clock zone."""
    headers = tenants.a.owner
    await client.patch("/api/v1/tenant", json={"time_zone": "Pacific/Kiritimati"}, headers=headers)
    vid = await make_vehicle(client, headers)
    kiribati_today = (
        datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Pacific/Kiritimati")).date()
    )
    last = kiribati_today - timedelta(days=30)
    await make_schedule(
        client,
        headers,
        name="Tyre swap",
        vehicle_id=vid,
        interval_days=30,
        last_done={"on": last.isoformat()},
        component="tyres",
    )
    body = await status_of(client, headers, vid)
    assert body["meters"]["today"] == kiribati_today.isoformat()
    [due] = body["schedules"]
    assert (due["status"], due["remaining_days"], due["due_by"]) == ("due", 0, ["date"])


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x"},  # no vehicle, no group
        {"name": "x", "vehicle_id": "00000000-0000-0000-0000-000000000001"},  # no interval
        {"name": "x", "interval_km": "-5000"},
        {"name": "x", "interval_km": "0"},
        {"name": "x", "interval_km": "99999999"},
        {"name": "x", "interval_months": 0},
        {"name": "x", "interval_months": 1200},
        {"name": "x", "interval_days": 30, "interval_months": 1},
        {"name": "x", "interval_km": "1000", "soon_km": "-1"},
        {"name": "x", "interval_km": "1000", "last_done": {"odometer_km": "-10"}},
        {"name": "x", "interval_hours": "NaN"},
        {"name": "x", "interval_km": "1000", "surprise": True},
    ],
)
async def test_bad_schedules_are_422(
    client: httpx.AsyncClient, tenants: Tenants, body: dict
) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    body = (
        {"vehicle_id": vid, **body} if "vehicle_id" not in body and body != {"name": "x"} else body
    )
    response = await client.post(SCHEDULES, json=body, headers=headers)
    assert response.status_code == 422, (body, response.text)
    assert response.json()["error"]["code"] == "validation_failed"


async def test_unknown_vehicle_and_other_tenants_schedule(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    other_vehicle = await make_vehicle(client, tenants.b.owner)
    response = await client.post(
        SCHEDULES,
        json={"name": "x", "vehicle_id": other_vehicle, "interval_km": "1000"},
        headers=tenants.a.owner,
    )
    assert response.status_code == 422
    schedule = await make_schedule(
        client, tenants.b.owner, vehicle_id=other_vehicle, interval_months=6
    )
    for method in ("GET", "PATCH", "DELETE"):
        answer = await client.request(
            method,
            f"{SCHEDULES}/{schedule['id']}",
            json={"name": "y"} if method == "PATCH" else None,
            headers=tenants.a.owner,
        )
        assert answer.status_code == 404, (method, answer.text)
    maintenance = await client.get(
        f"/api/v1/vehicles/{other_vehicle}/maintenance", headers=tenants.a.owner
    )
    assert maintenance.status_code == 404


async def test_roles(client: httpx.AsyncClient, tenants: Tenants) -> None:
    vid = await make_vehicle(client, tenants.a.owner)
    body = {"name": "Oil", "vehicle_id": vid, "interval_km": "15000"}
    for role, expected in (
        (Role.MECHANIC, 201),
        (Role.FLEET_MANAGER, 201),
        (Role.DISPATCHER, 403),
        (Role.VIEWER, 403),
        (Role.DRIVER, 403),
    ):
        response = await client.post(SCHEDULES, json=body, headers=tenants.a.as_(role))
        assert response.status_code == expected, (role, response.text)
    assert (await client.get(SCHEDULES, headers=tenants.a.as_(Role.VIEWER))).status_code == 200
    assert (await client.get(SCHEDULES)).status_code == 401


async def test_evaluator_loop_round_follows_meters(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession, rolled_back_db
) -> None:
    """The periodic round (what the loop runs per tenant) moves the stored status as the
    meters move, and raises the reminder once."""
    from fleetyard.maintenance.scheduler import evaluate_tenant

    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    await set_meters(db_session, tenants.a.id, vid, km=10_000)
    schedule = await make_schedule(client, headers, vehicle_id=vid, interval_km="5000")
    await set_meters(db_session, tenants.a.id, vid, km=15_500)
    outcome = await evaluate_tenant(
        rolled_back_db.sessionmaker, TenantId(tenants.a.id), datetime.now(UTC)
    )
    assert outcome is not None and outcome.changed == 1 and outcome.raised == 1
    got = await client.get(f"{SCHEDULES}/{schedule['id']}", headers=headers)
    assert got.json()["status"] == "overdue"
    again = await evaluate_tenant(
        rolled_back_db.sessionmaker, TenantId(tenants.a.id), datetime.now(UTC)
    )
    assert again is not None and again.changed == 0 and again.raised == 0
