"""Many nodes: a device connected to one process (the gateway), a WebSocket client on
another (the API), the stream shared through Redis pub/sub — positions arrive in order, and
record events and alerts from either process reach the client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from fleetyard.auth.roles import Role
from fleetyard.db import Database
from tests.processes import ServeProcess, free_port
from tests.realtime.support import COOLANT_IO, Socket, Tracker, bearer, record
from tests.telematics.conftest import register_tracked

pytestmark = pytest.mark.slow

REDIS_URL = "redis://127.0.0.1:6379/0"
T0 = int(time.time() * 1000) - 300_000


@pytest.fixture
async def two_nodes(
    database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[ServeProcess, ServeProcess, int]]:
    device_port = free_port()
    shared = {"redis_url": REDIS_URL, "live_batch_ms": "20"}
    gateway = ServeProcess(
        "gateway",
        database_url,
        free_port(),
        tmp_path,
        {**shared, "teltonika_port": str(device_port)},
    )
    api = ServeProcess("api", database_url, free_port(), tmp_path, shared)
    try:
        await asyncio.gather(gateway.start(), api.start())
        yield gateway, api, device_port
    finally:
        await asyncio.gather(gateway.stop(), api.stop())


async def test_a_device_on_one_node_reaches_a_client_on_another_in_order(
    two_nodes: tuple[ServeProcess, ServeProcess, int], app_database: Database
) -> None:
    _, api, device_port = two_nodes
    tracked = await register_tracked(app_database, "nodes")
    ws_url = f"ws://127.0.0.1:{api.http_port}/api/v1/ws"
    async with Socket.open(ws_url, **bearer(tracked.tenant.keys[Role.VIEWER].key)) as ws:
        await ws.subscribe(vehicles=[str(tracked.vehicle_id)], min_interval_ms=0)
        tracker = await Tracker.connect(device_port, tracked.unique_id)
        for i in range(30):
            await tracker.send(record(T0 + i * 1000, 60.15 + i * 0.0001, 24.93))
        await ws.wait_for(lambda _: len(ws.positions()) >= 30, within_s=10)
        await tracker.send(record(T0 + 31_000, 60.153, 24.93, io={COOLANT_IO: 118}))
        opened = await ws.wait_for(lambda m: m["type"] == "alert.opened", within_s=10)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{api.http_port}", headers=tracked.tenant.owner
        ) as http:
            patched = await http.patch(f"/api/v1/vehicles/{tracked.vehicle_id}", json={"name": "N"})
            assert patched.status_code == 200
        await ws.wait_for(lambda m: m["type"] == "vehicle_updated", within_s=10)
        await tracker.close()
    positions = ws.positions()[:30]
    assert [round(p["latitude"], 4) for p in positions] == [
        round(60.15 + i * 0.0001, 4) for i in range(30)
    ]
    seqs = [m["seq"] for m in ws.received if m["type"] != "welcome"]
    numbered = [s for s in seqs if s > 0]
    assert [p["seq"] for p in positions] == sorted(p["seq"] for p in positions)
    assert numbered
    assert opened["payload"]["vehicle_id"] == str(tracked.vehicle_id)
