from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import StringConstraints

from fleetyard.auth.dependencies import DbSession, require
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.errors import PermissionDenied, responses
from fleetyard.search.answers import FoundCache
from fleetyard.search.errors import (
    InvalidCursor,
    InvalidFilter,
    QueryTooLong,
    UnknownFacet,
    UnknownFilter,
    UnknownType,
)
from fleetyard.search.schemas import (
    DEFAULT_LIMIT,
    DEFAULT_SUGGESTIONS,
    FILTERS,
    MAX_LIMIT,
    MAX_SUGGESTIONS,
    SEARCH_PARAMETERS,
    SUGGEST_PARAMETERS,
    SearchRequest,
    SearchResults,
    Suggestions,
)
from fleetyard.search.service import SearchService
from fleetyard.search.vocabulary import VocabularyCache

router = APIRouter(prefix="/search", tags=["search"])
# Every role may search; each sees only the types its role reads (SOURCES' permissions).
Searcher = Annotated[Principal, Depends(require(Permission.TENANT_READ))]
# a filter's value: some text (an empty one filters on nothing), at most 50 of them; the
# service checks each value further (its length, NUL bytes: ``invalid_filter``)
FilterValue = Annotated[str, StringConstraints(min_length=1)]
Values = Annotated[
    list[FilterValue] | None,
    Query(max_length=50, description="Repeat for any of several values"),
]
Listed = Annotated[str | None, Query(max_length=500)]


def _vocabularies(request: Request) -> VocabularyCache:
    """The app's vocabularies (made on first use)."""
    state = request.app.state
    cache: VocabularyCache | None = getattr(state, "search_vocabularies", None)
    if cache is None:
        cache = state.search_vocabularies = VocabularyCache()
    return cache


def _answers(request: Request) -> FoundCache:
    """The app's kept search answers (made on first use)."""
    state = request.app.state
    cache: FoundCache | None = getattr(state, "search_answers", None)
    if cache is None:
        cache = state.search_answers = FoundCache()
    return cache


def _service(request: Request, session: DbSession, actor: Principal) -> SearchService:
    secret: str = request.app.state.settings.secret_key
    return SearchService(session, actor, _vocabularies(request), secret, answers=_answers(request))


def _only(request: Request, allowed: frozenset[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise UnknownFilter(details={"unknown": unknown[:10], "allowed": sorted(allowed)})


def _listed(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def search_request(
    request: Request,
    q: Annotated[str, Query(description="Words, a plate, a VIN or its end, an IMEI's end")] = "",
    types: Annotated[Listed, Query(description="Comma-separated, e.g. vehicle,driver")] = None,
    facets: Annotated[
        Listed, Query(description="Comma-separated: types, status, make, model, type, group, …")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    status: Values = None,
    make: Values = None,
    model: Values = None,
    type: Values = None,
    fuel_type: Values = None,
    group_id: Values = None,
    depot: Values = None,
    protocol: Values = None,
    severity: Values = None,
    kind: Values = None,
    provider: Values = None,
) -> SearchRequest:
    _only(request, SEARCH_PARAMETERS)
    given = {
        "status": status,
        "make": make,
        "model": model,
        "type": type,
        "fuel_type": fuel_type,
        "group_id": group_id,
        "depot": depot,
        "protocol": protocol,
        "severity": severity,
        "kind": kind,
        "provider": provider,
    }
    assert set(given) == set(FILTERS)
    return SearchRequest(
        q=q,
        types=_listed(types),
        filters={name: tuple(values) for name, values in given.items() if values},
        facets=_listed(facets),
        limit=limit,
        cursor=cursor,
    )


_REFUSALS = (
    PermissionDenied,
    QueryTooLong,
    UnknownFilter,
    InvalidFilter,
    UnknownFacet,
    UnknownType,
)


@router.get("", response_model=SearchResults, responses=responses(*_REFUSALS, InvalidCursor))
async def search(
    request: Request,
    session: DbSession,
    actor: Searcher,
    body: Annotated[SearchRequest, Depends(search_request)],
) -> Response:
    """Full-text search over the tenant's records: weighted fields, the last word as a
    prefix, typos corrected, exact identifiers first; filters (repeatable) and facet counts
    over the whole result. Only the types your role reads are searched."""
    return _json(await _service(request, session, actor).search(body))


@router.get("/suggest", response_model=Suggestions, responses=responses(*_REFUSALS))
async def suggest(
    request: Request,
    session: DbSession,
    actor: Searcher,
    q: str = "",
    types: Listed = None,
    limit: Annotated[int, Query(ge=1, le=MAX_SUGGESTIONS)] = DEFAULT_SUGGESTIONS,
) -> Response:
    """As-you-type: records whose titles or identifiers begin with what was typed (typos
    forgiven), and the query with its last word completed."""
    _only(request, SUGGEST_PARAMETERS)
    return _json(await _service(request, session, actor).suggest(q, _listed(types), limit))


def _json(answer: SearchResults | Suggestions) -> Response:
    """The answer serialised once, as built: returned as a model, FastAPI would dump it,
    validate the dump against the response model and serialise it again (a few ms of a
    search's CPU for 20 hits with their highlights). The response model still documents it."""
    return Response(answer.model_dump_json().encode(), media_type="application/json")
