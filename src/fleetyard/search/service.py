"""The rules of search: what a caller may see, how a query is read, which page comes next."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.search import cursor as cursors
from fleetyard.search.documents import SOURCES
from fleetyard.search.errors import (
    InvalidFilter,
    QueryTooLong,
    UnknownFacet,
    UnknownType,
)
from fleetyard.search.highlight import matched_fields
from fleetyard.search.query import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    Mode,
    ParsedQuery,
    parse,
    tsquery_literal,
)
from fleetyard.search.registry import Registry
from fleetyard.search.repository import After, Criteria, SearchQueries
from fleetyard.search.schemas import (
    FACETS,
    FILTERS,
    LABELLED_FACETS,
    FacetValue,
    Highlight,
    MatchedField,
    SearchHit,
    SearchRequest,
    SearchResults,
    Suggestion,
    Suggestions,
)
from fleetyard.search.text import words
from fleetyard.search.vocabulary import Vocabulary, VocabularyCache

MAX_FILTER_VALUES: Final = 50
MAX_FILTER_CHARS: Final = 200
MAX_FACET_VALUES: Final = 50  # per facet, most frequent first
SUGGEST_WEIGHTS: Final = "AB"  # suggestions match titles, identifiers, make, model, depot
COMPLETIONS: Final = 5


class SearchService:
    def __init__(
        self,
        session: AsyncSession,
        actor: Principal,
        vocabularies: VocabularyCache,
        secret_key: str,
        registry: Registry = SOURCES,
    ) -> None:
        self.actor = actor
        self.queries = SearchQueries(session, actor.tenant_id)
        self.vocabularies = vocabularies
        self.secret_key = secret_key
        self.registry = registry

    # search ---------------------------------------------------------------------------------
    async def search(self, request: SearchRequest) -> SearchResults:
        q = check_query(request.q)
        types = self._types(request.types)
        filters = check_filters(request.filters)
        facets = check_facets(request.facets)
        bound_to = cursors.fingerprint(self.actor.tenant_id, q, request.types, filters)
        after, mode = None, Mode.ALL
        if request.cursor:
            after, mode = cursors.decode(self.secret_key, request.cursor, bound_to)
        parsed = parse(q, await self._vocabulary()) if q.strip() else None
        if not types or (parsed is not None and parsed.is_empty):
            return SearchResults(items=[], total=0, types=list(types), facets={})
        criteria = self._criteria(types, parsed, filters, mode)
        rows = await self.queries.page(criteria, after, request.limit)
        if not rows and after is None and parsed is not None and len(parsed.terms) > 1:
            mode = Mode.ANY  # no document holds every word: those holding some, best first
            criteria = self._criteria(types, parsed, filters, mode)
            rows = await self.queries.page(criteria, after, request.limit)
        page = rows[: request.limit]
        next_cursor = None
        if len(rows) > request.limit:
            last = page[-1]
            position = After(last.score, last.sort_title, last.entity_type, last.entity_id)
            next_cursor = cursors.encode(self.secret_key, bound_to, position, mode)
        return SearchResults(
            items=[_hit(row, parsed) for row in page],
            next_cursor=next_cursor,
            total=int(page[0].total) if page else await self._total(criteria, after),
            facets=await self._facets(criteria, facets),
            types=list(types),
            corrections=_corrections(parsed),
            mode=mode.value,
        )

    async def _total(self, criteria: Criteria, after: After | None) -> int:
        """An empty page past the end still answers the whole result's size."""
        if after is None:
            return 0
        rows = await self.queries.page(criteria, None, 0)
        return int(rows[0].total) if rows else 0

    def _types(self, requested: Sequence[str]) -> tuple[str, ...]:
        unknown = [t for t in requested if self.registry.get(t) is None]
        if unknown:
            raise UnknownType(
                details={"unknown": unknown[:10], "allowed": list(self.registry.types)}
            )
        readable = self.registry.readable_by(self.actor)
        wanted = requested or readable
        return tuple(t for t in readable if t in wanted)

    async def _vocabulary(self) -> Vocabulary:
        return await self.vocabularies.get(self.queries)

    def _criteria(
        self,
        types: tuple[str, ...],
        parsed: ParsedQuery | None,
        filters: Mapping[str, tuple[str, ...]],
        mode: Mode,
        weights: str = "",
    ) -> Criteria:
        identifiers: tuple[str, ...] = ()
        whole: tuple[str, ...] = ()
        tsquery = None
        if parsed is not None:
            identifiers, whole = parsed.stored_identifiers()
            tsquery = tsquery_literal(parsed.terms, mode, weights)
        group_ids = tuple(uuid.UUID(v) for v in filters.get("group_id", ()))
        facet_filters = tuple(
            (FILTERS[name], values) for name, values in filters.items() if name != "group_id"
        )
        return Criteria(types, tsquery, identifiers, whole, facet_filters, group_ids)

    async def _facets(
        self, criteria: Criteria, names: Sequence[str]
    ) -> dict[str, list[FacetValue]]:
        if not names:
            return {}
        rows = await self.queries.facet_counts(criteria, names)
        found: dict[str, list[tuple[str, int]]] = {name: [] for name in names}
        for row in rows:
            found[row.facet].append((row.value, int(row.documents)))
        group_ids = (
            _as_uuid(value) for name in LABELLED_FACETS & set(found) for value, _ in found[name]
        )
        labels = await self.queries.group_names(i for i in group_ids if i is not None)
        return {
            name: [
                FacetValue(
                    value=value,
                    label=labels.get(_as_uuid(value)) if name in LABELLED_FACETS else None,  # type: ignore[arg-type]
                    count=count,
                )
                for value, count in sorted(values, key=lambda vc: (-vc[1], vc[0]))[
                    :MAX_FACET_VALUES
                ]
            ]
            for name, values in found.items()
        }

    # suggest --------------------------------------------------------------------------------
    async def suggest(self, q: str, types: Sequence[str], limit: int) -> Suggestions:
        q = check_query(q)
        searched = self._types(types)
        if not q.strip() or not searched:
            return Suggestions(items=[])
        vocabulary = await self._vocabulary()
        parsed = parse(q, vocabulary)
        if parsed.is_empty:
            return Suggestions(items=[])
        criteria = self._criteria(searched, parsed, {}, Mode.ALL, SUGGEST_WEIGHTS)
        rows = await self.queries.page(criteria, None, limit, counted=False)
        return Suggestions(
            items=[
                Suggestion(type=r.entity_type, id=r.entity_id, title=r.title, subtitle=r.subtitle)
                for r in rows[:limit]
            ],
            completions=_completions(q, parsed, vocabulary),
        )


# input checks -------------------------------------------------------------------------------
def check_query(q: str) -> str:
    if len(q) > MAX_QUERY_CHARS:
        raise QueryTooLong(details={"max_chars": MAX_QUERY_CHARS, "chars": len(q)})
    if len(words(q)) > MAX_TERMS:
        raise QueryTooLong(
            f"A search holds at most {MAX_TERMS} words.", details={"max_words": MAX_TERMS}
        )
    return q


def _printable(value: str) -> bool:
    return not any(unicodedata.category(c) in ("Cc", "Cs") for c in value)


def check_filters(filters: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Filter name → its values (deduplicated); names are checked by the caller."""
    checked: dict[str, tuple[str, ...]] = {}
    for name, raw_values in filters.items():
        values = tuple(dict.fromkeys(v.strip() for v in raw_values if v.strip()))
        if not values:
            continue
        if len(values) > MAX_FILTER_VALUES:
            raise InvalidFilter(
                f"At most {MAX_FILTER_VALUES} values per filter.", details={"filter": name}
            )
        for value in values:
            if len(value) > MAX_FILTER_CHARS or not _printable(value):
                raise InvalidFilter(details={"filter": name})
            if name == "group_id" and _as_uuid(value) is None:
                raise InvalidFilter("group_id takes group ids.", details={"filter": name})
        checked[name] = values
    return checked


def check_facets(names: Sequence[str]) -> tuple[str, ...]:
    unknown = [n for n in names if n not in FACETS]
    if unknown:
        raise UnknownFacet(details={"unknown": unknown[:10], "allowed": list(FACETS)})
    return tuple(dict.fromkeys(names))


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# answers ------------------------------------------------------------------------------------
def _hit(row: Row[Any], parsed: ParsedQuery | None) -> SearchHit:
    matches = []
    if parsed is not None:
        matches = [
            MatchedField(
                field=m.field,
                value=m.value,
                highlights=[Highlight(start=s, end=e) for s, e in m.highlights],
            )
            for m in matched_fields(row.fields, parsed.terms, parsed.identifiers)
        ]
    return SearchHit(
        type=row.entity_type,
        id=row.entity_id,
        title=row.title,
        subtitle=row.subtitle,
        score=round(float(row.score), 6),
        matches=matches,
    )


def _corrections(parsed: ParsedQuery | None) -> dict[str, list[str]]:
    if parsed is None:
        return {}
    return {t.word: list(t.corrected) for t in parsed.terms if t.corrected}


def _completions(q: str, parsed: ParsedQuery, vocabulary: Vocabulary) -> list[str]:
    """The query with its last word completed from the vocabulary, most frequent first."""
    last = parsed.terms[-1] if parsed.terms else None
    if last is None or not last.prefix:
        return []
    typed = q.rstrip()
    # the last word as typed ends the query: cut it off and put each completion instead
    head = typed[: len(typed) - len(_last_typed_word(typed))]
    return [head + word for word in vocabulary.completions(last.word, COMPLETIONS)]


def _last_typed_word(typed: str) -> str:
    end = len(typed)
    start = end
    while start > 0 and (typed[start - 1].isalnum()):
        start -= 1
    return typed[start:end]
