"""Work orders over HTTP: the workflow and its refusals, costs exact to the cent, downtime
and the vehicle's status, completion resetting its schedule with the live meters, stock
drawn (never below zero), sources (schedule, alert, defect), the event log, isolation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import Database
from fleetyard.kit.ids import TenantId
from fleetyard.maintenance.scheduler import evaluate_tenant
from tests.conftest import Tenants
from tests.maintenance.helpers import (
    PARTS,
    WORK_ORDERS,
    make_part,
    make_schedule,
    make_vehicle,
    open_alerts,
    set_meters,
)
from tests.test_isolation import seed_alert


async def create(client: httpx.AsyncClient, headers: dict[str, str], **body: object) -> dict:
    response = await client.post(WORK_ORDERS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict = response.json()
    return created


async def patch(
    client: httpx.AsyncClient, headers: dict[str, str], wo: dict, **body: object
) -> httpx.Response:
    return await client.patch(f"{WORK_ORDERS}/{wo['id']}", json=body, headers=headers)


async def test_costs_are_exact_decimals(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.as_(Role.MECHANIC)
    vid = await make_vehicle(client, tenants.a.owner)
    await client.patch("/api/v1/tenant", json={"currency": "SEK"}, headers=tenants.a.owner)
    part = await make_part(client, tenants.a.owner, unit_cost="0.10")
    wo = await create(
        client,
        headers,
        vehicle_id=vid,
        title="Brake pads front",
        component="brakes",
        lines=[
            {"kind": "labour", "hours": "1.5", "rate": "86.33", "description": "Fit pads"},
            {"kind": "labour", "hours": "0.1", "rate": "0.05"},
            {"kind": "part", "part_id": part["id"], "quantity": "3"},
            {"kind": "part", "description": "Pad set", "quantity": "1", "unit_cost": "64.90"},
        ],
    )
    assert wo["currency"] == "SEK"
    assert [line["amount"] for line in wo["lines"]] == ["129.50", "0.01", "0.30", "64.90"]
    assert (wo["labour_total"], wo["parts_total"], wo["total"]) == ("129.51", "65.20", "194.71")
    assert Decimal(wo["total"]) == Decimal(wo["labour_total"]) + Decimal(wo["parts_total"])
    assert wo["lines"][2]["description"] == "Oil filter"  # the stock's name when none given
    assert wo["number"] >= 1 and wo["kind"] == "corrective" and wo["status"] == "open"


async def test_workflow_and_refused_transitions(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    wo = await create(client, headers, vehicle_id=vid, title="Check noise")
    refused = await patch(client, headers, wo, status="completed")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["details"]["allowed"] == ["cancelled", "in_progress"]
    started = await patch(client, headers, wo, status="in_progress")
    assert started.status_code == 200 and started.json()["started_at"] is not None
    done = await patch(client, headers, wo, status="completed")
    assert done.status_code == 200 and done.json()["completed_at"] is not None
    for body in ({"status": "in_progress"}, {"status": "cancelled"}, {"title": "later"}):
        again = await patch(client, headers, wo, **body)
        assert again.status_code == 409, body
        assert again.json()["error"]["code"] == "invalid_transition"
    second = await create(client, headers, vehicle_id=vid, title="Other")
    cancelled = await patch(client, headers, second, status="cancelled")
    assert cancelled.json()["status"] == "cancelled"
    assert (await patch(client, headers, second, status="open")).status_code == 409
    stale = await client.patch(
        f"{WORK_ORDERS}/{second['id']}", json={"title": "x"}, headers={**headers, "If-Match": "1"}
    )
    assert stale.status_code == 409


async def test_completion_resets_schedule_with_live_meters(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    await set_meters(db_session, tenants.a.id, vid, km=100_000, hours=3_000)
    schedule = await make_schedule(
        client,
        headers,
        vehicle_id=vid,
        interval_km="15000",
        soon_km="1000",
        component="engine",
        last_done={"odometer_km": "84000"},
    )
    assert schedule["status"] == "overdue"
    wo = await create(
        client, headers, vehicle_id=vid, source={"kind": "schedule", "id": schedule["id"]}
    )
    assert (wo["title"], wo["component"], wo["kind"]) == ("Oil service", "engine", "preventive")
    assert wo["source"] == {"kind": "schedule", "id": schedule["id"]}
    await patch(client, headers, wo, status="in_progress")
    await set_meters(db_session, tenants.a.id, vid, km=100_012.3, hours=3_001.5)
    done = (await patch(client, headers, wo, status="completed")).json()
    assert (done["completion_odometer_km"], done["completion_engine_hours"]) == (
        "100012.3",
        "3001.5",
    )
    status = (await client.get(f"/api/v1/vehicles/{vid}/maintenance", headers=headers)).json()
    [due] = status["schedules"]
    assert (due["status"], due["last_done_km"], due["next_due_km"]) == (
        "ok",
        "100012.3",
        "115012.3",
    )
    assert due["last_work_order_id"] == wo["id"]
    assert await open_alerts(db_session, tenants.a.id, vid) == []


async def test_downtime_puts_the_vehicle_in_maintenance(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    until = datetime.now(UTC) + timedelta(days=2)
    wo = await create(
        client,
        headers,
        vehicle_id=vid,
        title="Gearbox",
        vendor="Kone Auto Oy",
        out_of_service_from=(datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        out_of_service_until=until.isoformat(),
    )
    vehicle = (await client.get(f"/api/v1/vehicles/{vid}", headers=headers)).json()
    assert vehicle["status"] == {
        "state": "in_maintenance",
        "shop": "Kone Auto Oy",
        "expected_return": until.date().isoformat(),
    }
    await patch(client, headers, wo, status="in_progress")
    done = (await patch(client, headers, wo, status="completed")).json()
    assert done["out_of_service_until"] is not None
    vehicle = (await client.get(f"/api/v1/vehicles/{vid}", headers=headers)).json()
    assert vehicle["status"] == {"state": "active"}


async def test_stock_drawn_on_completion_never_below_zero(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    part = await make_part(client, headers, quantity_on_hand="5", reorder_level="2")
    wo = await create(
        client,
        headers,
        vehicle_id=vid,
        title="Filters",
        lines=[
            {"kind": "part", "part_id": part["id"], "quantity": "2"},
            {"kind": "part", "part_id": part["id"], "quantity": "4"},
        ],
    )
    await patch(client, headers, wo, status="in_progress")
    short = await patch(client, headers, wo, status="completed")
    assert short.status_code == 409
    error = short.json()["error"]
    assert error["code"] == "insufficient_stock"
    assert error["details"]["parts"] == [
        {
            "part_id": part["id"],
            "part_number": part["part_number"],
            "on_hand": "5.000",
            "needed": "6.000",
        }
    ]
    assert (await client.get(f"{PARTS}/{part['id']}", headers=headers)).json()[
        "quantity_on_hand"
    ] == "5.000"
    fixed = await patch(
        client, headers, wo, lines=[{"kind": "part", "part_id": part["id"], "quantity": "3.5"}]
    )
    assert fixed.json()["parts_total"] == "43.40"
    done = await patch(client, headers, wo, status="completed")
    assert done.status_code == 200, done.text
    stock = (await client.get(f"{PARTS}/{part['id']}", headers=headers)).json()
    assert (stock["quantity_on_hand"], stock["low_stock"]) == ("1.500", True)
    [(kind, code, _)] = await open_alerts(db_session, tenants.a.id, vid)
    assert (kind, code) == ("part_low_stock", part["id"].replace("-", ""))
    low = await client.get(PARTS, params={"low_stock": "true"}, headers=headers)
    assert [p["id"] for p in low.json()["items"]] == [part["id"]]
    restocked = await client.patch(
        f"{PARTS}/{part['id']}", json={"quantity_on_hand": "20"}, headers=headers
    )
    assert restocked.json()["low_stock"] is False
    assert await open_alerts(db_session, tenants.a.id, vid) == []
    in_use = await client.delete(f"{PARTS}/{part['id']}", headers=headers)
    assert in_use.status_code == 409


async def test_from_a_dtc_alert_and_a_defect(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    alert_id = await seed_alert(db_session, tenants.a.id, vid)  # a fuel_low alert
    wo = await create(client, headers, source={"kind": "alert", "id": alert_id})
    assert (wo["vehicle_id"], wo["kind"]) == (vid, "corrective")
    assert wo["title"].startswith("Fuel level")
    other = await make_vehicle(client, headers)
    wrong = await client.post(
        WORK_ORDERS,
        json={"vehicle_id": other, "source": {"kind": "alert", "id": alert_id}},
        headers=headers,
    )
    assert wrong.status_code == 422
    defect = uuid.uuid4()
    wo = await create(
        client,
        headers,
        vehicle_id=vid,
        title="Cracked mirror",
        component="other",
        source={"kind": "defect", "id": str(defect)},
    )
    found = await client.get(
        WORK_ORDERS, params={"source_kind": "defect", "source_id": str(defect)}, headers=headers
    )
    assert [w["id"] for w in found.json()["items"]] == [wo["id"]]


async def test_every_change_is_an_event(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    wo = await create(
        client,
        headers,
        vehicle_id=vid,
        title="Lights",
        lines=[{"kind": "labour", "hours": "1", "rate": "50"}],
    )
    await patch(client, headers, wo, lines=[{"kind": "labour", "hours": "2", "rate": "50"}])
    await patch(client, headers, wo, status="in_progress")
    events = await client.get(
        "/api/v1/events",
        params={"entity_type": "work_order", "entity_id": wo["id"]},
        headers=headers,
    )
    items = events.json()["items"]
    types = sorted(e["type"] for e in items)
    assert types == ["work_order_created", "work_order_updated", "work_order_updated"]
    changed = [e["changes"] for e in items if e["type"] == "work_order_updated"]
    assert any("total" in c and "lines" in c for c in changed)
    assert any(c.get("status") == {"before": "open", "after": "in_progress"} for c in changed)
    assert {e["entity_name"] for e in items} == {f"WO-{wo['number']}"}


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x"},  # no vehicle
        {"title": "x", "lines": [{"kind": "labour", "hours": "-1", "rate": "10"}]},
        {"title": "x", "lines": [{"kind": "labour", "hours": "1", "rate": "10.001"}]},
        {"title": "x", "lines": [{"kind": "part", "quantity": "1"}]},
        {
            "title": "x",
            "lines": [{"kind": "part", "quantity": "0", "unit_cost": "1", "description": "a"}],
        },
        {"title": "x", "lines": [{"kind": "gift", "amount": "1"}]},
        {"title": "x", "component": "flux_capacitor"},
        {"title": "x", "source": {"kind": "schedule"}},
        {"title": "x", "source": {"kind": "manual", "id": str(uuid.uuid4())}},
        {"title": "x", "source": {"kind": "schedule", "id": str(uuid.uuid4())}},
        {"title": "x", "out_of_service_until": "2030-01-01T00:00:00Z"},
        {
            "title": "x",
            "out_of_service_from": "2030-01-02T00:00:00Z",
            "out_of_service_until": "2030-01-01T00:00:00Z",
        },
        {"title": "x", "assigned_to": str(uuid.uuid4())},
        {"title": "x", "lines": [{"kind": "part", "part_id": str(uuid.uuid4()), "quantity": "1"}]},
    ],
)
async def test_bad_work_orders_are_422(
    client: httpx.AsyncClient, tenants: Tenants, body: dict
) -> None:
    headers = tenants.a.owner
    if body != {"title": "x"}:
        body = {"vehicle_id": await make_vehicle(client, headers), **body}
    response = await client.post(WORK_ORDERS, json=body, headers=headers)
    assert response.status_code == 422, (body, response.text)


async def test_bad_currency_and_parts(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    for currency in ("XYZ", "eur", "EURO", ""):
        response = await client.patch(
            "/api/v1/tenant", json={"currency": currency}, headers=headers
        )
        assert response.status_code == 422, currency
    ok = await client.patch("/api/v1/tenant", json={"currency": "USD"}, headers=headers)
    assert ok.json()["currency"] == "USD"
    for body in (
        {"part_number": "A", "name": "x", "quantity_on_hand": "-1"},
        {"part_number": "A", "name": "x", "unit_cost": "-0.01"},
        {"part_number": " ", "name": "x"},
        {"part_number": "A", "name": "x", "reorder_level": "1e99"},
    ):
        assert (await client.post(PARTS, json=body, headers=headers)).status_code == 422, body
    await make_part(client, headers, part_number="OF-1")
    twin = await client.post(PARTS, json={"part_number": "of-1", "name": "Twin"}, headers=headers)
    assert twin.status_code == 409 and twin.json()["error"]["code"] == "already_exists"


async def test_another_tenants_work_order_is_404(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    vid = await make_vehicle(client, tenants.b.owner)
    wo = await create(client, tenants.b.owner, vehicle_id=vid, title="Theirs")
    part = await make_part(client, tenants.b.owner)
    for url in (f"{WORK_ORDERS}/{wo['id']}", f"{PARTS}/{part['id']}"):
        assert (await client.get(url, headers=tenants.a.owner)).status_code == 404
        answer = await client.patch(
            url, json={"title": "x"} if "work" in url else {"name": "x"}, headers=tenants.a.owner
        )
        assert answer.status_code == 404
    mine = await client.get(WORK_ORDERS, headers=tenants.a.owner)
    assert mine.json()["items"] == []
    on_theirs = await client.post(
        WORK_ORDERS, json={"vehicle_id": vid, "title": "Sneaky"}, headers=tenants.a.owner
    )
    assert on_theirs.status_code == 422


async def test_a_vehicle_put_in_a_shop_otherwise_stays_there(
    client: httpx.AsyncClient, tenants: Tenants, rolled_back_db: Database
) -> None:
    """Only a status naming one of its work orders' shops is ended by maintenance: a vehicle
    put in a body shop by hand stays there while a work order's later downtime waits."""
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers)
    body_shop = {"state": "in_maintenance", "shop": "Peltikorjaamo Oy", "expected_return": None}
    await client.patch(f"/api/v1/vehicles/{vid}", json={"status": body_shop}, headers=headers)
    later = datetime.now(UTC) + timedelta(days=3)
    wo = await create(
        client,
        headers,
        vehicle_id=vid,
        title="Clutch",
        vendor="Kone Auto Oy",
        out_of_service_from=later.isoformat(),
    )
    await evaluate_tenant(rolled_back_db.sessionmaker, TenantId(tenants.a.id), datetime.now(UTC))
    await patch(client, headers, wo, status="cancelled")
    vehicle = (await client.get(f"/api/v1/vehicles/{vid}", headers=headers)).json()
    assert vehicle["status"] == body_shop
