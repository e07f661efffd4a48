from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import Database
from fleetyard.tenants.schemas import TenantLimits
from tests.conftest import Tenants
from tests.factories import member_session, setup_tenant

VALID_VIN = "1HGCM82633A004352"


async def test_create_get_list_update_delete(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    created = await client.post(
        "/api/v1/vehicles", json={"vin": VALID_VIN, "plate": "ABC-123"}, headers=headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["make"] == "Honda"
    assert body["year"] == 2003
    assert body["status"] == {"state": "active"}
    vid = body["id"]

    got = await client.get(f"/api/v1/vehicles/{vid}", headers=headers)
    assert got.status_code == 200
    assert got.json()["plate"] == "ABC-123"

    listed = await client.get("/api/v1/vehicles", headers=headers, params={"status": "active"})
    assert [v["id"] for v in listed.json()["items"]] == [vid]

    updated = await client.patch(
        f"/api/v1/vehicles/{vid}",
        json={"version": 1, "status": {"state": "in_maintenance", "shop": "Main St Garage"}},
        headers=headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert updated.json()["status"] == {
        "state": "in_maintenance",
        "shop": "Main St Garage",
        "expected_return": None,
    }

    stale = await client.patch(
        f"/api/v1/vehicles/{vid}", json={"version": 1, "plate": "X"}, headers=headers
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"

    deleted = await client.delete(f"/api/v1/vehicles/{vid}", headers=headers)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/v1/vehicles/{vid}", headers=headers)).status_code == 404

    events = await client.get(
        "/api/v1/events", params={"entity_type": "vehicle", "entity_id": vid}, headers=headers
    )
    assert [e["type"] for e in events.json()["items"]] == [
        "vehicle_deleted",
        "vehicle_updated",
        "vehicle_created",
    ]


async def test_standard_scenarios(client: httpx.AsyncClient, tenants: Tenants) -> None:
    assert (await client.get("/api/v1/vehicles")).status_code == 401
    denied = await client.post("/api/v1/vehicles", json={}, headers=tenants.a.as_(Role.VIEWER))
    assert denied.status_code == 403
    created = await client.post("/api/v1/vehicles", json={"plate": "B-1"}, headers=tenants.a.owner)
    vid = created.json()["id"]
    other = await client.get(f"/api/v1/vehicles/{vid}", headers=tenants.b.owner)
    assert other.status_code == 404
    bad = await client.post(
        "/api/v1/vehicles", json={"vin": "1HGCM82633A004353"}, headers=tenants.a.owner
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "validation_failed"


async def test_filters_sort_and_cursor_pages(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    for i in range(7):
        body: dict[str, object] = {
            "plate": f"P-{i:02d}",
            "year": 2010 + i,
            "tags": ["north"] if i % 2 else [],
        }
        if i == 6:
            body["status"] = {"state": "retired", "retired_on": "2024-01-31", "reason": "sold"}
        assert (
            await client.post("/api/v1/vehicles", json=body, headers=headers)
        ).status_code == 201

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"sort": "-year", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/vehicles", params=params, headers=headers)).json()
        seen += [v["plate"] for v in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"P-{i:02d}" for i in reversed(range(7))]

    active = await client.get(
        "/api/v1/vehicles", params={"status": "active", "tag": "north"}, headers=headers
    )
    assert sorted(v["plate"] for v in active.json()["items"]) == ["P-01", "P-03", "P-05"]
    retired = await client.get("/api/v1/vehicles", params={"status": "retired"}, headers=headers)
    assert retired.json()["items"][0]["status"] == {
        "state": "retired",
        "retired_on": "2024-01-31",
        "reason": "sold",
    }
    search = await client.get("/api/v1/vehicles", params={"q": "p-0_"}, headers=headers)
    assert search.json()["items"] == []  # LIKE wildcards are literal

    bad_sort = await client.get("/api/v1/vehicles", params={"sort": "password"}, headers=headers)
    assert bad_sort.status_code == 422
    bad_cursor = await client.get(
        "/api/v1/vehicles", params={"cursor": "!!notacursor"}, headers=headers
    )
    assert bad_cursor.status_code == 422


async def test_duplicate_plate_or_vin_is_409(client: httpx.AsyncClient, tenants: Tenants) -> None:
    first = await client.post(
        "/api/v1/vehicles", json={"plate": "DUP", "vin": VALID_VIN}, headers=tenants.a.owner
    )
    assert first.status_code == 201
    plate = await client.post("/api/v1/vehicles", json={"plate": "DUP"}, headers=tenants.a.owner)
    assert plate.status_code == 409
    assert plate.json()["error"] == {
        "code": "already_exists",
        "message": "Another vehicle already has this plate.",
        "details": {"field": "plate"},
    }
    vin = await client.post(
        "/api/v1/vehicles", json={"vin": VALID_VIN.lower()}, headers=tenants.a.owner
    )
    assert vin.status_code == 409
    # the same plate in another tenant is fine
    other = await client.post("/api/v1/vehicles", json={"plate": "DUP"}, headers=tenants.b.owner)
    assert other.status_code == 201


async def test_if_match_header_guards_updates(client: httpx.AsyncClient, tenants: Tenants) -> None:
    vid = (
        await client.post("/api/v1/vehicles", json={"plate": "IM"}, headers=tenants.a.owner)
    ).json()["id"]
    stale = await client.patch(
        f"/api/v1/vehicles/{vid}",
        json={"plate": "IM2"},
        headers={**tenants.a.owner, "If-Match": '"5"'},
    )
    assert stale.status_code == 409
    fresh = await client.patch(
        f"/api/v1/vehicles/{vid}",
        json={"plate": "IM2"},
        headers={**tenants.a.owner, "If-Match": '"1"'},
    )
    assert fresh.status_code == 200
    garbage = await client.patch(
        f"/api/v1/vehicles/{vid}",
        json={"plate": "IM3"},
        headers={**tenants.a.owner, "If-Match": "abc"},
    )
    assert garbage.status_code == 400
    stale_delete = await client.delete(
        f"/api/v1/vehicles/{vid}", headers={**tenants.a.owner, "If-Match": "1"}
    )
    assert stale_delete.status_code == 409


async def test_partial_update_rules(client: httpx.AsyncClient, tenants: Tenants) -> None:
    vid = (
        await client.post(
            "/api/v1/vehicles", json={"plate": "PU", "tags": ["a"]}, headers=tenants.a.owner
        )
    ).json()["id"]
    null_required = await client.patch(
        f"/api/v1/vehicles/{vid}", json={"status": None}, headers=tenants.a.owner
    )
    assert null_required.status_code == 422
    unknown = await client.patch(
        f"/api/v1/vehicles/{vid}", json={"colour": "red"}, headers=tenants.a.owner
    )
    assert unknown.status_code == 422
    cleared = await client.patch(
        f"/api/v1/vehicles/{vid}", json={"plate": None}, headers=tenants.a.owner
    )
    assert cleared.json()["plate"] is None
    assert cleared.json()["tags"] == ["a"]
    noop = await client.patch(
        f"/api/v1/vehicles/{vid}", json={"tags": ["a"]}, headers=tenants.a.owner
    )
    assert noop.json()["version"] == cleared.json()["version"]  # nothing changed, no new version


async def test_mechanic_updates_but_cannot_create_or_delete(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    vid = (
        await client.post("/api/v1/vehicles", json={"plate": "M1"}, headers=tenants.a.owner)
    ).json()["id"]
    mechanic = tenants.a.as_(Role.MECHANIC)
    maintenance = {
        "status": {"state": "in_maintenance", "shop": "Bay 3", "expected_return": "2026-12-01"}
    }
    assert (
        await client.patch(f"/api/v1/vehicles/{vid}", json=maintenance, headers=mechanic)
    ).status_code == 200
    assert (
        await client.post("/api/v1/vehicles", json={"plate": "M2"}, headers=mechanic)
    ).status_code == 403
    assert (await client.delete(f"/api/v1/vehicles/{vid}", headers=mechanic)).status_code == 403


async def test_vehicle_limit(client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    small = await setup_tenant(db_session, "small", TenantLimits(max_vehicles=2))
    await db_session.commit()
    for plate in ("L1", "L2"):
        assert (
            await client.post("/api/v1/vehicles", json={"plate": plate}, headers=small.owner)
        ).status_code == 201
    third = await client.post("/api/v1/vehicles", json={"plate": "L3"}, headers=small.owner)
    assert third.status_code == 409
    assert third.json()["error"]["code"] == "limit_exceeded"
    assert third.json()["error"]["details"] == {"limit": 2, "kind": "vehicles"}


async def test_vehicle_limit_holds_under_concurrency(
    live_client: httpx.AsyncClient, app_database: Database
) -> None:
    async with app_database.sessionmaker() as session:
        small = await setup_tenant(session, "race", TenantLimits(max_vehicles=3))
        await session.commit()
    responses = await asyncio.gather(
        *(
            live_client.post("/api/v1/vehicles", json={"plate": f"R{i}"}, headers=small.owner)
            for i in range(10)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] * 3 + [409] * 7


async def test_a_group_the_tenant_has_not_is_a_422_on_the_field_by_key_and_by_session(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    """The group is checked by the key (tenant first) rather than a look-up: another tenant's
    group, or none, is still said plainly on the field, and nothing is written."""
    theirs = await client.post("/api/v1/groups", json={"name": "B depot"}, headers=tenants.b.owner)
    assert theirs.status_code == 201, theirs.text
    mine = await client.post("/api/v1/groups", json={"name": "A depot"}, headers=tenants.a.owner)
    manager = await member_session(client, tenants.a, Role.FLEET_MANAGER)
    for headers in (tenants.a.owner, manager.headers):
        for group_id in (theirs.json()["id"], str(uuid.uuid4())):
            plate = f"G-{uuid.uuid4().hex[:6]}"
            body = {"plate": plate, "group_id": group_id}
            answer = await client.post("/api/v1/vehicles", json=body, headers=headers)
            assert answer.status_code == 422, answer.text
            assert answer.json()["error"]["code"] == "validation_failed"
            assert answer.json()["error"]["details"] == {"field": "group_id"}
            listed = await client.get(f"/api/v1/vehicles?q={plate}", headers=headers)
            assert plate not in listed.text
        ok = await client.post(
            "/api/v1/vehicles",
            json={"plate": f"G-{uuid.uuid4().hex[:6]}", "group_id": mine.json()["id"]},
            headers=headers,
        )
        assert ok.status_code == 201, ok.text
        assert ok.json()["group_id"] == mine.json()["id"]


async def test_a_session_member_is_held_to_the_vehicle_limit_too(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    small = await setup_tenant(db_session, "small-session", TenantLimits(max_vehicles=1))
    await db_session.commit()
    manager = await member_session(client, small, Role.FLEET_MANAGER)
    first = await client.post("/api/v1/vehicles", json={"plate": "S1"}, headers=manager.headers)
    assert first.status_code == 201, first.text
    second = await client.post("/api/v1/vehicles", json={"plate": "S2"}, headers=manager.headers)
    assert second.status_code == 409
    assert second.json()["error"]["details"] == {"limit": 1, "kind": "vehicles"}
