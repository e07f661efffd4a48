"""API keys: shown once, stored hashed, role-bound, revocable, never crossing tenants."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.app import create_app
from fleetyard.auth.roles import Role
from fleetyard.config import Settings
from fleetyard.db import Database
from tests.conftest import Tenants


async def test_key_is_shown_once_and_stored_hashed(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    created = await client.post(
        "/api/v1/api-keys",
        json={"name": "telematics", "role": "dispatcher"},
        headers=tenants.a.owner,
    )
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert key.startswith(created.json()["prefix"])

    listed = await client.get("/api/v1/api-keys", headers=tenants.a.owner)
    assert key not in listed.text
    assert any(k["name"] == "telematics" for k in listed.json())

    await db_session.execute(text(f"select set_config('app.tenant_id', '{tenants.a.id}', true)"))
    stored = (await db_session.execute(text("select key_hash from api_keys"))).scalars().all()
    assert hashlib.sha256(key.encode()).hexdigest() in stored
    assert key not in stored

    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert me.json()["role"] == "dispatcher"
    assert me.json()["tenant_id"] == str(tenants.a.id)


async def test_revoked_key_stops_working_at_once(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    """The key is in this process's cache after its first use; revoking through the same
    process drops it, so the very next request is refused."""
    created = (
        await client.post(
            "/api/v1/api-keys", json={"name": "temp", "role": "viewer"}, headers=tenants.a.owner
        )
    ).json()
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert (await client.get("/api/v1/vehicles", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/vehicles", headers=headers)).status_code == 200  # cached
    revoked = await client.delete(f"/api/v1/api-keys/{created['id']}", headers=tenants.a.owner)
    assert revoked.status_code == 204
    after = await client.get("/api/v1/vehicles", headers=headers)
    assert after.status_code == 401


async def test_cannot_mint_a_key_above_ones_role(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    response = await client.post(
        "/api/v1/api-keys", json={"name": "x", "role": "owner"}, headers=tenants.a.as_(Role.ADMIN)
    )
    assert response.status_code == 403
    denied = await client.post(
        "/api/v1/api-keys",
        json={"name": "x", "role": "viewer"},
        headers=tenants.a.as_(Role.FLEET_MANAGER),
    )
    assert denied.status_code == 403


async def test_other_tenant_cannot_revoke(client: httpx.AsyncClient, tenants: Tenants) -> None:
    created = (
        await client.post(
            "/api/v1/api-keys", json={"name": "a", "role": "viewer"}, headers=tenants.a.owner
        )
    ).json()
    response = await client.delete(f"/api/v1/api-keys/{created['id']}", headers=tenants.b.owner)
    assert response.status_code == 404


async def test_malformed_authorization(client: httpx.AsyncClient) -> None:
    for header in ("Basic abc", "Bearer", "Bearer fy_nonsense", "Bearer " + "x" * 5000):
        response = await client.get("/api/v1/vehicles", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["error"]["code"] == "not_authenticated"


async def test_expired_key_is_refused(
    client: httpx.AsyncClient,
    tenants: Tenants,
    settings: Settings,
    rolled_back_db: Database,
    db_session: AsyncSession,
) -> None:
    past = await client.post(
        "/api/v1/api-keys",
        json={"name": "old", "role": "viewer", "expires_at": "2001-01-01T00:00:00Z"},
        headers=tenants.a.owner,
    )
    assert past.status_code == 422
    created = (
        await client.post(
            "/api/v1/api-keys",
            json={"name": "soon", "role": "viewer", "expires_at": "2999-01-01T00:00:00Z"},
            headers=tenants.a.owner,
        )
    ).json()
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert (await client.get("/api/v1/vehicles", headers=headers)).status_code == 200
    await db_session.execute(text(f"select set_config('app.tenant_id', '{tenants.a.id}', true)"))
    await db_session.execute(
        text("update api_keys set expires_at = now() - interval '1 minute' where id = :id"),
        {"id": created["id"]},
    )
    await db_session.commit()
    # a process that has not cached the key reads the expiry from the database
    fresh = create_app(settings, database=rolled_back_db)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fresh), base_url="http://testserver"
    ) as other:
        assert (await other.get("/api/v1/vehicles", headers=headers)).status_code == 401


async def test_cached_key_stops_at_its_expiry(
    live_client: httpx.AsyncClient, live_tenants: Tenants
) -> None:
    """Real commits: inside the rolled-back test transaction now() would stand still. Three
    seconds of life: on a machine loaded by parallel workers, one was sometimes gone before
    the first request was served."""
    expires_at = datetime.now(UTC) + timedelta(seconds=3)
    created = (
        await live_client.post(
            "/api/v1/api-keys",
            json={"name": "brief", "role": "viewer", "expires_at": expires_at.isoformat()},
            headers=live_tenants.a.owner,
        )
    ).json()
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert (await live_client.get("/api/v1/vehicles", headers=headers)).status_code == 200
    await asyncio.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds()) + 0.05)
    assert (await live_client.get("/api/v1/vehicles", headers=headers)).status_code == 401


async def test_a_warm_key_costs_one_statement(
    client: httpx.AsyncClient, tenants: Tenants, rolled_back_db: Database
) -> None:
    """No statement at all: no key look-up, no last_used_at write within the minute, and the
    tenant setting waits for a first real statement, which /auth/me does not need."""
    headers = tenants.a.as_(Role.VIEWER)
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    statements: list[str] = []

    def record(*args: object) -> None:
        if "SAVEPOINT" not in str(args[2]):  # the test's rolled-back transaction
            statements.append(str(args[2]))

    engine = rolled_back_db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements == []
