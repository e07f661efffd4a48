"""Test harness on the machine's real PostgreSQL.

One database per test session, migrated once. Each test runs inside a transaction on one
app-role connection that is rolled back at the end (requests' commits become savepoints), so
tests never see each other's rows. Tests that need real concurrent transactions use
``live_client`` and their own tenants instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from fleetyard.app import create_app
from fleetyard.auth.secrets import FAST_HASHING_ENV
from fleetyard.config import Environment, Settings
from fleetyard.db import Database, set_tenant, with_user
from fleetyard.migrate import upgrade
from tests.factories import Actor, TenantSetup, setup_tenant

# The suite makes thousands of users: cheap password hashes (fleetyard.auth.secrets).
os.environ.setdefault(FAST_HASHING_ENV, "1")

ADMIN_URL = os.environ.get(
    "FLEETYARD_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    name = f"fleetyard_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        env=Environment.TEST,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        master_key="test-master-key-that-is-long-enough-0123456789",
        database_url=database_url,
        login_attempts_per_minute=10_000,
        teltonika_port=None,
        gt06_port=None,
        h02_port=None,
        osmand_port=None,
        log_json=False,
    )


@pytest.fixture(scope="session")
async def app_database(database_url: str) -> AsyncIterator[Database]:
    db = Database.connect(with_user(database_url, "fleetyard_app"), pool_size=20)
    yield db
    await db.dispose()


@pytest.fixture
async def connection(app_database: Database) -> AsyncIterator[AsyncConnection]:
    async with app_database.engine.connect() as conn:
        transaction = await conn.begin()
        yield conn
        await transaction.rollback()


@pytest.fixture
def rolled_back_db(app_database: Database, connection: AsyncConnection) -> Database:
    maker = async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    return Database(app_database.engine, maker)


@pytest.fixture
async def client(settings: Settings, rolled_back_db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, database=rolled_back_db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def live_client(
    settings: Settings, app_database: Database
) -> AsyncIterator[httpx.AsyncClient]:
    """Real commits on separate pooled connections: for concurrency tests."""
    app = create_app(settings, database=app_database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def db_session(rolled_back_db: Database) -> AsyncIterator[AsyncSession]:
    async with rolled_back_db.sessionmaker() as session:
        yield session


@dataclass
class Tenants:
    a: TenantSetup
    b: TenantSetup


@pytest.fixture
async def tenants(db_session: AsyncSession) -> Tenants:
    """Two tenants, each with an API key per role (within the rolled-back transaction)."""
    a = await setup_tenant(db_session, "a")
    b = await setup_tenant(db_session, "b")
    await db_session.commit()
    return Tenants(a, b)


@pytest.fixture
async def live_tenants(app_database: Database) -> Tenants:
    async with app_database.sessionmaker() as session:
        a = await setup_tenant(session, "live-a")
        b = await setup_tenant(session, "live-b")
        await session.commit()
    return Tenants(a, b)


__all__ = ["Actor", "Tenants", "set_tenant"]
