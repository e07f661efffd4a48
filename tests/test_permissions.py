"""The permission table, checked on every route for every role.

Each route names its permission through ``require(...)``; a role without it gets 403 before
anything else happens, and a role with it never gets 403 for lack of permission.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute

from fleetyard.app import API_ROUTERS
from fleetyard.auth.roles import ROLE_PERMISSIONS, Permission, Role
from tests.conftest import Tenants


def api_routes() -> list[tuple[str, str, Permission | None]]:
    """(method, path, permission) of every /api/v1 route; None where no role is required."""
    found = []
    for router in API_ROUTERS:
        for route in router.routes:
            if isinstance(route, APIWebSocketRoute):
                continue  # /ws authenticates in its handshake: tests/realtime
            assert isinstance(route, APIRoute)
            permissions = [
                getattr(d.call, "permission", None) for d in route.dependant.dependencies
            ]
            permission = next((p for p in permissions if p is not None), None)
            for method in sorted(route.methods):
                found.append((method, f"/api/v1{route.path}", permission))
    return found


ALL_ROUTES = api_routes()
ROUTES = [(m, p, perm) for m, p, perm in ALL_ROUTES if perm is not None]
OPEN_ROUTES = {
    "/api/v1/auth/login",
    "/api/v1/auth/logout",
    "/api/v1/auth/me",
    "/api/v1/auth/switch",
    "/api/v1/live/schema",  # the live protocol's JSON Schema, public like /openapi.json
}
# Streams that authenticate themselves (vehicles:read, which every role has): their
# 401/403/404/422 scenarios are in tests/realtime/test_stream.py.
SELF_GUARDED = {"/api/v1/stream"}


def test_every_api_route_is_guarded() -> None:
    assert len(ROUTES) > 20
    for method, path, permission in ALL_ROUTES:
        assert permission is not None or path in OPEN_ROUTES | SELF_GUARDED, (method, path)


@pytest.mark.parametrize(
    ("method", "path", "permission"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
async def test_roles_on_route(
    client: httpx.AsyncClient, tenants: Tenants, method: str, path: str, permission: Permission
) -> None:
    url = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)
    body = {} if method in ("POST", "PUT", "PATCH") else None
    for role in Role:
        response = await client.request(method, url, json=body, headers=tenants.a.as_(role))
        if permission in ROLE_PERMISSIONS[role]:
            denied = (
                response.status_code == 403
                and response.json()["error"]["code"] == "permission_denied"
            )
            assert not denied, (role, response.text)
        else:
            assert response.status_code == 403, (role, response.status_code, response.text)
            assert response.json()["error"]["details"] == {"required": permission.value}


def test_only_owners_and_admins_manage_webhooks() -> None:
    """Webhooks send the tenant's events to any URL: a privilege of the tenant's admins."""
    allowed = {role for role in Role if Permission.WEBHOOKS_MANAGE in ROLE_PERMISSIONS[role]}
    assert allowed == {Role.OWNER, Role.ADMIN}
    guarded = {path for _, path, p in ROUTES if p is Permission.WEBHOOKS_MANAGE}
    assert guarded == {path for _, path, _ in ALL_ROUTES if path.startswith("/api/v1/webhooks")}
    assert len(guarded) == 7
