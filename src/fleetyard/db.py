"""Database wiring: the embedded server, engines, sessions and the tenant setting.

Two connections exist on purpose. The *owner* URL runs migrations and owns the tables. The
*app* URL is a role that owns nothing, so PostgreSQL's row-level security applies to every
query the API makes: a statement that forgot its tenant filter sees no rows at all.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Connection, event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, SessionTransaction

from fleetyard.config import Settings
from fleetyard.kit.ids import TenantId

log = logging.getLogger(__name__)

POOL_TIMEOUT_S = 3.0

_embedded_servers: dict[Path, Any] = {}


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL kept in ``data_dir/pg``; returns its URL."""
    import pgserver

    pg_dir = (data_dir / "pg").resolve()
    pg_dir.parent.mkdir(parents=True, exist_ok=True)
    server = _embedded_servers.get(pg_dir)
    if server is None:
        _forget_dead_handles(pg_dir / ".handle_pids.json")
        server = pgserver.get_server(pg_dir)  # type: ignore[attr-defined]
        _embedded_servers[pg_dir] = server
    return str(server.get_uri())


def _forget_dead_handles(handles: Path) -> None:
    """pgserver stops PostgreSQL when its last user exits, counting users in this file. A
    process killed with SIGKILL never removes itself, and then no later run would stop the
    server; drop pids that are no longer alive."""
    try:
        pids = json.loads(handles.read_text())
    except (OSError, ValueError):
        return
    if not isinstance(pids, list):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _is_alive(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_url(settings: Settings) -> str:
    """The URL that owns the schema, starting the embedded server when none is configured."""
    if settings.database_url:
        return settings.database_url
    return start_embedded_postgres(settings.data_dir)


def with_driver(url: str, driver: str) -> str:
    """``postgresql://…`` → ``postgresql+<driver>://…`` (whatever driver the URL named)."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme in ("postgres", "postgresql"):
        scheme = "postgresql"
    return urlunsplit((f"{scheme}+{driver}", *parts[1:]))


def libpq_dsn(url: str) -> str:
    """``postgresql+driver://…`` → ``postgresql://…``, the form asyncpg and libpq read."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def with_user(url: str, user: str) -> str:
    """The same server and database, connecting as ``user`` (password-less: trust/peer/cert)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k not in ("user", "password")])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def app_url(settings: Settings, owner: str) -> str:
    if settings.database_app_url:
        return settings.database_app_url
    return with_user(owner, settings.db_app_role)


@dataclass
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(
        cls, url: str, *, pool_size: int = 10, pool_timeout: float = POOL_TIMEOUT_S
    ) -> Database:
        engine = create_async_engine(
            with_driver(url, "asyncpg"),
            pool_size=pool_size,
            max_overflow=pool_size,
            # Overloaded: a request that waits this long for a connection is shed with a 503
            # ("overloaded") rather than left to queue behind the backlog.
            pool_timeout=pool_timeout,
            pool_pre_ping=False,
            pool_recycle=1800,
        )
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("select 1"))
        except Exception:  # any failure means "not ready"; the caller reports it
            log.warning("database ping failed", exc_info=True)
            return False
        return True


_SET_TENANT = text("select set_config('app.tenant_id', :tenant_id, true)")
_DEFERRED_TENANT = "fleetyard.deferred_tenant"  # session.info key


async def set_tenant(session: AsyncSession, tenant_id: TenantId) -> None:
    """Scope the current transaction to one tenant (read by every RLS policy).

    A session that has not begun its transaction yet gets the setting as the first statement
    of it, when something first needs the database: a request answered without one (from
    the answer cache) then costs no connection, BEGIN or COMMIT."""
    if session.in_transaction():
        await session.execute(_SET_TENANT, {"tenant_id": str(tenant_id)})
    else:
        session.info[_DEFERRED_TENANT] = str(tenant_id)


@event.listens_for(Session, "after_begin")
def _apply_deferred_tenant(
    session: Session, transaction: SessionTransaction, connection: Connection
) -> None:
    tenant_id = session.info.pop(_DEFERRED_TENANT, None)  # this transaction only, as before
    if tenant_id is not None:
        connection.execute(_SET_TENANT, {"tenant_id": tenant_id})


async def set_context(session: AsyncSession, name: str, value: str) -> None:
    """Set another transaction-local key read by RLS policies (``app.user_id`` …)."""
    await session.execute(
        text("select set_config(:name, :value, true)"), {"name": f"app.{name}", "value": value}
    )
