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
from fleetyard.search.answers import FoundCache
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
from fleetyard.search.repository import After, Criteria, Found, SearchQueries
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
        answers: FoundCache | None = None,
    ) -> None:
        self.actor = actor
        self.queries = SearchQueries(session, actor.tenant_id)
        self.vocabularies = vocabularies
        self.secret_key = secret_key
        self.registry = registry
        self.answers = answers

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
        await self.queries.tune()
        criteria = await self._criteria_held(types, parsed, filters, mode)
        found = await self._found(criteria, after, request.limit, facets)
        if not found.rows and after is None and parsed is not None and len(parsed.terms) > 1:
            mode = Mode.ANY  # no document holds every word: those holding some, best first
            criteria = await self._criteria_held(types, parsed, filters, mode)
            found = await self._found(criteria, after, request.limit, facets)
        page = found.rows[: request.limit]
        next_cursor = None
        if len(found.rows) > request.limit:
            last = page[-1]
            position = After(last.score, last.sort_title, last.entity_type, last.entity_id)
            next_cursor = cursors.encode(self.secret_key, bound_to, position, mode)
        return SearchResults(
            items=[_hit(row, parsed) for row in page],
            next_cursor=next_cursor,
            total=found.total,
            facets=await self._facets(found.facet_counts, facets),
            types=list(types),
            corrections=_corrections(parsed),
            mode=mode.value,
        )

    async def _found(
        self, criteria: Criteria, after: After | None, limit: int, facets: tuple[str, ...]
    ) -> Found:
        """The page, the total and the facet counts: kept from an earlier identical search
        while the tenant's documents are unchanged (see answers.py), else counted."""
        if self.answers is None:
            return await self.queries.search(criteria, after, limit, facets)
        version = await self.queries.documents_version()
        key = (self.actor.tenant_id, version, criteria, after, limit, facets)
        found = self.answers.get(key)
        if found is None:
            found = await self.queries.search(criteria, after, limit, facets)
            self.answers.put(key, found)
        return found

    async def _suggested(self, criteria: Criteria, limit: int) -> list[Row[Any]]:
        """Suggestions, kept like search answers (the first keystrokes repeat most)."""
        if self.answers is None:
            return await self.queries.suggestions(criteria, limit)
        version = await self.queries.documents_version()
        key = ("suggest", self.actor.tenant_id, version, criteria, limit)
        found = self.answers.get(key)
        if found is None:
            rows = await self.queries.suggestions(criteria, limit)
            found = Found(rows, len(rows), [])
            self.answers.put(key, found)
        return found.rows

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

    async def _criteria_held(
        self,
        types: tuple[str, ...],
        parsed: ParsedQuery | None,
        filters: Mapping[str, tuple[str, ...]],
        mode: Mode,
        weights: str = "",
    ) -> Criteria:
        criteria = self._criteria(types, parsed, filters, mode, weights)
        return await self.queries.without_idle_identifiers(criteria)

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
        self, counts: Sequence[tuple[str, str, int]], names: Sequence[str]
    ) -> dict[str, list[FacetValue]]:
        if not names:
            return {}
        found: dict[str, list[tuple[str, int]]] = {name: [] for name in names}
        for facet, value, documents in counts:
            found[facet].append((value, documents))
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
        await self.queries.tune()
        criteria = await self._criteria_held(searched, parsed, {}, Mode.ALL, SUGGEST_WEIGHTS)
        rows = await self._suggested(criteria, limit)
        return Suggestions(
            items=[
                Suggestion(type=r.entity_type, id=r.entity_id, title=r.title, subtitle=r.subtitle)
                for r in rows
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
