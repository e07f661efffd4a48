"""The SQL of search: documents and the vocabulary (written by the indexer and the reindex),
the queries the API runs, and the queue the indexers claim. Every statement on tenant data
is scoped to one tenant, and row-level security is the second lock."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Float,
    Row,
    Select,
    Table,
    Text,
    and_,
    bindparam,
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
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSQUERY, TSVECTOR, UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import CTE, ScalarSelect, Subquery

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
# Text matches a suggestion is chosen among (exact identifiers always join them).
SUGGEST_CANDIDATES: Final = 300
# the settings of a search transaction (see SearchQueries.tune) and the tenant's versions, in
# one round trip
_TUNED_VERSIONS = text(
    "select v.vocabulary_version, v.documents_version"
    " from (select set_config('work_mem', '32MB', true), set_config('jit', 'off', true),"
    " set_config('max_parallel_workers_per_gather', '0', true),"
    " set_config('plan_cache_mode', 'force_custom_plan', true)) as tuned"
    " left join search_tenants v on v.tenant_id = :tenant_id"
)
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
class Found:
    rows: list[Row[Any]]  # up to limit + 1, in rank order
    total: int  # documents matching, over every page
    facet_counts: list[tuple[str, str, int]]  # (facet, value, documents)


@dataclass(frozen=True, slots=True)
class After:
    """Where a page starts: just past this hit in (score desc, title, type, id) order."""

    score: float
    sort_title: str
    entity_type: str
    entity_id: uuid.UUID


_REPLACED_ON_UPSERT: Final = (
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


def _upsert_document() -> Any:
    """One statement for any number of documents, sent as a batch of its parameters: compiled
    once, where a multi-row VALUES was compiled anew for every batch size (a large share of an
    indexer's CPU under a stream of creates)."""
    stmt = insert(_d).values(document=cast(bindparam("document_text", type_=Text), TSVECTOR))
    return stmt.on_conflict_do_update(
        index_elements=[_d.c.tenant_id, _d.c.entity_type, _d.c.entity_id],
        set_={name: stmt.excluded[name] for name in _REPLACED_ON_UPSERT},
    )


_UPSERT_DOCUMENT: Final = _upsert_document()


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
        rows = [
            {
                "tenant_id": self.tenant_id,
                "entity_type": doc.entity_type,
                "entity_id": doc.entity_id,
                "title": doc.title,
                "subtitle": doc.subtitle,
                "sort_title": doc.sort_title,
                "fields": doc.fields,
                "document_text": doc.document,
                "identifiers": doc.identifiers,
                "facets": doc.facets,
                "refs": doc.refs,
                "words": doc.words,
                "updated_at": now,
            }
            for doc in docs
        ]
        await self.session.execute(_UPSERT_DOCUMENT, rows)

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

    async def bump_documents_version(self) -> None:
        """After any write of the tenant's documents, in the same transaction: the API's kept
        answers of other versions are not used again. A random value, not a count: a version
        never comes back (a rolled-back or restored count could, with other documents)."""
        await self.session.execute(
            text(
                """
                insert into search_tenants as s (tenant_id, documents_version)
                values (:tenant_id, (random() * 9.2e18)::bigint)
                on conflict (tenant_id)
                do update set documents_version = (random() * 9.2e18)::bigint
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
        self._versions: tuple[int, int] | None = None

    async def vocabulary_version(self) -> int:
        return (await self.tune())[0]

    async def documents_version(self) -> int:
        """Changed with every write of the tenant's documents: answers kept under one are
        never older than it."""
        return (await self.tune())[1]

    async def vocabulary(self) -> list[tuple[str, int]]:
        stmt = select(_v.c.word, _v.c.documents).where(_v.c.tenant_id == self.tenant_id)
        return [(row.word, row.documents) for row in await self.session.execute(stmt)]

    def _where(self, criteria: Criteria) -> list[ColumnElement[bool]]:
        c = _scoped.c
        clauses: list[ColumnElement[bool]] = [
            c.tenant_id == self.tenant_id,
            _of_types(c.entity_type, criteria.types),
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

    async def tune(self) -> tuple[int, int]:
        """Settings for this transaction's searches: room to hold a large result in memory
        (a spilled sort or tuplestore costs more than the whole search), no JIT (compiling
        costs tens of milliseconds, more than these statements run), no parallel workers
        (on a few cores busy with other requests they add latency, not speed), and a plan
        for each query's own words: a prepared statement's generic plan knows nothing of
        how many documents a word matches, and for a rare plate it chose to read the
        tenant's documents one by one until it had 300 (12 ms instead of 1).

        Once per transaction, in the round trip that reads the tenant's (vocabulary,
        documents) versions, which it returns."""
        if self._versions is None:
            row = (await self.session.execute(_TUNED_VERSIONS, {"tenant_id": self.tenant_id})).one()
            self._versions = (int(row[0] or 0), int(row[1] or 0))
        return self._versions

    async def without_idle_identifiers(self, criteria: Criteria) -> Criteria:
        """The criteria without their identifier forms when no document holds any (the
        usual case for words: "transit" could be a plate, but is not one). Testing every
        match's identifiers for the boost costs as much as ranking it; one index lookup
        here saves that."""
        if not criteria.identifiers:
            return criteria
        c = _scoped.c
        held = select(literal(1)).where(
            c.tenant_id == self.tenant_id,
            c.entity_type.in_(criteria.types),
            c.identifiers.overlap(_text_array(criteria.identifiers)),
        )
        if await self.session.scalar(held.limit(1)) is not None:
            return criteria
        return replace(criteria, identifiers=(), whole_identifiers=())

    def _hits(self, criteria: Criteria, *, with_facets: bool) -> CTE:
        """Every matching document, narrow: what ranks it, orders it and counts it. The
        display columns are read for the page's rows only."""
        c = _scoped.c
        columns: list[ColumnElement[Any]] = [
            c.entity_type,
            c.entity_id,
            c.sort_title,
            self._score(criteria).label("score"),
        ]
        if with_facets:
            columns.append(c.facets)
        return select(*columns).where(*self._where(criteria)).cte("hits")

    def _page_of(self, hits: Any, after: After | None, limit: int) -> Subquery:
        h = hits.c
        ranked = select(h.entity_type, h.entity_id, h.sort_title, h.score)
        if after is not None:
            ranked = ranked.where(
                tuple_(-h.score, h.sort_title, h.entity_type, h.entity_id)
                > tuple_(
                    literal(-after.score, Float),
                    literal(after.sort_title, Text),
                    literal(after.entity_type, Text),
                    literal(after.entity_id, UUID(as_uuid=True)),
                )
            )
        ranked = ranked.order_by(h.score.desc(), h.sort_title, h.entity_type, h.entity_id)
        return ranked.limit(limit).subquery("ranked")

    def _shown(self, page: Subquery) -> Select[Any]:
        """The page's rows with what the answer shows of them (one key lookup each)."""
        d = _scoped.c
        p = page.c
        return select(
            p.entity_type, p.entity_id, p.sort_title, p.score, d.title, d.subtitle, d.fields
        ).join(
            _scoped,
            and_(
                d.tenant_id == self.tenant_id,
                d.entity_type == p.entity_type,
                d.entity_id == p.entity_id,
            ),
        )

    async def search(
        self, criteria: Criteria, after: After | None, limit: int, facets: Sequence[str] = ()
    ) -> Found:
        """Up to ``limit + 1`` hits in rank order starting past ``after``, the number of
        documents matching (over every page), and the facet counts over all of them — from
        one pass over the matches."""
        hits = self._hits(criteria, with_facets=bool(facets))
        page = self._shown(self._page_of(hits, after, limit + 1)).lateral("page")
        total = select(func.count()).select_from(hits).scalar_subquery()
        counted = _facet_counts(hits, facets) if facets else literal(None, JSONB)
        p = page.c
        stmt = (
            select(total.label("total"), counted.label("facet_counts"), page)
            # one row even when the page is empty, to carry the total and the counts
            .select_from(select(literal(1)).subquery("one"))
            .outerjoin(page, true())
            .order_by(p.score.desc(), p.sort_title, p.entity_type, p.entity_id)
        )
        rows = (await self.session.execute(stmt)).all()
        first = rows[0]
        counts = [(str(f), str(v), int(n)) for f, v, n in (first.facet_counts or [])]
        shown = [row for row in rows if row.entity_id is not None]
        return Found(shown, int(first.total), counts)

    async def suggestions(self, criteria: Criteria, limit: int) -> list[Row[Any]]:
        """Up to ``limit`` hits for a word being typed, ranked among at most
        SUGGEST_CANDIDATES text matches (a first letter or three in a large fleet match tens
        of thousands of documents; ranking them all costs more than typing allows) and every
        exact identifier match, which always come first."""
        c = _scoped.c
        columns = (c.entity_type, c.entity_id, c.sort_title, c.title, c.subtitle)
        score = self._score(criteria).label("score")
        candidates = select(*columns, score).where(*self._where(criteria)).limit(SUGGEST_CANDIDATES)
        parts = [candidates]
        if criteria.identifiers:
            named = replace(criteria, tsquery=None)
            by_identifier = self._score(named).label("score")
            parts.append(select(*columns, by_identifier).where(*self._where(named)))
        found = (union(*parts) if len(parts) > 1 else candidates).subquery("found")
        f = found.c
        best = func.max(f.score)
        stmt: Select[Any] = (
            select(f.entity_type, f.entity_id, f.title, f.subtitle, best.label("score"))
            .group_by(f.entity_type, f.entity_id, f.title, f.subtitle, f.sort_title)
            .order_by(best.desc(), f.sort_title, f.entity_type, f.entity_id)
            .limit(limit)
        )
        return list((await self.session.execute(stmt)).all())

    async def group_names(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        g = _groups.c
        stmt = select(g.id, g.name).where(g.tenant_id == self.tenant_id, g.id.in_(wanted))
        return {row.id: row.name for row in await self.session.execute(stmt)}


def _facet_counts(hits: Any, names: Sequence[str]) -> ScalarSelect[Any]:
    """[[facet, value, documents], …] over every hit; ``types`` counts documents per type.

    The hits are first counted per distinct facets object (a fleet's documents share a few
    thousand combinations of status, make, model and depot at most), and only those are taken
    apart: reading a key out of every hit's jsonb costs more than the search itself."""
    h = hits.c
    objects = (
        select(h.entity_type, h.facets, func.count().label("documents"))
        .group_by(h.entity_type, h.facets)
        .cte("objects")
    )
    o = objects.c
    each = union_all(
        *(
            select(
                literal(name, Text).label("facet"),
                (o.entity_type if name == "types" else o.facets[name].astext).label("value"),
                o.documents,
            )
            for name in names
        )
    ).subquery("each")
    per_value = (
        select(each.c.facet, each.c.value, func.sum(each.c.documents).label("documents"))
        .where(each.c.value.is_not(None), each.c.value != "")
        .group_by(each.c.facet, each.c.value)
        .subquery("per_value")
    )
    v = per_value.c
    return select(
        func.jsonb_agg(func.jsonb_build_array(v.facet, v.value, v.documents))
    ).scalar_subquery()


def _of_types(column: ColumnElement[str], types: Sequence[str]) -> ColumnElement[bool]:
    """The type filter, compared in the "C" collation so that it is never an index condition.
    As one (with the tenant, on the primary key) PostgreSQL would build a bitmap of every
    document of the tenant to AND with the words' bitmap: 200,000 entries to find a few
    hundred suggestions (54 ms of 57). The words' matches are far fewer; the type is
    checked on them."""
    return column.collate("C").in_(types)


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
