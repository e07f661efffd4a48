"""A throw-away benchmark database: create, migrate, seed (services for tenants and keys, COPY
for vehicles), drop."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import psycopg

from _fleet import GROUP_NAMES, VEHICLE_COLUMNS, vehicle_records
from fleetyard.api_keys.service import ApiKeyService
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.db import Database, set_tenant, with_user
from fleetyard.kit.ids import TenantId
from fleetyard.migrate import upgrade
from fleetyard.search.refresh import reindex_tenant
from fleetyard.search.repository import DocumentStore
from fleetyard.tenants.schemas import TenantCreate, TenantLimits
from fleetyard.tenants.service import TenantService

APP_ROLE = "fleetyard_app"
UNLIMITED = TenantLimits(api_requests_per_minute=1_000_000)


@dataclass
class BenchTenant:
    id: uuid.UUID
    slug: str
    key: str  # a fleet_manager API key
    group_ids: list[uuid.UUID] = field(default_factory=list)
    vehicle_ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def plain_url(url: str) -> str:
    """``postgresql+driver://…`` → ``postgresql://…`` (what asyncpg and psycopg accept)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.split("+", 1)[0], *parts[1:]))


def new_database_name() -> str:
    return f"fleetyard_bench_{uuid.uuid4().hex[:10]}"


def create_database(admin_url: str, name: str) -> str:
    """Create and migrate ``name`` next to ``admin_url``'s database; returns its owner URL."""
    with psycopg.connect(plain_url(admin_url), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    parts = urlsplit(plain_url(admin_url))
    url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    upgrade(url, APP_ROLE)
    return url


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(plain_url(admin_url), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


async def create_tenants(url: str, labels: list[str]) -> list[BenchTenant]:
    """Each tenant and its API key through the services, on the app role (RLS applies)."""
    db = Database.connect(with_user(url, APP_ROLE), pool_size=1)
    tenants = []
    try:
        for label in labels:
            async with db.sessionmaker() as session, session.begin():
                slug = f"{label}-{uuid.uuid4().hex[:6]}"
                tenant = await TenantService(session).create(
                    TenantCreate(slug=slug, name=f"Bench {label}", limits=UNLIMITED)
                )
                tenant_id = TenantId(tenant.id)
                await set_tenant(session, tenant_id)
                keys = ApiKeyService(session, Principal.system(tenant_id))
                _, key = await keys.create("bench", Role.FLEET_MANAGER)
                tenants.append(BenchTenant(tenant.id, slug, key))
    finally:
        await db.dispose()
    return tenants


async def load_fleet(url: str, tenants: list[tuple[BenchTenant, int, int]], seed: int) -> float:
    """Groups then vehicles by COPY as the owner, then ANALYZE; returns seconds taken.

    ``tenants`` is (tenant, groups, vehicles). The owner must bypass RLS (a superuser does):
    PostgreSQL refuses COPY FROM into a table whose policies apply to the caller.
    """
    rng = random.Random(seed)
    started = time.perf_counter()
    conn = await asyncpg.connect(plain_url(url))
    try:
        for tenant, group_count, vehicle_count in tenants:
            tenant.group_ids = [uuid.uuid4() for _ in range(group_count)]
            groups = [
                (tenant.id, gid, GROUP_NAMES[i % len(GROUP_NAMES)] + ("" if i < 8 else f" {i}"))
                for i, gid in enumerate(tenant.group_ids)
            ]
            await conn.copy_records_to_table(
                "groups", records=groups, columns=["tenant_id", "id", "name"]
            )
            rows = list(vehicle_records(tenant.id, tenant.group_ids, vehicle_count, rng))
            tenant.vehicle_ids = [row[1] for row in rows]  # type: ignore[misc]
            await conn.copy_records_to_table("vehicles", records=rows, columns=VEHICLE_COLUMNS)
        await conn.execute("analyze")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def settle_search(url: str, tenants: list[BenchTenant], *, build: bool) -> float:
    """Leave the search index as a running deployment has it; returns seconds taken.

    Vehicles loaded by COPY pass beneath the event log, so no document was queued for them
    and every tenant looks never indexed: a server would spend its first minutes building
    all their documents in the background, inside whatever is measured. ``build`` builds
    them (minutes for 100,000 records); otherwise the tenants are only marked indexed.
    Either way, what changes during the run is indexed from the events, as in production.
    """
    started = time.perf_counter()
    db = Database.connect(url, pool_size=1)  # the owner: the search tables are its own
    try:
        for tenant in tenants:
            tenant_id = TenantId(tenant.id)
            if build:
                await reindex_tenant(db.sessionmaker, tenant_id)
                continue
            async with db.sessionmaker() as session, session.begin():
                await set_tenant(session, tenant_id)
                await DocumentStore(session, tenant_id).mark_indexed()
    finally:
        await db.dispose()
    return time.perf_counter() - started
