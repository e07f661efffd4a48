"""Bad input never reaches a 500: long queries, query syntax, NUL bytes, unknown names and
forged cursors are a clear 4xx with a stable code, or an empty result."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.db import Database
from fleetyard.tenants.schemas import TenantLimits
from tests.conftest import Tenants
from tests.factories import TenantSetup, setup_tenant
from tests.search.conftest import SEARCH, SUGGEST, Fleet, index, make_fleet

ARBITRARY = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body["error"]) == {"code", "message", "details"}
    code: str = body["error"]["code"]
    return code


async def test_anonymous_is_a_401(client: httpx.AsyncClient) -> None:
    for path in (SEARCH, SUGGEST):
        response = await client.get(path, params={"q": "ford"})
        assert response.status_code == 401
        assert error_code(response) == "not_authenticated"


@pytest.mark.parametrize("path", [SEARCH, SUGGEST])
async def test_a_query_too_long_is_a_422(
    client: httpx.AsyncClient, tenants: Tenants, path: str
) -> None:
    for q in ("x" * 10_000, "a " * 101, " ".join(["ford"] * 17)):
        response = await client.get(path, params={"q": q}, headers=tenants.a.owner)
        assert response.status_code == 422, q[:20]
        assert error_code(response) == "query_too_long"


@pytest.mark.parametrize(
    "q", ["&|!():*", "'", "''", "\\", "!!!", "a:*", "ford & !transit", "a\x00b", "\x00", ":*AB"]
)
async def test_query_syntax_and_punctuation_are_only_text(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet, q: str
) -> None:
    for path in (SEARCH, SUGGEST):
        response = await client.get(path, params={"q": q}, headers=tenants.a.owner)
        assert response.status_code == 200, (q, response.text)
    # the words among the punctuation still count
    response = await client.get(SEARCH, params={"q": "ford & !transit"}, headers=tenants.a.owner)
    assert len(response.json()["items"]) == 3  # the three Ford Transits
    only_punctuation = await client.get(SEARCH, params={"q": "&|!"}, headers=tenants.a.owner)
    assert only_punctuation.json()["items"] == []


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"colour": "red"}, 422, "unknown_filter"),
        ({"sort": "title"}, 422, "unknown_filter"),
        ({"facets": "status,colour"}, 422, "unknown_facet"),
        ({"types": "vehicle,spaceship"}, 422, "unknown_type"),
        ({"group_id": "not-a-uuid"}, 422, "invalid_filter"),
        ({"make": "a\x00b"}, 422, "invalid_filter"),
        ({"make": "x" * 201}, 422, "invalid_filter"),
        ({"depot": ""}, 422, "validation_failed"),
        ({"make": [f"make {i}" for i in range(51)]}, 422, "validation_failed"),
        ({"limit": "0"}, 422, "validation_failed"),
        ({"limit": "101"}, 422, "validation_failed"),
        ({"cursor": "garbage"}, 400, "invalid_cursor"),
        ({"cursor": "eyJ4IjoxfQ.AAAA"}, 400, "invalid_cursor"),
        ({"cursor": "a.b.c"}, 400, "invalid_cursor"),
    ],
)
async def test_unknown_names_and_bad_values_have_stable_codes(
    client: httpx.AsyncClient,
    tenants: Tenants,
    params: dict[str, str | list[str]],
    status: int,
    code: str,
) -> None:
    response = await client.get(SEARCH, params={"q": "ford", **params}, headers=tenants.a.owner)
    assert response.status_code == status, response.text
    assert error_code(response) == code


async def test_suggest_takes_only_its_parameters(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    response = await client.get(
        SUGGEST, params={"q": "ford", "facets": "make"}, headers=tenants.a.owner
    )
    assert response.status_code == 422
    assert error_code(response) == "unknown_filter"


@pytest.fixture
async def unlimited(
    client: httpx.AsyncClient, db_session: AsyncSession, rolled_back_db: Database
) -> TenantSetup:
    """A tenant with a fleet whose rate limit hundreds of examples never meet."""
    tenant = await setup_tenant(
        db_session, "search-fuzz", TenantLimits(api_requests_per_minute=1_000_000)
    )
    await db_session.commit()
    await make_fleet(client, tenant.owner, imei="356307011441013")
    await index(rolled_back_db, tenant.id)
    return tenant


@ARBITRARY
@given(q=st.text(max_size=250), filter_value=st.text(max_size=30))
async def test_arbitrary_text_never_500s(
    client: httpx.AsyncClient, unlimited: TenantSetup, q: str, filter_value: str
) -> None:
    for path, params in (
        (SEARCH, {"q": q}),
        (SEARCH, {"q": q, "make": filter_value, "facets": "make,types"}),
        (SUGGEST, {"q": q}),
        (SEARCH, {"q": "ford", "cursor": q or "x"}),
    ):
        response = await client.get(path, params=params, headers=unlimited.owner)
        assert response.status_code < 500, (path, params, response.text)
        if response.status_code >= 400:
            assert error_code(response) in {
                "query_too_long",
                "invalid_filter",
                "invalid_cursor",
                "validation_failed",
            }
