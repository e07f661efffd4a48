"""Rate limits per tenant and per login IP, in memory and in the real Redis."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.app import create_app
from fleetyard.auth.roles import Role
from fleetyard.config import Settings
from fleetyard.db import Database
from fleetyard.tenants.schemas import TenantLimits
from tests.factories import setup_tenant

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["memory", "redis"])
async def limited_client(
    request: pytest.FixtureRequest, settings: Settings, rolled_back_db: Database
) -> AsyncIterator[httpx.AsyncClient]:
    overrides: dict[str, object] = {"login_attempts_per_minute": 3}
    if request.param == "redis":
        overrides["redis_url"] = REDIS_URL
    app = create_app(settings.model_copy(update=overrides), database=rolled_back_db)
    # A random client address per test: Redis keeps counters across runs for a minute.
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    transport = httpx.ASGITransport(app=app, client=(address, 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_tenant_budget_per_minute(
    limited_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    small = await setup_tenant(db_session, "small", TenantLimits(api_requests_per_minute=3))
    other = await setup_tenant(db_session, "other")
    await db_session.commit()
    headers = small.as_(Role.VIEWER)
    statuses = [
        (await limited_client.get("/api/v1/vehicles", headers=headers)).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 200]
    limited = await limited_client.get("/api/v1/vehicles", headers=small.as_(Role.OWNER))
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    # another tenant is not affected
    assert (await limited_client.get("/api/v1/vehicles", headers=other.owner)).status_code == 200


async def test_login_attempts_per_ip(limited_client: httpx.AsyncClient) -> None:
    body = {"email": "someone@example.com", "password": "guess"}
    statuses = [
        (await limited_client.post("/api/v1/auth/login", json=body)).status_code for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    blocked = await limited_client.post("/api/v1/auth/login", json=body)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
