"""Dispatching a solved plan, the driver's day, stop progress and its refusals."""

from __future__ import annotations

import base64
import io
import uuid

import httpx
from PIL import Image
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from tests.conftest import Tenants
from tests.dispatch.helpers import START, dispatch, setup

ROUTES = "/api/v1/dispatch/routes"


def jpeg() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 120, 40)).save(buffer, format="JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


async def test_dispatch_assigns_routes_with_instants_and_events(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    s = await setup(client, db_session, tenants.a)
    out = await dispatch(
        client,
        tenants.a,
        s.plan_id,
        jobs={"j1": {"name": "Kauppahalli", "place": "Eteläranta", "notes": "Back door"}},
    )
    assert out["status"] == "active" and out["plan_id"] == s.plan_id
    by_vehicle = {r["vehicle"]: r for r in out["routes"]}
    van1 = by_vehicle["van1"]
    assert (van1["vehicle_id"], van1["driver_id"]) == (s.vehicles[0], s.drivers[0])
    assert van1["driver_name"] == "Aino" and van1["total"] == 2 and van1["completed"] == 0
    first = van1["stops"][0]
    assert (first["job_id"], first["name"], first["place"], first["notes"]) == (
        "j1",
        "Kauppahalli",
        "Eteläranta",
        "Back door",
    )
    assert first["planned_arrival_at"] == "2026-12-05T08:02:00Z"
    assert first["window_end_at"] == "2026-12-05T09:00:00Z"
    assert van1["stops"][1]["name"] == "j2"  # no details given: the job's id
    await set_tenant(db_session, TenantId(tenants.a.id))
    types = (
        await db_session.execute(
            text("select type, count(*) from events where type like 'dispatch%' group by type")
        )
    ).all()
    assert dict(types) == {"dispatch_created": 1, "dispatch_route_created": 2}

    again = await client.post(
        f"/api/v1/route-plans/{s.plan_id}/dispatch",
        json={"start_at": START.isoformat()},
        headers=tenants.a.owner,
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "plan_already_dispatched"


async def test_overrides_and_bad_input(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    s = await setup(client, db_session, tenants.a)
    url = f"/api/v1/route-plans/{s.plan_id}/dispatch"
    owner = tenants.a.owner
    bad = [
        {"start_at": "tomorrow"},
        {"routes": [{"vehicle": "nope"}]},
        {"routes": [{"vehicle": "van1", "vehicle_id": str(uuid.uuid4())}]},
        {"routes": [{"vehicle": "van1", "driver_id": str(uuid.uuid4())}]},
        {"routes": [{"vehicle": "van1", "vehicle_id": s.vehicles[1]}]},  # twice the same
        {"jobs": {"j1": {"name": "x" * 201}}},
        {"colour": "red"},
    ]
    for body in bad:
        response = await client.post(url, json=body, headers=owner)
        assert response.status_code == 422, (body, response.text)
    swapped = await client.post(
        url,
        json={
            "start_at": START.isoformat(),
            "routes": [
                {"vehicle": "van1", "vehicle_id": s.vehicles[1], "driver_id": s.drivers[1]},
                {"vehicle": "van2", "vehicle_id": s.vehicles[0]},
            ],
        },
        headers=owner,
    )
    assert swapped.status_code == 201, swapped.text
    by_vehicle = {r["vehicle"]: r for r in swapped.json()["routes"]}
    assert by_vehicle["van1"]["vehicle_id"] == s.vehicles[1]
    assert by_vehicle["van1"]["driver_id"] == s.drivers[1]
    assert by_vehicle["van2"]["vehicle_id"] == s.vehicles[0]
    missing = await client.post(
        f"/api/v1/route-plans/{uuid.uuid4()}/dispatch", json={}, headers=owner
    )
    assert missing.status_code == 404
    driver = await client.post(url, json={}, headers=tenants.a.as_(Role.DRIVER))
    assert driver.status_code == 403


async def test_a_driver_sees_only_their_routes(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    s = await setup(client, db_session, tenants.a)
    out = await dispatch(client, tenants.a, s.plan_id)
    by_vehicle = {r["vehicle"]: r for r in out["routes"]}
    aino, eero = s.users
    mine = await client.get(
        "/api/v1/dispatch/my-routes", params={"date": "2026-12-05"}, headers=aino
    )
    assert mine.status_code == 200, mine.text
    assert [r["id"] for r in mine.json()] == [by_vehicle["van1"]["id"]]
    other_day = await client.get(
        "/api/v1/dispatch/my-routes", params={"date": "2026-12-06"}, headers=aino
    )
    assert other_day.json() == []
    own = await client.get(f"{ROUTES}/{by_vehicle['van1']['id']}", headers=aino)
    assert own.status_code == 200
    theirs = await client.get(f"{ROUTES}/{by_vehicle['van2']['id']}", headers=aino)
    assert theirs.status_code == 404
    stop = by_vehicle["van2"]["stops"][0]["id"]
    meddling = await client.post(
        f"{ROUTES}/{by_vehicle['van2']['id']}/stops/{stop}/arrive", json={}, headers=aino
    )
    assert meddling.status_code == 404
    assert (
        await client.get(f"{ROUTES}/{by_vehicle['van2']['id']}", headers=eero)
    ).status_code == 200
    other_tenant = await client.get(f"{ROUTES}/{by_vehicle['van1']['id']}", headers=tenants.b.owner)
    assert other_tenant.status_code == 404
    for bad in ("2026-13-01", "yesterday", "0001-01-01"):
        response = await client.get(
            "/api/v1/dispatch/my-routes", params={"date": bad}, headers=aino
        )
        assert response.status_code == 422, bad


async def test_stop_transitions_photos_and_idempotent_replay(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    s = await setup(client, db_session, tenants.a)
    out = await dispatch(client, tenants.a, s.plan_id)
    route = next(r for r in out["routes"] if r["vehicle"] == "van1")
    first, second = (st["id"] for st in route["stops"])
    aino = s.users[0]
    base = f"{ROUTES}/{route['id']}/stops"

    arrived = await client.post(
        f"{base}/{first}/arrive", json={"at": "2026-12-05T08:03:00Z"}, headers=aino
    )
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["status"] == "in_progress"
    assert arrived.json()["stops"][0]["arrived_at"] == "2026-12-05T08:03:00Z"
    # still at the first stop: arriving at another is refused
    busy = await client.post(f"{base}/{second}/arrive", json={}, headers=aino)
    assert busy.status_code == 409
    body = {
        "note": "Left with the caretaker",
        "photo": {"content_type": "image/jpeg", "data": jpeg()},
    }
    headers = {**aino, "Idempotency-Key": f"complete-{first}"}
    done = await client.post(f"{base}/{first}/complete", json=body, headers=headers)
    assert done.status_code == 200, done.text
    stop = done.json()["stops"][0]
    assert stop["status"] == "completed" and stop["note"] == "Left with the caretaker"
    assert len(stop["photos"]) == 1 and stop["photos"][0]["content_type"] == "image/jpeg"
    replay = await client.post(f"{base}/{first}/complete", json=body, headers=headers)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == done.json()
    twice = await client.post(f"{base}/{first}/complete", json={}, headers=aino)
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "invalid_transition"
    assert (await client.post(f"{base}/{first}/arrive", json={}, headers=aino)).status_code == 409
    photo = await client.get(f"{base}/{first}/photos/{stop['photos'][0]['id']}", headers=aino)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"

    not_an_image = {
        "photo": {"content_type": "image/jpeg", "data": base64.b64encode(b"hello").decode()}
    }
    refused = await client.post(f"{base}/{second}/fail", json=not_an_image, headers=aino)
    assert refused.status_code == 415
    for bad in (
        {"note": "x" * 2001},
        {"photo": {"content_type": "image/jpeg", "data": "%%%"}},
        {"at": "soon"},
    ):
        response = await client.post(f"{base}/{second}/fail", json=bad, headers=aino)
        assert response.status_code == 422, (bad, response.text)
    assert (await client.post(f"{base}/{second}/leave", json={}, headers=aino)).status_code == 422
    failed = await client.post(f"{base}/{second}/fail", json={"note": "Closed"}, headers=aino)
    assert failed.status_code == 200
    assert failed.json()["status"] == "completed" and failed.json()["completed"] == 2
    closed = await client.post(f"{base}/{second}/complete", json={}, headers=aino)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "route_closed"

    await set_tenant(db_session, TenantId(tenants.a.id))
    updates = await db_session.scalar(
        text("select count(*) from events where type = 'dispatch_stop_updated'")
    )
    assert updates == 3  # arrive, complete, fail: the replay changed nothing
