"""The search indexer: a background loop in each API process that keeps documents in step
with the event log.

A trigger on ``events`` queues each changed record in ``search_queue`` in the writer's own
transaction; this loop polls the queue a few times a second (no NOTIFY: a notifying
transaction holds a cluster-wide lock through its commit, which made every writer on the
server commit one at a time — migration 0015), claims queued records across tenants with
``FOR UPDATE SKIP LOCKED`` on the owner connection, and rebuilds their documents from the
records in the same transaction that deletes the claim — a crash puts them back in the queue.
Several nodes share the queue; the tenant's search lock orders their writes.

Why a queue and not a cursor over event ids: ids come from a sequence and are taken before
commit, so a reader that saw id 100 may still get id 99 later, from a longer transaction.
The queue row becomes visible exactly when its event commits, and never otherwise.

Tenants indexed before this existed (or restored from elsewhere) are queued whole once: the
loop looks for tenants without an ``indexed_at`` at start and every minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any, Final

from sqlalchemy.exc import InterfaceError, OperationalError

from fleetyard.db import Database, set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.search.documents import SOURCES
from fleetyard.search.refresh import DocumentRefresher
from fleetyard.search.registry import Registry
from fleetyard.search.repository import (
    DocumentKey,
    DocumentStore,
    Queued,
    claim,
    enqueue,
    enqueue_all,
    tenants_not_indexed,
)

log = logging.getLogger(__name__)

BATCH: Final = 500  # queued records per transaction
INLINE_DEPENDENTS: Final = 500  # more (a renamed depot of 10,000 vehicles) go through the queue
BACKFILL_EVERY_S: Final = 60.0
MAX_BACKOFF_S: Final = 30.0


class SearchIndexer:
    def __init__(
        self,
        owner_url: str,
        *,
        poll_interval_s: float = 0.1,  # an index probe of an almost empty queue
        registry: Registry = SOURCES,
    ) -> None:
        self.owner_url = owner_url
        self.poll_interval_s = poll_interval_s
        self.registry = registry
        self._db: Database | None = None
        self._next_backfill = 0.0
        self._task: asyncio.Task[None] | None = None
        self.rounds = 0  # completed rounds, for tests and metrics

    @classmethod
    async def start(cls, owner_url: str, **options: Any) -> SearchIndexer:
        indexer = cls(owner_url, **options)
        await indexer.open()
        return indexer

    async def open(self) -> None:
        """Start the loop; it connects on its first round (and whenever it must), so a
        database that is away delays indexing, never the process."""
        self._task = asyncio.create_task(self._run(), name="search-indexer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._db is not None:
            await self._db.dispose()

    # the loop -------------------------------------------------------------------------------
    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self._connect()
                await self._backfill_now_and_then()
                while await self._round() >= BATCH:
                    pass  # a backlog: go on without waiting
                self.rounds += 1
                failures = 0
            except Exception:  # logged; the next round tries again, backing off
                log.exception("search indexing round failed")
                failures += 1
                await asyncio.sleep(min(2.0 ** (failures - 1), MAX_BACKOFF_S))
            await asyncio.sleep(self.poll_interval_s)

    async def _round(self) -> int:
        """Claim a batch and rebuild its documents, tenant by tenant; returns the batch size."""
        assert self._db is not None
        async with self._db.sessionmaker() as session, session.begin():
            queued = await claim(session, BATCH)
            by_tenant: dict[TenantId, list[Queued]] = defaultdict(list)
            for item in queued:
                by_tenant[item.tenant_id].append(item)
            for tenant_id, items in by_tenant.items():
                try:
                    async with session.begin_nested():
                        await set_tenant(session, tenant_id)
                        await self._refresh(session, tenant_id, items)
                except (OperationalError, InterfaceError, OSError):
                    raise  # the connection: the whole batch goes back to the queue
                except Exception:  # a record we can't index must not stall the queue
                    log.exception(
                        "search documents not rebuilt; `fleetyard search reindex` repairs them",
                        extra={"tenant_id": str(tenant_id), "records": len(items)},
                    )
        return len(queued)

    async def _refresh(self, session: Any, tenant_id: TenantId, items: list[Queued]) -> None:
        keys: list[DocumentKey] = [(i.entity_type, i.entity_id) for i in items]
        cascading = [(i.entity_type, i.entity_id) for i in items if i.cascade]
        refresher = DocumentRefresher(session, tenant_id, self.registry)
        refreshed = await refresher.refresh(keys, cascade=cascading)
        dependents = refreshed.dependents
        if len(dependents) <= INLINE_DEPENDENTS:
            await refresher.refresh(dependents)
        else:
            await enqueue(session, tenant_id, dependents, cascade=False)

    async def _backfill_now_and_then(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() < self._next_backfill:
            return
        self._next_backfill = loop.time() + BACKFILL_EVERY_S
        assert self._db is not None
        async with self._db.sessionmaker() as session, session.begin():
            tenants = await tenants_not_indexed(session)
            for tenant_id in tenants:
                await set_tenant(session, tenant_id)
                for source in self.registry:
                    await enqueue_all(session, tenant_id, source.entity_type, source.table)
                await DocumentStore(session, tenant_id).mark_indexed()
        if tenants:
            log.info(
                "search: tenants queued for their first indexing", extra={"tenants": len(tenants)}
            )

    # connections ----------------------------------------------------------------------------
    async def _connect(self) -> None:
        if self._db is None:
            self._db = Database.connect(self.owner_url, pool_size=2)
