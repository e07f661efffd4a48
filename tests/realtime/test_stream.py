"""Server-Sent Events at /api/v1/stream: the WebSocket's messages for clients behind proxies
that block WebSockets — per scenario (anonymous, other tenant, malformed) and valid use,
resume with Last-Event-ID, and random query strings that never get a 5xx."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fleetyard.auth.roles import Role
from fleetyard.db import Database
from tests.realtime.support import RunningApp, Tracker, record
from tests.telematics.conftest import Tracked, register_tracked

T0 = int(time.time() * 1000) - 180_000


@dataclass
class EventStream:
    response: httpx.Response
    events: list[tuple[int | None, str, dict[str, Any]]] = field(default_factory=list)

    async def next_event(self, lines: AsyncIterator[str]) -> tuple[int | None, str, dict[str, Any]]:
        seq, kind, data = None, "message", ""
        async for line in lines:
            if line.startswith("id: "):
                seq = int(line[4:])
            elif line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and data:
                event = (seq, kind, json.loads(data))
                self.events.append(event)
                return event
        raise AssertionError("the stream ended")

    async def until(self, lines: AsyncIterator[str], kind: str) -> dict[str, Any]:
        while True:
            _, got, data = await asyncio.wait_for(self.next_event(lines), 5)
            if got == kind:
                return data


@contextlib.asynccontextmanager
async def open_stream(
    app: RunningApp, headers: dict[str, str], params: dict[str, Any] | None = None
) -> AsyncIterator[tuple[EventStream, AsyncIterator[str]]]:
    async with (
        httpx.AsyncClient(base_url=app.base_url, timeout=10) as http,
        http.stream("GET", "/api/v1/stream", headers=headers, params=params) as response,
    ):
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield EventStream(response), response.aiter_lines()


async def get_error(app: RunningApp, headers: dict[str, str], params: Any = None) -> httpx.Response:
    async with httpx.AsyncClient(base_url=app.base_url, timeout=10) as http:
        return await http.get("/api/v1/stream", headers=headers, params=params)


@pytest.fixture
async def tracked(app_database: Database) -> Tracked:
    return await register_tracked(app_database, "sse")


async def test_anonymous_is_a_401(live_app: RunningApp) -> None:
    response = await get_error(live_app, {})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


async def test_another_tenants_vehicle_is_a_404(
    live_app: RunningApp, tracked: Tracked, app_database: Database
) -> None:
    other = await register_tracked(app_database, "sse-other")
    response = await get_error(live_app, other.tenant.owner, {"vehicle": str(tracked.vehicle_id)})
    assert response.status_code == 404
    assert response.json()["error"]["details"]["vehicles"] == [str(tracked.vehicle_id)]


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"vehicle": "not-a-uuid"}, {}),
        ({"min_interval_ms": "-1"}, {}),
        ({"last_event_id": "x"}, {}),
        ({}, {"Last-Event-ID": "not a number"}),
        ({}, {"Last-Event-ID": "-5"}),
    ],
)
async def test_malformed_input_is_a_422(
    live_app: RunningApp, tracked: Tracked, params: dict[str, str], headers: dict[str, str]
) -> None:
    response = await get_error(live_app, {**tracked.tenant.owner, **headers}, params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


async def test_positions_and_events_arrive_as_server_sent_events(
    live_app: RunningApp, tracked: Tracked
) -> None:
    viewer = tracked.tenant.as_(Role.VIEWER)
    params = {"vehicle": str(tracked.vehicle_id), "min_interval_ms": "0"}
    async with open_stream(live_app, viewer, params) as (stream, lines):
        welcome = await stream.until(lines, "welcome")
        assert welcome["payload"]["tenant_id"] == str(tracked.tenant.id)
        subscribed = await stream.until(lines, "subscribed")
        assert subscribed["payload"]["vehicles"] == [str(tracked.vehicle_id)]
        tracker = await Tracker.connect(live_app.ports["teltonika"], tracked.unique_id)
        await tracker.send(record(T0, 60.2, 24.95))
        position = await stream.until(lines, "vehicle.position")
        await tracker.close()
    assert position["payload"]["positions"][0]["latitude"] == 60.2
    seq = stream.events[-1][0]
    assert seq == position["seq"]


async def test_last_event_id_resumes(live_app: RunningApp, tracked: Tracked) -> None:
    headers = tracked.tenant.as_(Role.VIEWER)
    tracker = await Tracker.connect(live_app.ports["teltonika"], tracked.unique_id)
    async with open_stream(live_app, headers, {"min_interval_ms": "0"}) as (stream, lines):
        await tracker.send(record(T0, 60.3, 24.95))
        await stream.until(lines, "vehicle.position")
        last_id = stream.events[-1][0]
    await tracker.send(record(T0 + 1000, 60.3001, 24.95))
    async with httpx.AsyncClient(base_url=live_app.base_url, headers=tracked.tenant.owner) as http:
        patched = await http.patch(f"/api/v1/vehicles/{tracked.vehicle_id}", json={"name": "S1"})
        assert patched.status_code == 200
    await asyncio.sleep(0.2)
    resumed_headers = {**headers, "Last-Event-ID": str(last_id)}
    async with open_stream(live_app, resumed_headers, {"min_interval_ms": "0"}) as (again, lines):
        subscribed = await again.until(lines, "subscribed")
        missed_event = await again.until(lines, "vehicle_updated")
        missed_position = await again.until(lines, "vehicle.position")
    await tracker.close()
    assert subscribed["payload"]["resumed"] is True
    assert missed_event["payload"]["changes"]["name"]["after"] == "S1"
    assert missed_position["payload"]["positions"][0]["latitude"] == 60.3001


QUERY_NAMES = st.sampled_from(
    ["fleet", "vehicle", "group", "min_interval_ms", "last_event_id", "x", "vehicle[]"]
)
QUERY_VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(-(2**70), 2**70).map(str),
    st.uuids().map(str),
    st.sampled_from(["true", "false", "", "%00", "1e309", "NaN"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    params=st.lists(st.tuples(QUERY_NAMES, QUERY_VALUES), max_size=5),
    last_id=st.none() | st.text(max_size=30),
)
async def test_random_query_strings_never_break_it(
    live_app: RunningApp, tracked: Tracked, params: list[tuple[str, str]], last_id: str | None
) -> None:
    headers = dict(tracked.tenant.owner)
    # only what HTTP lets a client send: printable ASCII, no surrounding whitespace
    if last_id is not None and last_id.isascii() and last_id.isprintable():
        headers["Last-Event-ID"] = last_id.strip()
    async with (
        httpx.AsyncClient(base_url=live_app.base_url, timeout=10) as http,
        http.stream("GET", "/api/v1/stream", params=params, headers=headers) as response,
    ):
        assert response.status_code in (200, 404, 422), response.status_code
        if response.status_code == 200:
            first = await asyncio.wait_for(anext(response.aiter_text()), 5)
            assert first.startswith("retry:")
        else:
            body = json.loads(await response.aread())
            assert set(body["error"]) == {"code", "message", "details"}
