"""Browser sessions: login, CSRF, /me, tenant switching, logout and expiry."""

from __future__ import annotations

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.dependencies import CSRF_COOKIE, SESSION_COOKIE
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.db import Database, set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.members.schemas import MemberCreate
from fleetyard.members.service import MemberService
from tests.conftest import Tenants
from tests.factories import PASSWORD


async def login(client: httpx.AsyncClient, email: str, tenant: str | None = None) -> str:
    body = {"email": email, "password": PASSWORD}
    if tenant:
        body["tenant"] = tenant
    response = await client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    csrf: str = response.json()["csrf_token"]
    return csrf


async def test_login_sets_http_only_cookie_and_reports_me(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"email": tenants.a.owner_email, "password": PASSWORD}
    )
    assert response.status_code == 200
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=lax" in session_cookie
    csrf_cookie = next(c for c in cookies if c.startswith(f"{CSRF_COOKIE}="))
    assert "HttpOnly" not in csrf_cookie  # the app reads it to send the header
    body = response.json()
    assert body["tenant_id"] == str(tenants.a.id)
    assert body["role"] == "owner"
    assert [m["slug"] for m in body["memberships"]] == [tenants.a.slug]
    assert "password_hash" not in response.text

    me = await client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["email"] == tenants.a.owner_email


async def test_wrong_password_and_unknown_email_look_the_same(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": tenants.a.owner_email, "password": "nope"}
    )
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"


async def test_changes_need_the_csrf_token(client: httpx.AsyncClient, tenants: Tenants) -> None:
    csrf = await login(client, tenants.a.owner_email)
    without = await client.post("/api/v1/vehicles", json={"plate": "CSRF-1"})
    assert without.status_code == 403
    assert without.json()["error"]["code"] == "csrf_failed"
    wrong = await client.post(
        "/api/v1/vehicles", json={"plate": "CSRF-1"}, headers={"X-CSRF-Token": "forged"}
    )
    assert wrong.status_code == 403
    ok = await client.post(
        "/api/v1/vehicles", json={"plate": "CSRF-1"}, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status_code == 201
    # reads need no token
    assert (await client.get("/api/v1/vehicles")).status_code == 200


async def test_logout_ends_the_session(client: httpx.AsyncClient, tenants: Tenants) -> None:
    csrf = await login(client, tenants.a.owner_email)
    token = client.cookies.get(SESSION_COOKIE)
    out = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    # even replaying the old cookie is refused: the server forgot it
    client.cookies.set(SESSION_COOKIE, token or "")
    again = await client.get("/api/v1/vehicles")
    assert again.status_code == 401


async def test_expired_session_is_refused(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    await login(client, tenants.a.owner_email)
    assert (await client.get("/api/v1/auth/me")).status_code == 200
    await db_session.execute(
        text("update user_sessions set expires_at = now() - interval '1 second'")
    )
    await db_session.commit()
    expired = await client.get("/api/v1/auth/me")
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "not_authenticated"


async def test_user_in_two_tenants_picks_and_switches(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    await set_tenant(db_session, TenantId(tenants.b.id))
    await MemberService(db_session, Principal.system(TenantId(tenants.b.id))).add(
        MemberCreate(email=tenants.a.owner_email, role=Role.VIEWER)
    )
    await db_session.commit()
    await client.post("/api/v1/vehicles", json={"plate": "ONLY-B"}, headers=tenants.b.owner)

    csrf = await login(client, tenants.a.owner_email, tenant=tenants.a.slug)
    me = (await client.get("/api/v1/auth/me")).json()
    assert {m["slug"] for m in me["memberships"]} == {tenants.a.slug, tenants.b.slug}
    assert me["tenant_id"] == str(tenants.a.id)
    plates_a = [v["plate"] for v in (await client.get("/api/v1/vehicles")).json()["items"]]
    assert "ONLY-B" not in plates_a

    switched = await client.post(
        "/api/v1/auth/switch", json={"tenant": tenants.b.slug}, headers={"X-CSRF-Token": csrf}
    )
    assert switched.status_code == 200
    assert switched.json()["role"] == "viewer"
    plates_b = [v["plate"] for v in (await client.get("/api/v1/vehicles")).json()["items"]]
    assert plates_b == ["ONLY-B"]
    # viewer in B: no writes
    denied = await client.post(
        "/api/v1/vehicles", json={"plate": "NO"}, headers={"X-CSRF-Token": csrf}
    )
    assert denied.status_code == 403

    elsewhere = await client.post(
        "/api/v1/auth/switch", json={"tenant": "not-mine"}, headers={"X-CSRF-Token": csrf}
    )
    assert elsewhere.status_code == 404


async def test_login_straight_into_a_named_tenant_one_is_not_in(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    response = await client.post(
        "/api/v1/auth/login",
        json={"email": tenants.a.owner_email, "password": PASSWORD, "tenant": tenants.b.slug},
    )
    assert response.status_code == 404


async def test_session_of_a_removed_member_has_no_tenant(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    await set_tenant(db_session, TenantId(tenants.a.id))
    member = await MemberService(db_session, Principal.system(TenantId(tenants.a.id))).add(
        MemberCreate(email="leaving@example.com", role=Role.VIEWER, password=PASSWORD)
    )
    await db_session.commit()
    await login(client, "leaving@example.com")
    assert (await client.get("/api/v1/vehicles")).status_code == 200
    removed = await client.delete(f"/api/v1/members/{member.user_id}", headers=tenants.a.owner)
    assert removed.status_code == 204
    refused = await client.get("/api/v1/vehicles")
    assert refused.status_code == 401
    assert refused.json()["error"]["details"] == {"reason": "no_tenant"}
    me = (await client.get("/api/v1/auth/me")).json()
    assert me["tenant_id"] is None
    assert me["memberships"] == []


async def test_a_session_request_costs_two_statements_before_the_route(
    client: httpx.AsyncClient, tenants: Tenants, rolled_back_db: Database
) -> None:
    """The session (setting app.user_id) and the membership (setting app.tenant_id)."""
    await login(client, tenants.a.owner_email)
    statements: list[str] = []

    def record(*args: object) -> None:
        if "SAVEPOINT" not in str(args[2]):  # the test's rolled-back transaction
            statements.append(str(args[2]))

    engine = rolled_back_db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert (await client.get("/api/v1/vehicles")).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 3, statements
    assert "user_sessions" in statements[0]
    assert "memberships" in statements[1]
    assert "vehicles" in statements[2]
