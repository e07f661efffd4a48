"""Builders shared by the reservation tests: vehicles, bookings by hour, user sessions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from fleetyard.auth.dependencies import CSRF_HEADER, SESSION_COOKIE
from fleetyard.auth.roles import Role
from tests.factories import PASSWORD, TenantSetup

T0 = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)


def at(hours: float) -> str:
    """An ISO instant ``hours`` after a fixed Monday morning."""
    return (T0 + timedelta(hours=hours)).isoformat()


async def make_vehicle(client: httpx.AsyncClient, headers: dict[str, str], **fields: Any) -> str:
    fields.setdefault("plate", f"R-{uuid.uuid4().hex[:8]}")
    response = await client.post("/api/v1/vehicles", json=fields, headers=headers)
    assert response.status_code == 201, response.text
    vehicle_id: str = response.json()["id"]
    return vehicle_id


async def reserve(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    vehicle_id: str,
    start: float,
    end: float,
    **fields: Any,
) -> httpx.Response:
    body = {"vehicle_id": vehicle_id, "starts_at": at(start), "ends_at": at(end), **fields}
    return await client.post("/api/v1/reservations", json=body, headers=headers)


async def booked(
    client: httpx.AsyncClient, headers: dict[str, str], vehicle_id: str, start: float, end: float
) -> dict[str, Any]:
    response = await reserve(client, headers, vehicle_id, start, end)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@dataclass
class UserSession:
    user_id: str
    headers: dict[str, str]


async def member_session(client: httpx.AsyncClient, tenant: TenantSetup, role: Role) -> UserSession:
    """A new member of ``tenant`` with ``role``, logged in; headers carry cookie and CSRF."""
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.com"
    added = await client.post(
        "/api/v1/members",
        json={"email": email, "role": role.value, "password": PASSWORD},
        headers=tenant.owner,
    )
    assert added.status_code == 201, added.text
    login = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD, "tenant": tenant.slug}
    )
    assert login.status_code == 200, login.text
    token = login.cookies[SESSION_COOKIE]
    client.cookies.clear()  # each caller passes its own credentials explicitly
    headers = {"Cookie": f"{SESSION_COOKIE}={token}", CSRF_HEADER: login.json()["csrf_token"]}
    return UserSession(added.json()["user_id"], headers)
