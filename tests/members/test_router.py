from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.tenants.schemas import TenantLimits
from tests.conftest import Tenants
from tests.factories import setup_tenant


async def test_add_list_change_remove(client: httpx.AsyncClient, tenants: Tenants) -> None:
    admin = tenants.a.as_(Role.ADMIN)
    added = await client.post(
        "/api/v1/members",
        json={"email": "Dispatch@Example.com", "role": "dispatcher", "password": "longenough"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    user_id = added.json()["user_id"]
    assert added.json()["email"] == "dispatch@example.com"

    listed = await client.get("/api/v1/members", headers=tenants.a.as_(Role.FLEET_MANAGER))
    assert {m["email"] for m in listed.json()} == {tenants.a.owner_email, "dispatch@example.com"}

    changed = await client.patch(
        f"/api/v1/members/{user_id}", json={"role": "viewer"}, headers=admin
    )
    assert changed.json()["role"] == "viewer"

    login = await client.post(
        "/api/v1/auth/login", json={"email": "dispatch@example.com", "password": "longenough"}
    )
    assert login.json()["role"] == "viewer"

    assert (await client.delete(f"/api/v1/members/{user_id}", headers=admin)).status_code == 204
    assert (await client.get(f"/api/v1/members/{user_id}", headers=admin)).status_code == 404


async def test_standard_scenarios(client: httpx.AsyncClient, tenants: Tenants) -> None:
    assert (await client.get("/api/v1/members")).status_code == 401
    assert (
        await client.get("/api/v1/members", headers=tenants.a.as_(Role.DRIVER))
    ).status_code == 403
    body = {"email": "x@example.com", "role": "viewer", "password": "longenough"}
    denied = await client.post(
        "/api/v1/members", json=body, headers=tenants.a.as_(Role.FLEET_MANAGER)
    )
    assert denied.status_code == 403
    invalid = await client.post(
        "/api/v1/members", json={"email": "not-an-email", "role": "viewer"}, headers=tenants.a.owner
    )
    assert invalid.status_code == 422
    no_password = await client.post(
        "/api/v1/members",
        json={"email": "new@example.com", "role": "viewer"},
        headers=tenants.a.owner,
    )
    assert no_password.status_code == 422
    added = await client.post("/api/v1/members", json=body, headers=tenants.a.owner)
    other = await client.get(f"/api/v1/members/{added.json()['user_id']}", headers=tenants.b.owner)
    assert other.status_code == 404


async def test_no_granting_above_own_role_and_one_owner_stays(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    admin = tenants.a.as_(Role.ADMIN)
    body = {"email": "boss@example.com", "role": "owner", "password": "longenough"}
    assert (await client.post("/api/v1/members", json=body, headers=admin)).status_code == 403
    members = (await client.get("/api/v1/members", headers=admin)).json()
    owner_id = next(m["user_id"] for m in members if m["role"] == "owner")
    # an admin cannot touch the owner; the owner cannot demote the last owner
    assert (await client.delete(f"/api/v1/members/{owner_id}", headers=admin)).status_code == 403
    last = await client.patch(
        f"/api/v1/members/{owner_id}", json={"role": "admin"}, headers=tenants.a.owner
    )
    assert last.status_code == 409
    assert last.json()["error"]["details"]["reason"] == "last_owner"


async def test_user_limit(client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    small = await setup_tenant(db_session, "small", TenantLimits(max_users=1))
    await db_session.commit()
    body = {"email": "second@example.com", "role": "viewer", "password": "longenough"}
    response = await client.post("/api/v1/members", json=body, headers=small.owner)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "limit_exceeded"


async def test_membership_changes_are_in_the_event_log(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    body = {"email": "audit@example.com", "role": "viewer", "password": "longenough"}
    user_id = (await client.post("/api/v1/members", json=body, headers=tenants.a.owner)).json()[
        "user_id"
    ]
    events = await client.get(
        "/api/v1/events",
        params={"entity_type": "member", "entity_id": user_id},
        headers=tenants.a.owner,
    )
    assert [e["type"] for e in events.json()["items"]] == ["member_created"]
