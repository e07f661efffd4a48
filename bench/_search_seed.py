"""The search benchmark's database: a million documents across 100 tenants, kept between runs.

Records go in by COPY as the owner (a superuser: COPY FROM refuses tables whose row-level
security applies to the caller); tenants and their API keys through the services. Documents
are then built by the product's own loaders and ``stored()`` (exactly what the indexer and
``fleetyard search reindex`` write), a few thousand records per read, and written by COPY into
a staging table and one ``insert … select`` per batch, with the GIN indexes dropped meanwhile
and built once at the end (as ``pg_restore`` does). Each tenant's vocabulary is then counted
and the tenant marked indexed by the product's own ``DocumentStore``, so the server's indexer
finds nothing to backfill.

The database (``fleetyard_bench_search``) is reused when it holds a complete seed of the
same shape; ``--fresh`` rebuilds it.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import psycopg

from _fleet import VEHICLE_COLUMNS
from _search_data import (
    ALERT_COLUMNS,
    DEVICE_COLUMNS,
    DRIVER_COLUMNS,
    GROUP_COLUMNS,
    IDENTITY_COLUMNS,
    RESERVATION_COLUMNS,
    Plan,
    fleet,
    tenant_sizes,
)
from _seed import APP_ROLE, create_tenants, plain_url
from fleetyard.db import Database, set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.migrate import upgrade
from fleetyard.search.document import stored
from fleetyard.search.documents import SOURCES
from fleetyard.search.registry import BuildContext
from fleetyard.search.repository import DocumentStore
from fleetyard.search.sources import RecordRows

DATABASE = "fleetyard_bench_search"
SEED_VERSION = "1"  # bump when the generated fleet changes shape
BUILD_BATCH = 2_000  # records per loader read
STAGING_COLUMNS = (
    "tenant_id",
    "entity_type",
    "entity_id",
    "title",
    "subtitle",
    "sort_title",
    "fields",
    "document",
    "identifiers",
    "facets",
    "refs",
    "words",
)


@dataclass(frozen=True, slots=True)
class SeededTenant:
    id: uuid.UUID
    slug: str
    key: str
    documents: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass(frozen=True, slots=True)
class Seeded:
    url: str  # the owner's URL
    database: str
    tenants: list[SeededTenant]  # largest first
    seconds: float  # seeding time (0 when reused)
    reused: bool
    timings: dict[str, float]


def database_url(admin_url: str, name: str) -> str:
    parts = urlsplit(plain_url(admin_url))
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _spec(tenants: int, total: int, largest: int, seed: int) -> str:
    return json.dumps(
        {"v": SEED_VERSION, "tenants": tenants, "total": total, "largest": largest, "seed": seed}
    )


async def _reusable(
    url: str, spec: str
) -> tuple[list[SeededTenant], float, dict[str, float]] | None:
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        found = await conn.fetchval(
            "select value from bench.meta where key = 'complete'"
            " and exists (select 1 from pg_namespace where nspname = 'bench')"
        )
    except asyncpg.UndefinedTableError:
        found = None
    try:
        if found != spec:
            return None
        rows = await conn.fetch(
            "select tenant_id, slug, api_key, documents from bench.tenants order by ord"
        )
        timings = json.loads(
            await conn.fetchval("select value from bench.meta where key = 'timings'") or "{}"
        )
        tenants = [
            SeededTenant(r["tenant_id"], r["slug"], r["api_key"], r["documents"]) for r in rows
        ]
        return tenants, float(timings.pop("total", 0.0)), timings
    finally:
        await conn.close()


async def prepare(
    admin_url: str, *, tenants: int, total: int, largest: int, seed: int, fresh: bool
) -> Seeded:
    url = database_url(admin_url, DATABASE)
    spec = _spec(tenants, total, largest, seed)
    if not fresh:
        found = await _reusable(url, spec)
        if found is not None:
            upgrade(url, APP_ROLE)  # a newer checkout's migrations, if any
            return Seeded(url, DATABASE, found[0], found[1], True, found[2])
    started = time.perf_counter()
    timings: dict[str, float] = {}
    with psycopg.connect(plain_url(admin_url), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{DATABASE}" with (force)')
        conn.execute(f'create database "{DATABASE}"')
    upgrade(url, APP_ROLE)
    timings["create + migrate"] = time.perf_counter() - started
    seeded = await _seed(url, tenants, total, largest, seed, timings)
    seconds = time.perf_counter() - started
    conn = await asyncpg.connect(url)
    try:
        await conn.executemany(
            "insert into bench.meta values ($1, $2)",
            [("timings", json.dumps({**timings, "total": seconds})), ("complete", spec)],
        )
    finally:
        await conn.close()
    return Seeded(url, DATABASE, seeded, seconds, False, timings)


async def _seed(
    url: str, tenants: int, total: int, largest: int, seed: int, timings: dict[str, float]
) -> list[SeededTenant]:
    step = time.perf_counter()
    sizes = tenant_sizes(tenants, total, largest)
    made = await create_tenants(url, [f"fleet{k:03d}" for k in range(1, tenants + 1)])
    timings["tenants + API keys (services)"] = time.perf_counter() - step
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            """
            create schema bench;
            create table bench.meta (key text primary key, value text not null);
            create table bench.tenants (
                ord int primary key, tenant_id uuid not null, slug text not null,
                api_key text not null, documents int not null);
            """
        )
        step = time.perf_counter()
        rng = random.Random(seed)
        trackers = [0]
        out = []
        for ord_, (tenant, size) in enumerate(zip(made, sizes, strict=True)):
            rows = fleet(tenant.id, tenant.slug, Plan.of(size), rng, trackers)
            await _copy_records(conn, rows)
            out.append(SeededTenant(tenant.id, tenant.slug, tenant.key, rows.documents))
            await conn.execute(
                "insert into bench.tenants values ($1, $2, $3, $4, $5)",
                ord_,
                tenant.id,
                tenant.slug,
                tenant.key,
                rows.documents,
            )
        await conn.execute("analyze")
        timings["records (generated + COPY)"] = time.perf_counter() - step
        step = time.perf_counter()
        indexes = await _drop_document_indexes(conn)
        await _build_documents(url, conn, out)
        timings["documents (product builders + COPY)"] = time.perf_counter() - step
        step = time.perf_counter()
        await conn.execute("set maintenance_work_mem = '512MB'")
        for definition in indexes:
            await conn.execute(definition)
        timings["search indexes (GIN, built once)"] = time.perf_counter() - step
        step = time.perf_counter()
        await _vocabularies(url, out)
        await conn.execute("vacuum analyze")
        timings["vocabularies + vacuum analyze"] = time.perf_counter() - step
    finally:
        await conn.close()
    return out


async def _copy_records(conn: asyncpg.Connection, rows: object) -> None:
    tables: Sequence[tuple[str, list[tuple[object, ...]], Sequence[str]]] = (
        ("groups", rows.groups, GROUP_COLUMNS),  # type: ignore[attr-defined]
        ("vehicles", rows.vehicles, VEHICLE_COLUMNS),  # type: ignore[attr-defined]
        ("devices", rows.devices, DEVICE_COLUMNS),  # type: ignore[attr-defined]
        ("device_identities", rows.identities, IDENTITY_COLUMNS),  # type: ignore[attr-defined]
        ("drivers", rows.drivers, DRIVER_COLUMNS),  # type: ignore[attr-defined]
        ("reservations", rows.reservations, RESERVATION_COLUMNS),  # type: ignore[attr-defined]
        ("alerts", rows.alerts, ALERT_COLUMNS),  # type: ignore[attr-defined]
    )
    for table, records, columns in tables:
        if records:
            await conn.copy_records_to_table(table, records=records, columns=list(columns))


async def _drop_document_indexes(conn: asyncpg.Connection) -> list[str]:
    """The secondary indexes of search_documents (as the migration made them), dropped."""
    rows = await conn.fetch(
        """
        select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
        from pg_index i where i.indrelid = 'search_documents'::regclass and not i.indisprimary
        """
    )
    for row in rows:
        await conn.execute(f"drop index {row['name']}")
    return [row["definition"].replace(" ON ONLY ", " ON ") for row in rows]


async def _build_documents(url: str, conn: asyncpg.Connection, tenants: list[SeededTenant]) -> None:
    await conn.execute(
        """
        create temp table staging (
            tenant_id uuid, entity_type text, entity_id uuid, title text, subtitle text,
            sort_title text, fields text, document text, identifiers text[], facets text,
            refs text[], words text[])
        """
    )
    db = Database.connect(url, pool_size=1)
    try:
        for tenant in tenants:
            await _build_tenant(db, conn, TenantId(tenant.id))
    finally:
        await db.dispose()


async def _build_tenant(db: Database, conn: asyncpg.Connection, tenant_id: TenantId) -> None:
    async with db.sessionmaker() as session, session.begin():
        await set_tenant(session, tenant_id)
        context = BuildContext(groups=await RecordRows(session, tenant_id).group_tree())
        store = DocumentStore(session, tenant_id)
        for source in SOURCES:
            after: uuid.UUID | None = None
            while True:
                ids = await store.record_ids(source.table, after, BUILD_BATCH)
                if not ids:
                    break
                after = ids[-1]
                docs = [stored(d) for d in await source.load(session, tenant_id, ids, context)]
                await conn.copy_records_to_table(
                    "staging",
                    records=[
                        (
                            tenant_id,
                            d.entity_type,
                            d.entity_id,
                            d.title,
                            d.subtitle,
                            d.sort_title,
                            json.dumps(d.fields),
                            d.document,
                            d.identifiers,
                            json.dumps(d.facets),
                            d.refs,
                            d.words,
                        )
                        for d in docs
                    ],
                    columns=list(STAGING_COLUMNS),
                )
                await conn.execute(
                    """
                    insert into search_documents (tenant_id, entity_type, entity_id, title,
                        subtitle, sort_title, fields, document, identifiers, facets, refs, words,
                        updated_at)
                    select tenant_id, entity_type, entity_id, title, subtitle, sort_title,
                        fields::jsonb, document::tsvector, identifiers, facets::jsonb, refs,
                        words, now()
                    from staging;
                    truncate staging;
                    """
                )


async def _vocabularies(url: str, tenants: list[SeededTenant]) -> None:
    """Each tenant's vocabulary counted and the tenant marked indexed, by the product."""
    db = Database.connect(url, pool_size=1)
    try:
        for tenant in tenants:
            tenant_id = TenantId(tenant.id)
            async with db.sessionmaker() as session, session.begin():
                await set_tenant(session, tenant_id)
                store = DocumentStore(session, tenant_id)
                await store.recount_vocabulary()
                await store.mark_indexed()
    finally:
        await db.dispose()


async def samples(url: str, tenant_id: uuid.UUID, n: int) -> dict[str, list[tuple[object, ...]]]:
    """A random sample of a tenant's records, to write queries that find something."""
    conn = await asyncpg.connect(url)
    try:
        vehicles = await conn.fetch(
            """
            select v.plate, v.vin, v.make, v.model, g.name as depot, v.id
            from vehicles v left join groups g on g.tenant_id = v.tenant_id and g.id = v.group_id
            where v.tenant_id = $1 order by random() limit $2
            """,
            tenant_id,
            n,
        )
        devices = await conn.fetch(
            "select unique_id from devices where tenant_id = $1 order by random() limit $2",
            tenant_id,
            n,
        )
        drivers = await conn.fetch(
            "select name from drivers where tenant_id = $1 order by random() limit $2",
            tenant_id,
            n,
        )
        depots = await conn.fetch(
            "select name, id from groups where tenant_id = $1 and kind = 'depot'", tenant_id
        )
    finally:
        await conn.close()
    return {
        "vehicles": [tuple(r) for r in vehicles],
        "devices": [tuple(r) for r in devices],
        "drivers": [tuple(r) for r in drivers],
        "depots": [tuple(r) for r in depots],
    }


async def shared_buffers(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        return str(await conn.fetchval("show shared_buffers"))
    finally:
        await conn.close()


async def index_size_mb(url: str) -> tuple[float, float]:
    """(table, indexes) of search_documents over all its partitions, in MB."""
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            """
            select sum(pg_table_size(c.oid)) as tbl, sum(pg_indexes_size(c.oid)) as idx
            from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = 'search_documents'::regclass
            """
        )
    finally:
        await conn.close()
    assert row is not None
    return float(row["tbl"]) / 2**20, float(row["idx"]) / 2**20
