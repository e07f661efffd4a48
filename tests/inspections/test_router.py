"""Inspections over HTTP: the form, a submission with defects and photos, the mechanic's
sign-off, the vehicle out of service and back, exactly-once replays, and who sees what."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.inspections.defects import OUT_OF_SERVICE_SHOP
from fleetyard.kit.ids import TenantId
from tests.conftest import Tenants
from tests.factories import member_session
from tests.inspections.helpers import (
    URL,
    form,
    image_bytes,
    make_vehicle,
    photo,
    submission,
)


async def count(session: AsyncSession, tenant_id: uuid.UUID, table: str) -> int:
    await set_tenant(session, TenantId(tenant_id))
    return int((await session.execute(text(f"select count(*) from {table}"))).scalar_one())  # noqa: S608


async def test_form_has_the_vehicle_types_checklist_and_its_odometer(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.as_(Role.DRIVER)
    van = await make_vehicle(client, tenants.a.owner, type="van", odometer_km=1234.5)
    filled = await form(client, headers, van["id"])
    assert filled["template"]["name"] == "Van: pre-trip"
    assert filled["odometer_km"] == "1234.5"
    assert filled["odometer_source"] == "vehicle"
    labels = {i["label"] for i in filled["template"]["items"]}
    assert "Service brake stops the vehicle" in labels
    assert any(i["critical"] for i in filled["template"]["items"])

    bus = await make_vehicle(client, tenants.a.owner, type="bus")
    post = await form(client, headers, bus["id"], "post_trip")
    assert (
        post["template"]["name"] == "Any vehicle: post-trip"
    )  # no bus checklist: the any-type one
    assert post["odometer_source"] == "none"

    templates = await client.get("/api/v1/inspection-templates", headers=headers)
    assert len(templates.json()) == 8  # car, van, truck, any × pre, post: created once
    again = await client.get("/api/v1/inspection-templates", headers=headers)
    assert [t["id"] for t in again.json()] == [t["id"] for t in templates.json()]

    missing = await client.get(
        f"{URL}/form", params={"vehicle_id": str(uuid.uuid4()), "kind": "pre_trip"}, headers=headers
    )
    assert missing.status_code == 404


async def test_odometer_comes_from_the_tracker(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    van = await make_vehicle(client, tenants.a.owner, odometer_km=10)
    device = await client.post(
        "/api/v1/devices",
        json={"unique_id": "864000000000777", "protocol": "teltonika", "vehicle_id": van["id"]},
        headers=tenants.a.owner,
    )
    assert device.status_code == 201, device.text
    await set_tenant(db_session, TenantId(tenants.a.id))
    await db_session.execute(
        text(
            """insert into vehicle_state (tenant_id, vehicle_id, device_id, fix_time, server_time,
                   latitude, longitude, odometer_m)
               values (:t, :v, :d, now(), now(), 60.17, 24.94, 48213456)"""
        ),
        {"t": tenants.a.id, "v": van["id"], "d": device.json()["id"]},
    )
    await db_session.commit()
    filled = await form(client, tenants.a.as_(Role.DRIVER), van["id"])
    assert (filled["odometer_km"], filled["odometer_source"]) == ("48213.5", "tracker")

    session = await member_session(client, tenants.a, Role.DRIVER)
    stored = await client.post(URL, json=submission(filled), headers=session.headers)
    assert stored.status_code == 201, stored.text
    assert (stored.json()["odometer_km"], stored.json()["odometer_source"]) == (
        "48213.5",
        "tracker",
    )


async def test_defect_workflow_with_photos_out_of_service_and_sign_off(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    driver = await member_session(client, tenants.a, Role.DRIVER)
    mechanic = await member_session(client, tenants.a, Role.MECHANIC)
    van = await make_vehicle(client, tenants.a.owner)
    filled = await form(client, driver.headers, van["id"])
    jpeg, png = image_bytes("JPEG"), image_bytes("PNG")
    body = submission(
        filled,
        {
            "brakes-service": {"note": "Pulls left", "photos": [photo(jpeg)]},
            "mirrors": {"note": "Cracked", "photos": [photo(png, "image/png")]},
        },
        notes="Left depot late",
    )
    submitted = await client.post(URL, json=body, headers=driver.headers)
    assert submitted.status_code == 201, submitted.text
    inspection = submitted.json()
    assert inspection["user_id"] == driver.user_id
    assert (inspection["failed_count"], inspection["critical_count"]) == (2, 1)
    defects = {d["item_id"]: d for d in inspection["defects"]}
    brakes, mirrors = defects["brakes-service"], defects["mirrors"]
    assert brakes["critical"] and brakes["out_of_service"] and brakes["status"] == "open"
    assert not mirrors["critical"] and not mirrors["out_of_service"]
    assert [p["content_type"] for p in brakes["photos"]] == ["image/jpeg"]

    got = await client.get(
        f"/api/v1/defects/{brakes['id']}/photos/{brakes['photos'][0]['id']}",
        headers=mechanic.headers,
    )
    assert got.status_code == 200
    assert got.content == jpeg and got.headers["content-type"] == "image/jpeg"
    assert got.headers["x-content-type-options"] == "nosniff"

    vehicle = (await client.get(f"/api/v1/vehicles/{van['id']}", headers=tenants.a.owner)).json()
    assert vehicle["status"] == {
        "state": "in_maintenance",
        "shop": OUT_OF_SERVICE_SHOP,
        "expected_return": None,
    }
    alerts = await client.get(
        "/api/v1/alerts", params={"vehicle_id": van["id"]}, headers=tenants.a.owner
    )
    opened = [a for a in alerts.json()["items"] if a["kind"] == "defect_reported"]
    assert sorted(a["severity"] for a in opened) == ["critical", "warning"]
    assert {a["state"] for a in opened} == {"open"}

    listed = await client.get("/api/v1/defects", params={"open": "true"}, headers=mechanic.headers)
    assert {d["id"] for d in listed.json()["items"]} == {brakes["id"], mirrors["id"]}

    ack = await client.post(
        f"/api/v1/defects/{brakes['id']}/acknowledge", json={"version": 1}, headers=mechanic.headers
    )
    assert ack.status_code == 200, ack.text
    assert ack.json()["status"] == "acknowledged"
    assert ack.json()["acknowledged_by"] == mechanic.user_id
    stale = await client.post(
        f"/api/v1/defects/{brakes['id']}/sign-off",
        json={"version": 1, "outcome": "resolved"},
        headers=mechanic.headers,
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    denied = await client.post(
        f"/api/v1/defects/{brakes['id']}/sign-off",
        json={"outcome": "resolved"},
        headers=driver.headers,
    )
    assert denied.status_code == 403

    # the mirror is fine after all: the vehicle stays out while the brakes are open
    mirror_off = await client.post(
        f"/api/v1/defects/{mirrors['id']}/sign-off",
        json={"outcome": "no_repair_needed", "note": "Only dirty"},
        headers=mechanic.headers,
    )
    assert mirror_off.json()["status"] == "no_repair_needed"
    vehicle = (await client.get(f"/api/v1/vehicles/{van['id']}", headers=tenants.a.owner)).json()
    assert vehicle["status"]["state"] == "in_maintenance"

    signed = await client.post(
        f"/api/v1/defects/{brakes['id']}/sign-off",
        json={"outcome": "resolved", "note": "Caliper replaced", "version": 2},
        headers=mechanic.headers,
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["signed_off_by"] == mechanic.user_id
    assert signed.json()["signed_off_at"] is not None
    assert signed.json()["sign_off_note"] == "Caliper replaced"
    vehicle = (await client.get(f"/api/v1/vehicles/{van['id']}", headers=tenants.a.owner)).json()
    assert vehicle["status"] == {"state": "active"}
    alerts = await client.get(
        "/api/v1/alerts", params={"vehicle_id": van["id"]}, headers=tenants.a.owner
    )
    assert {a["state"] for a in alerts.json()["items"] if a["kind"] == "defect_reported"} == {
        "cleared"
    } or not [a for a in alerts.json()["items"] if a["state"] == "open"]

    again = await client.post(
        f"/api/v1/defects/{brakes['id']}/sign-off",
        json={"outcome": "no_repair_needed"},
        headers=mechanic.headers,
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"

    events = await client.get(
        "/api/v1/events",
        params={"entity_type": "defect", "entity_id": brakes["id"]},
        headers=tenants.a.owner,
    )
    assert [e["type"] for e in events.json()["items"]] == [
        "defect_signed_off",
        "defect_acknowledged",
        "defect_reported",
    ]
    vehicle_events = await client.get(
        "/api/v1/events",
        params={"entity_type": "vehicle", "entity_id": van["id"]},
        headers=tenants.a.owner,
    )
    assert [e["type"] for e in vehicle_events.json()["items"]][:2] == [
        "vehicle_updated",
        "vehicle_updated",
    ]
    inspection_events = await client.get(
        "/api/v1/events",
        params={"entity_type": "inspection", "entity_id": inspection["id"]},
        headers=tenants.a.owner,
    )
    assert [e["type"] for e in inspection_events.json()["items"]] == ["inspection_submitted"]


async def test_work_order_from_a_defect(client: httpx.AsyncClient, tenants: Tenants) -> None:
    van = await make_vehicle(client, tenants.a.owner)
    filled = await form(client, tenants.a.owner, van["id"])
    submitted = await client.post(
        URL, json=submission(filled, {"horn": {"note": "Silent"}}), headers=tenants.a.owner
    )
    defect = submitted.json()["defects"][0]
    response = await client.post(
        f"/api/v1/defects/{defect['id']}/work-order",
        json={"note": "Check the fuse"},
        headers=tenants.a.as_(Role.MECHANIC),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "work_order_created"
    work_order_id = response.json()["work_order_id"]
    order = await client.get(f"/api/v1/work-orders/{work_order_id}", headers=tenants.a.owner)
    assert order.status_code == 200, order.text
    assert order.json()["source"] == {"kind": "defect", "id": defect["id"]}
    assert order.json()["vehicle_id"] == van["id"]
    assert order.json()["title"] == "Defect: Cab: Horn works"
    events = await client.get(
        "/api/v1/events",
        params={"entity_type": "defect", "entity_id": defect["id"]},
        headers=tenants.a.owner,
    )
    assert next(e["type"] for e in events.json()["items"]) == "defect_work_order_created"


async def test_a_replay_with_the_same_key_is_stored_once(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    driver = await member_session(client, tenants.a, Role.DRIVER)
    van = await make_vehicle(client, tenants.a.owner)
    filled = await form(client, driver.headers, van["id"])
    body = submission(
        filled,
        {"tyres": {"note": "Flat", "photos": [photo(image_bytes())]}},
        performed_at="2031-05-04T06:30:00+03:00",
    )
    headers = {**driver.headers, "Idempotency-Key": f"inspection-{uuid.uuid4()}"}
    first = await client.post(URL, json=body, headers=headers)
    assert first.status_code == 201, first.text
    second = await client.post(URL, json=body, headers=headers)
    assert second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert first.json()["performed_at"].startswith("2031-05-04T03:30:00")
    for table, expected in (
        ("inspections", 1),
        ("inspection_defects", 1),
        ("inspection_photos", 1),
        ("alerts", 1),
    ):
        assert await count(db_session, tenants.a.id, table) == expected, table
    await set_tenant(db_session, TenantId(tenants.a.id))
    submitted_events = await db_session.execute(
        text("select count(*) from events where type = 'inspection_submitted'")
    )
    assert submitted_events.scalar_one() == 1

    other = await client.post(URL, json={**body, "notes": "changed"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


async def test_other_tenants_records_are_404_and_drivers_see_their_own(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    driver = await member_session(client, tenants.a, Role.DRIVER)
    other_driver = await member_session(client, tenants.a, Role.DRIVER)
    van = await make_vehicle(client, tenants.a.owner)
    filled = await form(client, driver.headers, van["id"])
    body = submission(filled, {"horn": {"photos": [photo(image_bytes())]}})
    inspection = (await client.post(URL, json=body, headers=driver.headers)).json()
    defect = inspection["defects"][0]
    photo_id = defect["photos"][0]["id"]
    b = tenants.b.owner
    for path in (
        f"{URL}/{inspection['id']}",
        f"/api/v1/defects/{defect['id']}",
        f"/api/v1/defects/{defect['id']}/photos/{photo_id}",
        f"/api/v1/inspection-templates/{filled['template']['id']}",
    ):
        response = await client.get(path, headers=b)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    for step, payload in (
        ("acknowledge", {}),
        ("sign-off", {"outcome": "resolved"}),
        ("work-order", {}),
    ):
        response = await client.post(
            f"/api/v1/defects/{defect['id']}/{step}", json=payload, headers=b
        )
        assert response.status_code == 404, step
    assert (await client.get(URL, headers=b)).json()["items"] == []
    assert (await client.get("/api/v1/defects", headers=b)).json()["items"] == []
    # tenant B can't submit for A's vehicle or with A's checklist
    foreign = await client.post(URL, json=body, headers=b)
    assert foreign.status_code == 422
    assert foreign.json()["error"]["details"]["field"] == "vehicle_id"

    # another driver of A sees none of the first driver's inspections or defects
    assert (await client.get(URL, headers=other_driver.headers)).json()["items"] == []
    hidden = await client.get(f"{URL}/{inspection['id']}", headers=other_driver.headers)
    assert hidden.status_code == 404
    mine = await client.get(URL, headers=driver.headers)
    assert [i["id"] for i in mine.json()["items"]] == [inspection["id"]]
    viewer = await client.get("/api/v1/defects", headers=tenants.a.as_(Role.VIEWER))
    assert [d["id"] for d in viewer.json()["items"]] == [defect["id"]]
