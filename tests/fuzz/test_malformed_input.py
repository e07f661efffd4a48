"""Whatever arrives over HTTP — junk JSON, junk query strings, junk headers, bodies that are not
JSON at all — the API answers with a 2xx/3xx/4xx, every 4xx in the error envelope, and never lets
an exception escape (the ASGI transport re-raises any unhandled one into the test).

The module runs in one transaction rolled back at its end (see ``conftest.py``).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fleetyard.auth.dependencies import CSRF_COOKIE, SESSION_COOKIE
from tests.conftest import Tenants
from tests.factories import PASSWORD
from tests.fuzz.conftest import FUZZ_SETTINGS, assert_error_envelope, assert_well_behaved
from tests.fuzz.seed import Route, Seed, valid_payloads
from tests.fuzz.strategies import (
    AUTHORIZATIONS,
    CONTENT_TYPES,
    CURSORS,
    HEADER_BYTES,
    JSON_VALUES,
    LIMITS,
    PARAM_VALUES,
    RAW_BODIES,
    SORTS,
    TEXT,
    URL_TEXT,
    b64,
    dumps,
    quote_any,
)

EXAMPLES = hypothesis_settings(FUZZ_SETTINGS, max_examples=100)


# Targets --------------------------------------------------------------------------------------
PARAMETER = re.compile(r"\{[^}]+\}")


def concrete(path: str, seed: Seed, pick: int) -> str:
    """A path template with its parameters filled (``/webhooks/{id}/ping`` too): one of A's
    records of the collection before the first parameter, a random id, or junk."""
    if "{" not in path:
        return path
    collection = path.split("/{", 1)[0]
    ids = seed.records.get(collection) or []
    choices = [*ids, str(uuid.uuid4()), "not-a-uuid", "0", "%00", "..", "a" * 300]
    value = quote_any(choices[pick % len(choices)])
    return PARAMETER.sub(lambda _: value, path)


def filled_parameters(path: str, url: str) -> list[str]:
    """The values ``concrete`` put where ``path`` has parameters."""
    pairs = zip(path.split("/"), url.split("/"), strict=False)
    return [value for part, value in pairs if PARAMETER.fullmatch(part)]


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def write_routes(routes: list[Route]) -> list[Route]:
    return [(m, p) for m, p in routes if m in ("POST", "PATCH", "PUT") and p.startswith("/api/")]


def list_routes(routes: list[Route]) -> list[str]:
    return [p for m, p in routes if m == "GET" and p.startswith("/api/") and "{" not in p]


def field_names(path: str) -> list[str]:
    """The fields a valid create payload for ``path`` has (for overriding one at a time)."""
    collection = path.rsplit("/", 1)[0] if path.endswith("}") else path
    for route, payload, _ in valid_payloads({}):
        if route == collection:
            return sorted(payload)
    return ["name", "email", "role", "password", "tenant"]


def valid_body(path: str, seed: Seed) -> dict[str, Any]:
    if path.endswith("}"):
        return {}
    made = {collection: list(ids) for collection, ids in seed.records.items()}
    for route, payload, _ in valid_payloads(made):
        if route == path:
            return {k: v for k, v in payload.items() if v is not None}
    return {}


# Bodies ---------------------------------------------------------------------------------------
@EXAMPLES
@given(data=st.data(), body=JSON_VALUES)
async def test_random_json_bodies(
    data: st.DataObject,
    body: Any,
    fuzz_client: httpx.AsyncClient,
    fuzz_tenants: Tenants,
    routes: list[Route],
    seed: Seed,
) -> None:
    method, path = data.draw(st.sampled_from(write_routes(routes)), label="route")
    url = concrete(path, seed, data.draw(st.integers(0, 20), label="pick"))
    response = await fuzz_client.request(
        method,
        url,
        content=dumps(body),
        headers={**fuzz_tenants.a.owner, "Content-Type": "application/json"},
    )
    assert_well_behaved(response)


@EXAMPLES
@given(data=st.data())
async def test_valid_payloads_with_one_field_spoiled(
    data: st.DataObject,
    fuzz_client: httpx.AsyncClient,
    fuzz_tenants: Tenants,
    routes: list[Route],
    seed: Seed,
) -> None:
    """Junk that gets past the JSON parser and the first field: one bad field in a good body."""
    method, path = data.draw(st.sampled_from(write_routes(routes)), label="route")
    body = valid_body(path, seed)
    names = st.sampled_from(field_names(path)) | TEXT
    spoiled = data.draw(st.dictionaries(names, JSON_VALUES, min_size=1, max_size=2), label="junk")
    url = concrete(path, seed, data.draw(st.integers(0, 20), label="pick"))
    response = await fuzz_client.request(
        method,
        url,
        content=dumps({**body, **spoiled}),
        headers={**fuzz_tenants.a.owner, "Content-Type": "application/json"},
    )
    assert_well_behaved(response)


@EXAMPLES
@given(data=st.data(), content=RAW_BODIES, content_type=CONTENT_TYPES)
async def test_non_json_bodies_and_content_types(
    data: st.DataObject,
    content: bytes,
    content_type: str,
    fuzz_client: httpx.AsyncClient,
    fuzz_tenants: Tenants,
    routes: list[Route],
    seed: Seed,
) -> None:
    method, path = data.draw(st.sampled_from(write_routes(routes)), label="route")
    url = concrete(path, seed, data.draw(st.integers(0, 20), label="pick"))
    headers = {**fuzz_tenants.a.owner, "Content-Type": content_type}
    response = await fuzz_client.request(method, url, content=content, headers=headers)
    assert_well_behaved(response)


async def test_a_large_body_is_refused_cleanly(
    fuzz_client: httpx.AsyncClient, fuzz_tenants: Tenants
) -> None:
    body = dumps({"name": "x" * 5_000_000, "tags": ["t"] * 100_000})
    response = await fuzz_client.post(
        "/api/v1/vehicles",
        content=body,
        headers={**fuzz_tenants.a.owner, "Content-Type": "application/json"},
    )
    assert_well_behaved(response)
    assert response.status_code in (413, 422)


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\xfd", b"[" * 100_000, b"1" * 5_000],
    ids=["not-utf8", "nested-too-deep", "int-too-long"],
)
async def test_unparsable_json_is_a_422(
    content: bytes, fuzz_client: httpx.AsyncClient, fuzz_tenants: Tenants
) -> None:
    """Like any malformed JSON: 422 validation_failed, not FastAPI's undocumented 400."""
    response = await fuzz_client.post(
        "/api/v1/vehicles",
        content=content,
        headers={**fuzz_tenants.a.owner, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert assert_error_envelope(response)["code"] == "validation_failed"


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"], ids=["nul", "lone-surrogate"])
async def test_text_postgres_cannot_store_is_a_422(
    text: str, fuzz_client: httpx.AsyncClient, fuzz_tenants: Tenants
) -> None:
    """Valid JSON, valid for pydantic, refused by PostgreSQL: the caller's fault, so a 422."""
    response = await fuzz_client.post(
        "/api/v1/vehicles",
        content=dumps({"name": text}),
        headers={**fuzz_tenants.a.owner, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert assert_error_envelope(response)["code"] == "validation_failed"


@pytest.mark.parametrize(
    ("path", "param"), [("/api/v1/vehicles", "q"), ("/api/v1/events", "entity_type")]
)
async def test_nul_in_a_query_is_a_422(
    path: str, param: str, fuzz_client: httpx.AsyncClient, fuzz_tenants: Tenants
) -> None:
    response = await fuzz_client.get(path, params={param: "a\x00b"}, headers=fuzz_tenants.a.owner)
    assert response.status_code == 422, response.text
    assert assert_error_envelope(response)["code"] == "validation_failed"


# Query strings --------------------------------------------------------------------------------
@EXAMPLES
@given(data=st.data())
async def test_random_query_strings(
    data: st.DataObject,
    fuzz_client: httpx.AsyncClient,
    fuzz_tenants: Tenants,
    routes: list[Route],
) -> None:
    path = data.draw(st.sampled_from(list_routes(routes)), label="path")
    params: list[tuple[str, str]] = []
    if data.draw(st.booleans(), label="with cursor"):
        params.append(("cursor", data.draw(CURSORS, label="cursor")))
    if data.draw(st.booleans(), label="with sort"):
        params.append(("sort", data.draw(SORTS, label="sort")))
    if data.draw(st.booleans(), label="with limit"):
        params.append(("limit", str(data.draw(LIMITS, label="limit"))))
    names = st.sampled_from(
        ["q", "tag", "status", "type", "group_id", "vehicle_id", "from", "to", "entity_id"]
    )
    params += data.draw(
        st.lists(st.tuples(names | URL_TEXT, PARAM_VALUES), max_size=3), label="more"
    )
    query = "&".join(f"{quote_any(k)}={quote_any(v)}" for k, v in params)
    response = await fuzz_client.get(f"{path}?{query}", headers=fuzz_tenants.a.owner)
    assert_well_behaved(response)


@pytest.fixture(scope="module")
def paginated(fuzz_app: FastAPI) -> list[str]:
    """The list routes that take a cursor."""
    paths: dict[str, dict[str, Any]] = fuzz_app.openapi()["paths"]
    return sorted(
        path
        for path, item in paths.items()
        if any(p["name"] == "cursor" for p in item.get("get", {}).get("parameters", []))
    )


@EXAMPLES
@given(data=st.data(), cursor=CURSORS, sort=SORTS)
async def test_forged_cursors_with_every_sort_field(
    data: st.DataObject,
    cursor: str,
    sort: str,
    fuzz_client: httpx.AsyncClient,
    fuzz_tenants: Tenants,
    paginated: list[str],
) -> None:
    """A cursor is ours to decode: whatever its value, it is a 422, never a database error."""
    path = data.draw(st.sampled_from(paginated), label="path")
    query = f"cursor={quote_any(cursor)}&sort={quote_any(sort)}&limit=2"
    response = await fuzz_client.get(f"{path}?{query}", headers=fuzz_tenants.a.owner)
    assert_well_behaved(response)


@pytest.mark.parametrize(
    ("path", "sort", "value"),
    [
        ("/api/v1/vehicles", "year", 2**40),
        ("/api/v1/vehicles", "-year", -(2**31) - 1),
        ("/api/v1/vehicles", "odometer_km", "1e100000"),
        ("/api/v1/vehicles", "odometer_km", "1e20"),
        ("/api/v1/vehicles", "-odometer_km", "99999999999.96"),
        ("/api/v1/vehicles", "odometer_km", "sNaN"),
        ("/api/v1/vehicles", "id", 12),
        ("/api/v1/vehicles", "created_at", "2020-01-01"),
        ("/api/v1/vehicles", "plate", "a\x00b"),
        ("/api/v1/events", "id", []),
    ],
)
async def test_forged_cursor_values_are_a_422(
    path: str,
    sort: str,
    value: Any,
    fuzz_client: httpx.AsyncClient,
    fuzz_tenants: Tenants,
) -> None:
    for row_id in (str(uuid.uuid4()), 7, None, ["x"]):
        cursor = b64(dumps([value, row_id]))
        response = await fuzz_client.get(
            path, params={"cursor": cursor, "sort": sort}, headers=fuzz_tenants.a.owner
        )
        assert_well_behaved(response)


# Headers --------------------------------------------------------------------------------------
@EXAMPLES
@given(data=st.data())
async def test_random_headers(
    data: st.DataObject,
    fuzz_client: httpx.AsyncClient,
    fuzz_tenants: Tenants,
    routes: list[Route],
    seed: Seed,
) -> None:
    method, path = data.draw(st.sampled_from(routes), label="route")
    url = concrete(path, seed, data.draw(st.integers(0, 20), label="pick"))
    headers: dict[str, bytes] = {}
    if data.draw(st.booleans(), label="authorised"):
        headers["Authorization"] = fuzz_tenants.a.owner["Authorization"].encode()
    else:
        headers["Authorization"] = data.draw(AUTHORIZATIONS, label="authorization")
    for name in ("If-Match", "Idempotency-Key", "X-CSRF-Token", "X-Request-ID", "Cookie"):
        if data.draw(st.booleans(), label=f"with {name}"):
            headers[name] = data.draw(HEADER_BYTES, label=name)
    body = valid_body(path, seed) if method in ("POST", "PATCH") else None
    response = await fuzz_client.request(
        method,
        url,
        content=None if body is None else dumps(body),
        headers={**headers, "Content-Type": b"application/json"},
    )
    assert_well_behaved(response)


@pytest.fixture(scope="module")
async def browser_session(fuzz_client: httpx.AsyncClient, fuzz_tenants: Tenants) -> tuple[str, str]:
    login = await fuzz_client.post(
        "/api/v1/auth/login",
        json={"email": fuzz_tenants.a.owner_email, "password": PASSWORD},
    )
    assert login.status_code == 200, login.text
    fuzz_client.cookies.clear()  # each request below sends its own cookies
    return login.cookies[SESSION_COOKIE], login.json()["csrf_token"]


@EXAMPLES
@given(data=st.data())
async def test_session_cookies_and_csrf_tokens(
    data: st.DataObject,
    fuzz_client: httpx.AsyncClient,
    browser_session: tuple[str, str],
    routes: list[Route],
    seed: Seed,
) -> None:
    """A real session with junk around it: bad CSRF tokens are a 403, never a crash."""
    session_token, csrf_token = browser_session
    keep_session = [r for r in routes if r != ("POST", "/api/v1/auth/logout")]
    method, path = data.draw(st.sampled_from(keep_session), label="route")
    url = concrete(path, seed, data.draw(st.integers(0, 20), label="pick"))
    live = f"{SESSION_COOKIE}={session_token}".encode()
    junk_cookie = (
        st.just(f"{CSRF_COOKIE}=x".encode())
        | HEADER_BYTES.map(lambda b: f"{SESSION_COOKIE}=".encode() + b)
        | HEADER_BYTES
    )
    cookie = (
        live if data.draw(st.booleans(), label="live session") else data.draw(junk_cookie, "cookie")
    )
    right_csrf = data.draw(st.booleans(), label="right csrf")
    csrf = csrf_token.encode() if right_csrf else data.draw(HEADER_BYTES, label="csrf")
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": b"application/json"}
    body = valid_body(path, seed) if method in ("POST", "PATCH") else None
    response = await fuzz_client.request(
        method, url, content=None if body is None else dumps(body), headers=headers
    )
    fuzz_client.cookies.clear()
    assert_well_behaved(response)
    unsafe = method in ("POST", "PATCH", "DELETE") and path != "/api/v1/auth/login"
    if unsafe and not right_csrf:
        assert response.status_code in (401, 403, 404, 405, 422), response.text  # 404: "a/.."
        well_formed = all(_is_uuid(value) for value in filled_parameters(path, url))
        if cookie == live and (well_formed or response.status_code == 403):
            assert assert_error_envelope(response)["code"] == "csrf_failed"
            event("a live session without its CSRF token")


# Paths and methods ----------------------------------------------------------------------------
@EXAMPLES
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO"]),
    tail=st.lists(URL_TEXT, max_size=4),
    prefix=st.sampled_from(["/api/v1/", "/api/", "/", "/api/v1/vehicles/", "/api/v1/events/"]),
)
async def test_random_paths_and_methods(
    method: str,
    tail: list[str],
    prefix: str,
    fuzz_client: httpx.AsyncClient,
    fuzz_tenants: Tenants,
) -> None:
    path = prefix + "/".join(quote_any(part) for part in tail)
    response = await fuzz_client.request(method, path, headers=fuzz_tenants.a.owner)
    assert response.status_code < 500, response.text
    if response.status_code >= 400 and path.startswith("/api/"):
        assert_error_envelope(response)
