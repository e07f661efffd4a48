"""Any body sent to dispatch a plan or to record a stop's progress is answered with a
result or a 4xx naming what is wrong, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Tenants
from tests.dispatch.helpers import Setup, dispatch, setup

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["van1", "van2", "j1", "2026-12-05T08:00:00Z", "image/jpeg", "arrive"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=8,
)
keys = st.sampled_from(
    ["start_at", "routes", "jobs", "note", "photo", "at", "vehicle", "vehicle_id", "x"]
)
bodies = st.one_of(values, st.dictionaries(keys, values, max_size=4))


@pytest.fixture
async def ready(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> tuple[Setup, dict[str, Any]]:
    s = await setup(client, db_session, tenants.a)
    return s, await dispatch(client, tenants.a, s.plan_id)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies, action=st.sampled_from(["arrive", "complete", "fail"]), which=st.integers(0, 1))
async def test_random_bodies_never_fail_the_server(
    client: httpx.AsyncClient,
    tenants: Tenants,
    ready: tuple[Setup, dict[str, Any]],
    body: Any,
    action: str,
    which: int,
) -> None:
    s, out = ready
    planned = await client.post(
        f"/api/v1/route-plans/{s.plan_id}/dispatch", json=body, headers=tenants.a.owner
    )
    assert planned.status_code in (409, 422), planned.text  # dispatched already, or invalid
    assert "error" in planned.json()
    route = out["routes"][0]
    stop = route["stops"][which]
    url = f"/api/v1/dispatch/routes/{route['id']}/stops/{stop['id']}/{action}"
    response = await client.post(url, json=body, headers=s.users[0])
    assert response.status_code in (200, 409, 413, 415, 422), response.text
    assert response.status_code == 200 or "error" in response.json()
