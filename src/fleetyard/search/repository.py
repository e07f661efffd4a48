"""The SQL of search: documents and the vocabulary (written by the indexer and the reindex),
the queries the API runs, and the queue the indexers claim. Every statement on tenant data
is scoped to one tenant, and row-level security is the second lock."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Float,
    Row,
    Select,
    Table,
    Text,
    case,
    cast,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.kit.ids import TenantId
from fleetyard.models import Group
from fleetyard.search import tables
from fleetyard.search.document import RANK_WEIGHTS, StoredDocument, ref_text
from fleetyard.search.sources import table_of

DocumentKey = tuple[str, uuid.UUID]

_d = tables.documents
_scoped = tables.scoped_documents
_v = tables.vocabulary
_groups = table_of(Group)
# ts_rank_cd's normalisation 32 (rank / (rank + 1)) keeps text scores below 1, so an
# identifier's boost (1, or 2 for the whole identifier) always ranks it first.
_RANK_NORMALISATION: Final = 32
_WEIGHTS: Final[ColumnElement[Any]] = literal_column(
    "'{" + ",".join(str(w) for w in RANK_WEIGHTS) + "}'::float4[]"
)


@dataclass(frozen=True, slots=True)
class Criteria:
    """What a search matches; built by the service from the parsed query."""

    types: tuple[str, ...]
    tsquery: str | None  # a tsquery literal of quoted lexemes; None: every document
    identifiers: tuple[str, ...] = ()  # any of these finds a document by identifier
    whole_identifiers: tuple[str, ...] = ()  # the subset naming a whole identifier
    facet_filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    group_ids: tuple[uuid.UUID, ...] = ()

    @property
    def matches_everything(self) -> bool:
        return self.tsquery is None and not self.identifiers


@dataclass(frozen=True, slots=True)
class After:
    """Where a page starts: just past this hit in (score desc, title, type, id) order."""

    score: float
    sort_title: str
    entity_type: str
    entity_id: uuid.UUID


class DocumentStore:
    """Documents and vocabulary of one tenant, written under the tenant's search lock."""

    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def lock(self) -> None:
        """One writer per tenant at a time (until the transaction ends): a rebuild that read
        a record before a newer one was written can't overwrite the newer document."""
        await self.session.execute(
            text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"fleetyard_search:{self.tenant_id}"},
        )

    async def stored(self, keys: Iterable[DocumentKey]) -> dict[DocumentKey, Any]:
        """The stored words and refs of these documents (those that exist)."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        stmt = select(_d.c.entity_type, _d.c.entity_id, _d.c.words, _d.c.refs).where(
            _d.c.tenant_id == self.tenant_id,
            tuple_(_d.c.entity_type, _d.c.entity_id).in_(wanted),
        )
        rows = (await self.session.execute(stmt)).all()
        return {(row.entity_type, row.entity_id): row for row in rows}

    async def upsert(self, docs: Sequence[StoredDocument]) -> None:
        if not docs:
            return
        now = datetime.now(UTC)
        values = [
            {
                "tenant_id": self.tenant_id,
                "entity_type": doc.entity_type,
                "entity_id": doc.entity_id,
                "title": doc.title,
                "subtitle": doc.subtitle,
                "sort_title": doc.sort_title,
                "fields": doc.fields,
                "document": cast(literal(doc.document, Text), TSVECTOR),
                "identifiers": doc.identifiers,
                "facets": doc.facets,
                "refs": doc.refs,
                "words": doc.words,
                "updated_at": now,
            }
            for doc in docs
        ]
        stmt = insert(_d).values(values)
        replaced = {
            name: stmt.excluded[name]
            for name in (
                "title",
                "subtitle",
                "sort_title",
                "fields",
                "document",
                "identifiers",
                "facets",
                "refs",
                "words",
                "updated_at",
            )
        }
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[_d.c.tenant_id, _d.c.entity_type, _d.c.entity_id], set_=replaced
            )
        )

    async def delete(self, keys: Iterable[DocumentKey]) -> None:
        wanted = sorted(set(keys))
        if wanted:
            await self.session.execute(
                delete(_d).where(
                    _d.c.tenant_id == self.tenant_id,
                    tuple_(_d.c.entity_type, _d.c.entity_id).in_(wanted),
                )
            )

    async def showing(self, keys: Iterable[DocumentKey]) -> list[DocumentKey]:
        """The documents that show any of these records (their refs name it)."""
        wanted = sorted({ref_text(t, i) for t, i in keys})
        if not wanted:
            return []
        stmt = select(_d.c.entity_type, _d.c.entity_id).where(
            _d.c.tenant_id == self.tenant_id, _d.c.refs.overlap(_text_array(wanted))
        )
        return [(row.entity_type, row.entity_id) for row in (await self.session.execute(stmt))]

    # the vocabulary --------------------------------------------------------------------------
    async def change_vocabulary(self, delta: Counter[str]) -> bool:
        """Apply word → change in document count; True when a word came or went."""
        if not delta:
            return False
        words = sorted(delta)
        stmt = text(
            """
            insert into search_vocabulary as v (tenant_id, word, documents)
            select :tenant_id, w, n from unnest(cast(:words as text[]), cast(:counts as int[]))
                as u(w, n)
            on conflict (tenant_id, word) do update set documents = v.documents + excluded.documents
            returning (xmax = 0) as inserted
            """
        )
        params = {"tenant_id": self.tenant_id, "words": words, "counts": [delta[w] for w in words]}
        added = any(row.inserted for row in await self.session.execute(stmt, params))
        gone = await self.session.execute(
            delete(_v)
            .where(_v.c.tenant_id == self.tenant_id, _v.c.word.in_(words), _v.c.documents <= 0)
            .returning(_v.c.word)
        )
        return added or gone.first() is not None

    async def bump_vocabulary_version(self) -> None:
        await self.session.execute(
            text(
                """
                insert into search_tenants as s (tenant_id, vocabulary_version)
                values (:tenant_id, 1)
                on conflict (tenant_id) do update set vocabulary_version = s.vocabulary_version + 1
                """
            ),
            {"tenant_id": self.tenant_id},
        )

    async def recount_vocabulary(self) -> None:
        """The vocabulary counted again from the documents (a reindex heals any drift)."""
        await self.session.execute(delete(_v).where(_v.c.tenant_id == self.tenant_id))
        await self.session.execute(
            text(
                """
                insert into search_vocabulary (tenant_id, word, documents)
                select :tenant_id, w, count(*) from search_documents, unnest(words) as w
                where tenant_id = :tenant_id group by w
                """
            ),
            {"tenant_id": self.tenant_id},
        )
        await self.bump_vocabulary_version()

    # the reindex ------------------------------------------------------------------------------
    async def record_count(self, table: Table) -> int:
        stmt = select(func.count()).select_from(table).where(table.c.tenant_id == self.tenant_id)
        return int(await self.session.scalar(stmt) or 0)

    async def record_ids(
        self, table: Table, after: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID]:
        stmt = select(table.c.id).where(table.c.tenant_id == self.tenant_id)
        if after is not None:
            stmt = stmt.where(table.c.id > after)
        rows = await self.session.execute(stmt.order_by(table.c.id).limit(limit))
        return [row.id for row in rows]

    async def delete_orphans(self, entity_type: str, table: Table) -> None:
        """Documents of this type whose record no longer exists."""
        record = select(table.c.id).where(
            table.c.tenant_id == _d.c.tenant_id, table.c.id == _d.c.entity_id
        )
        await self.session.execute(
            delete(_d).where(
                _d.c.tenant_id == self.tenant_id,
                _d.c.entity_type == entity_type,
                ~record.exists(),
            )
        )

    async def delete_other_types(self, types: Sequence[str]) -> None:
        """Documents of a type no source builds any more."""
        await self.session.execute(
            delete(_d).where(_d.c.tenant_id == self.tenant_id, _d.c.entity_type.not_in(types))
        )

    async def mark_indexed(self) -> None:
        await self.session.execute(
            text(
                """
                insert into search_tenants as s (tenant_id, indexed_at) values (:tenant_id, now())
                on conflict (tenant_id) do update set indexed_at = excluded.indexed_at
                """
            ),
            {"tenant_id": self.tenant_id},
        )


class SearchQueries:
    """What the API reads: matching documents, facet counts, the vocabulary."""

    def __init__(self, session: AsyncSession, tenant_id: TenantId) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def vocabulary_version(self) -> int:
        stmt = select(tables.tenants.c.vocabulary_version).where(
            tables.tenants.c.tenant_id == self.tenant_id
        )
        return int(await self.session.scalar(stmt) or 0)

    async def vocabulary(self) -> list[tuple[str, int]]:
        stmt = select(_v.c.word, _v.c.documents).where(_v.c.tenant_id == self.tenant_id)
        return [(row.word, row.documents) for row in await self.session.execute(stmt)]

    def _where(self, criteria: Criteria) -> list[ColumnElement[bool]]:
        c = _scoped.c
        clauses: list[ColumnElement[bool]] = [
            c.tenant_id == self.tenant_id,
            c.entity_type.in_(criteria.types),
        ]
        found: list[ColumnElement[bool]] = []
        if criteria.tsquery is not None:
            found.append(c.document.bool_op("@@")(_tsquery(criteria)))
        if criteria.identifiers:
            found.append(c.identifiers.overlap(_text_array(criteria.identifiers)))
        if found:
            clauses.append(or_(*found))
        for name, values in criteria.facet_filters:
            # containment, so the facets' GIN index answers it: any of the values
            clauses.append(or_(*(c.facets.contains({name: value}) for value in values)))
        if criteria.group_ids:
            groups = [ref_text("group", group_id) for group_id in criteria.group_ids]
            clauses.append(c.refs.overlap(_text_array(groups)))
        return clauses

    def _score(self, criteria: Criteria) -> ColumnElement[float]:
        c = _scoped.c
        rank: ColumnElement[Any] = literal(0.0, Float)
        if criteria.tsquery is not None:
            rank = cast(
                func.ts_rank_cd(_WEIGHTS, c.document, _tsquery(criteria), _RANK_NORMALISATION),
                Float,
            )
        if not criteria.identifiers:
            return rank
        boost = case(
            (c.identifiers.overlap(_text_array(criteria.whole_identifiers or ("",))), 2.0),
            (c.identifiers.overlap(_text_array(criteria.identifiers)), 1.0),
            else_=0.0,
        )
        return rank + boost

    def _matches(self, criteria: Criteria, *, counted: bool) -> Select[Any]:
        columns = [
            _scoped.c.entity_type,
            _scoped.c.entity_id,
            _scoped.c.title,
            _scoped.c.subtitle,
            _scoped.c.fields,
            _scoped.c.sort_title,
            self._score(criteria).label("score"),
        ]
        if counted:  # over the whole result, before the page is cut
            columns.append(func.count().over().label("total"))
        return select(*columns).where(*self._where(criteria))

    async def page(
        self, criteria: Criteria, after: After | None, limit: int, *, counted: bool = True
    ) -> list[Row[Any]]:
        """Up to ``limit + 1`` hits in rank order, starting past ``after``."""
        matches = self._matches(criteria, counted=counted).subquery("matches")
        m = matches.c
        stmt = select(matches)
        if after is not None:
            stmt = stmt.where(
                tuple_(-m.score, m.sort_title, m.entity_type, m.entity_id)
                > tuple_(
                    literal(-after.score, Float),
                    literal(after.sort_title, Text),
                    literal(after.entity_type, Text),
                    literal(after.entity_id, UUID(as_uuid=True)),
                )
            )
        stmt = stmt.order_by(m.score.desc(), m.sort_title, m.entity_type, m.entity_id)
        return list((await self.session.execute(stmt.limit(limit + 1))).all())

    async def facet_counts(self, criteria: Criteria, names: Sequence[str]) -> list[Row[Any]]:
        """(facet, value, documents) over every matching document, in one pass; the facet
        ``types`` counts documents per type."""
        if not names:
            return []
        facets = _scoped.c.facets.op("||")(func.jsonb_build_object("types", _scoped.c.entity_type))
        matches = select(facets.label("facets")).where(*self._where(criteria)).subquery("m")
        each = func.jsonb_each_text(matches.c.facets).table_valued("key", "value")
        stmt = (
            select(each.c.key.label("facet"), each.c.value, func.count().label("documents"))
            .select_from(matches)
            .join(each, true())
            .where(each.c.key.in_(names))
            .group_by(each.c.key, each.c.value)
        )
        return list((await self.session.execute(stmt)).all())

    async def group_names(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        g = _groups.c
        stmt = select(g.id, g.name).where(g.tenant_id == self.tenant_id, g.id.in_(wanted))
        return {row.id: row.name for row in await self.session.execute(stmt)}


def _tsquery(criteria: Criteria) -> ColumnElement[Any]:
    return cast(literal(criteria.tsquery, Text), TSQUERY)


def _text_array(values: Sequence[str]) -> ColumnElement[Any]:
    return cast(list(values), ARRAY(Text))


# the queue (owner connection, every tenant) -------------------------------------------------
@dataclass(frozen=True, slots=True)
class Queued:
    tenant_id: TenantId
    entity_type: str
    entity_id: uuid.UUID
    cascade: bool


_CLAIM = text(
    """
    delete from search_queue q
    using (
        select tenant_id, id from search_queue order by id limit :limit for update skip locked
    ) claimed
    where q.tenant_id = claimed.tenant_id and q.id = claimed.id
    returning q.tenant_id, q.entity_type, q.entity_id, q."cascade"
    """
)


async def claim(session: AsyncSession, limit: int) -> list[Queued]:
    """Take up to ``limit`` queued records (gone for good when the transaction commits, back
    in the queue if it rolls back)."""
    rows = await session.execute(_CLAIM, {"limit": limit})
    return [Queued(TenantId(r.tenant_id), r.entity_type, r.entity_id, r.cascade) for r in rows]


async def enqueue(
    session: AsyncSession, tenant_id: TenantId, keys: Sequence[DocumentKey], *, cascade: bool
) -> None:
    if not keys:
        return
    await session.execute(
        insert(tables.queue),
        [
            {"tenant_id": tenant_id, "entity_type": t, "entity_id": i, "cascade": cascade}
            for t, i in keys
        ],
    )


async def enqueue_all(
    session: AsyncSession, tenant_id: TenantId, entity_type: str, table: Table
) -> None:
    """Every record of one type of one tenant (its first indexing)."""
    records = select(table.c.tenant_id, literal(entity_type, Text), table.c.id, true()).where(
        table.c.tenant_id == tenant_id
    )
    q = tables.queue.c
    await session.execute(
        insert(tables.queue).from_select(
            [q.tenant_id, q.entity_type, q.entity_id, q.cascade], records
        )
    )


async def tenants_not_indexed(session: AsyncSession) -> list[TenantId]:
    rows = await session.execute(
        text(
            """
            select t.id from tenants t
            where not exists (
                select 1 from search_tenants s where s.tenant_id = t.id and s.indexed_at is not null
            )
            order by t.id
            """
        )
    )
    return [TenantId(row.id) for row in rows]


async def queue_length(session: AsyncSession) -> int:
    return int(await session.scalar(text("select count(*) from search_queue")) or 0)


async def tenants_by_slug(session: AsyncSession, slug: str | None) -> list[tuple[TenantId, str]]:
    """(id, slug) of every tenant, or of the one with this slug."""
    sql = "select id, slug from tenants"
    if slug is not None:
        sql += " where slug = :slug"
    rows = await session.execute(text(sql + " order by slug"), {"slug": slug})
    return [(TenantId(row.id), row.slug) for row in rows]
