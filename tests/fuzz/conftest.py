"""Fuzzing harness: one rolled-back transaction per test module (set up once, since fuzzing
runs hundreds of requests per test), two tenants whose rate limit never gets in the way, and the
response rules every answer must keep, whatever was sent."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy.ext.asyncio import async_sessionmaker

from fleetyard.app import create_app
from fleetyard.config import Settings
from fleetyard.db import Database
from fleetyard.tenants.schemas import TenantLimits
from tests.conftest import Tenants
from tests.factories import setup_tenant
from tests.fuzz.seed import Route, Seed, api_routes, seed_tenant_a

# Deterministic and bounded: the same examples on every run, no example database on disk.
FUZZ_SETTINGS = hypothesis_settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one rolled-back transaction for all examples
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

UNLIMITED = TenantLimits(api_requests_per_minute=1_000_000)


@pytest.fixture(scope="module")
async def fuzz_db(app_database: Database) -> AsyncIterator[Database]:
    """Like ``rolled_back_db``, but one transaction for the whole module."""
    async with app_database.engine.connect() as connection:
        transaction = await connection.begin()
        maker = async_sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        yield Database(app_database.engine, maker)
        await transaction.rollback()


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings, fuzz_db: Database) -> FastAPI:
    return create_app(settings, database=fuzz_db)


@pytest.fixture(scope="module")
def routes(fuzz_app: FastAPI) -> list[Route]:
    return api_routes(fuzz_app)


@pytest.fixture(scope="module")
async def fuzz_client(fuzz_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=fuzz_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(scope="module")
async def fuzz_tenants(fuzz_db: Database) -> Tenants:
    """Like ``tenants``, but hundreds of requests a minute never meet a 429."""
    async with fuzz_db.sessionmaker() as session:
        a = await setup_tenant(session, "fuzz-a", UNLIMITED)
        b = await setup_tenant(session, "fuzz-b", UNLIMITED)
        await session.commit()
    return Tenants(a, b)


@pytest.fixture(scope="module")
async def seed(fuzz_client: httpx.AsyncClient, fuzz_tenants: Tenants, routes: list[Route]) -> Seed:
    """Tenant A's records, for fuzzed requests to aim at (and for B never to see)."""
    return await seed_tenant_a(fuzz_client, fuzz_tenants, routes)


def describe(response: httpx.Response) -> str:
    request = response.request
    return (
        f"{request.method} {request.url} -> {response.status_code}\n"
        f"request headers: {dict(request.headers)}\n"
        f"request body: {request.content[:500]!r}\n"
        f"response body: {response.content[:1000]!r}"
    )


def assert_error_envelope(response: httpx.Response) -> dict[str, Any]:
    """A 4xx is always ``{"error": {"code": str, "message": str, "details": object}}``."""
    assert response.headers.get("content-type", "").startswith("application/json"), describe(
        response
    )
    try:
        body = response.json()
    except json.JSONDecodeError:  # pragma: no cover - reported by the assertion below
        body = None
    assert isinstance(body, dict), describe(response)
    assert set(body) == {"error"}, describe(response)
    error = body["error"]
    assert isinstance(error, dict), describe(response)
    assert set(error) == {"code", "message", "details"}, describe(response)
    assert isinstance(error["code"], str) and error["code"], describe(response)
    assert isinstance(error["message"], str) and error["message"], describe(response)
    assert isinstance(error["details"], dict), describe(response)
    return error


def assert_well_behaved(response: httpx.Response) -> None:
    """Never a 5xx; every 4xx in the one error shape."""
    assert response.status_code < 500, describe(response)
    if response.status_code >= 400:
        assert_error_envelope(response)
