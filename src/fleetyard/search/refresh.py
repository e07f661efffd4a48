"""Rebuilding documents from their records: for the indexer (the records its events named)
and for a reindex (every record of a tenant, a batch at a time).

A record that no longer exists loses its document. The vocabulary follows the documents'
words; when a word comes or goes the tenant's vocabulary version is bumped so every API
process reloads it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.search.document import StoredDocument, stored, vocabulary_delta
from fleetyard.search.documents import SOURCES
from fleetyard.search.registry import BuildContext, Registry
from fleetyard.search.repository import DocumentKey, DocumentStore
from fleetyard.search.sources import RecordRows

REINDEX_BATCH = 500


def ref_key(ref: str) -> DocumentKey | None:
    """A stored ref ("vehicle:<uuid>") as a document key."""
    entity_type, _, raw_id = ref.partition(":")
    try:
        return entity_type, uuid.UUID(raw_id)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Refreshed:
    written: int
    deleted: int
    # documents that show a refreshed record and may need rebuilding in turn
    dependents: tuple[DocumentKey, ...]


class DocumentRefresher:
    """Rebuilds one tenant's documents inside the caller's transaction (scoped to the tenant,
    ``app.tenant_id`` set), holding the tenant's search lock until it ends."""

    def __init__(
        self, session: AsyncSession, tenant_id: TenantId, registry: Registry = SOURCES
    ) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.registry = registry
        self.store = DocumentStore(session, tenant_id)

    async def refresh(
        self, keys: Iterable[DocumentKey], *, cascade: Iterable[DocumentKey] = ()
    ) -> Refreshed:
        """Rebuild these documents; for those in ``cascade`` also find the documents that
        show them (returned, not rebuilt: the caller decides when)."""
        wanted = sorted({k for k in keys if self.registry.get(k[0]) is not None})
        if not wanted:
            return Refreshed(0, 0, ())
        await self.store.lock()
        built = await self._build(wanted)
        before = await self.store.stored(wanted)
        gone = [key for key in wanted if key not in built and key in before]
        await self.store.upsert(list(built.values()))
        await self.store.delete(gone)
        if built or gone:
            await self.store.bump_documents_version()
        delta = vocabulary_delta(
            (row.words for row in before.values()), (doc.words for doc in built.values())
        )
        if await self.store.change_vocabulary(delta):
            await self.store.bump_vocabulary_version()
        cascading = set(cascade) & set(wanted)
        dependents = await self._dependents(cascading, built, before) if cascading else ()
        return Refreshed(len(built), len(gone), dependents)

    async def _build(self, keys: Sequence[DocumentKey]) -> dict[DocumentKey, StoredDocument]:
        by_type: dict[str, list[uuid.UUID]] = defaultdict(list)
        for entity_type, entity_id in keys:
            by_type[entity_type].append(entity_id)
        context = BuildContext(groups=await RecordRows(self.session, self.tenant_id).group_tree())
        built: dict[DocumentKey, StoredDocument] = {}
        for entity_type, ids in by_type.items():
            source = self.registry.get(entity_type)
            assert source is not None
            for doc in await source.load(self.session, self.tenant_id, ids, context):
                built[(doc.entity_type, doc.entity_id)] = stored(doc)
        return built

    async def _dependents(
        self,
        changed: set[DocumentKey],
        built: dict[DocumentKey, StoredDocument],
        before: Mapping[DocumentKey, object],
    ) -> tuple[DocumentKey, ...]:
        """Documents that showed a changed record (their refs name it), and documents a
        changed record now points at that show records of its type (a tracker attached to
        a vehicle is shown in the vehicle's document)."""
        found = set(await self.store.showing(changed))
        for key in changed:
            source = self.registry.get(key[0])
            doc = built.get(key)
            if source is None or doc is None or not source.shown_in:
                continue
            for ref in doc.refs:
                target = ref_key(ref)
                if target is not None and target[0] in source.shown_in:
                    found.add(target)
        return tuple(sorted(found - changed))


# reindex ------------------------------------------------------------------------------------
Progress = Callable[[int], None]


async def count_records(
    sessionmaker: async_sessionmaker[AsyncSession],
    tenant_id: TenantId,
    registry: Registry = SOURCES,
) -> int:
    async with sessionmaker() as session, session.begin():
        await set_tenant(session, tenant_id)
        store = DocumentStore(session, tenant_id)
        return sum([await store.record_count(source.table) for source in registry])


async def reindex_tenant(
    sessionmaker: async_sessionmaker[AsyncSession],
    tenant_id: TenantId,
    progress: Progress = lambda _: None,
    registry: Registry = SOURCES,
    batch: int = REINDEX_BATCH,
) -> int:
    """Rebuild every document of the tenant from its records, a transaction per batch (the
    indexer goes on meanwhile; the tenant's lock orders their writes), then drop documents
    of records that are gone and count the vocabulary again. Returns the records indexed."""
    indexed = 0
    for source in registry:
        after: uuid.UUID | None = None
        while True:
            async with sessionmaker() as session, session.begin():
                await set_tenant(session, tenant_id)
                ids = await DocumentStore(session, tenant_id).record_ids(source.table, after, batch)
                if ids:
                    refresher = DocumentRefresher(session, tenant_id, registry)
                    await refresher.refresh([(source.entity_type, i) for i in ids])
            if not ids:
                break
            after = ids[-1]
            indexed += len(ids)
            progress(len(ids))
    async with sessionmaker() as session, session.begin():
        await set_tenant(session, tenant_id)
        store = DocumentStore(session, tenant_id)
        await store.lock()
        for source in registry:
            await store.delete_orphans(source.entity_type, source.table)
        await store.delete_other_types(registry.types)
        await store.bump_documents_version()
        await store.recount_vocabulary()
        await store.mark_indexed()
    return indexed
