"""fleetyard.client.LiveClient against the real server, through a TCP proxy the test can cut:
it subscribes, survives the cut (backoff with jitter), resubscribes and resumes without gaps,
sends what was queued while it was away, and gives up at once on a refused key."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time

import httpx
import pytest

from fleetyard.auth.roles import Role
from fleetyard.client import Backoff, LiveAuthError, LiveClient, LiveMessage
from fleetyard.db import Database
from tests.realtime.support import RunningApp, Tracker, record
from tests.telematics.conftest import register_tracked

T0 = int(time.time() * 1000) - 240_000


class Proxy:
    """127.0.0.1:<port> → the app; ``cut()`` drops every connection and refuses new ones
    until ``restore()``."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.up = True
        self.accepted = 0
        self._pipes: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.close()
            return
        self.accepted += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        pipes = [
            asyncio.create_task(self._pipe(reader, up_writer)),
            asyncio.create_task(self._pipe(up_reader, writer)),
        ]
        self._pipes.update(pipes)
        # one side hung up: hang up the other too, as a real hop would
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for pipe in pipes:
            pipe.cancel()
        for w in (writer, up_writer):
            w.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()

    def cut(self) -> None:
        self.up = False
        for pipe in self._pipes:
            pipe.cancel()
        self._pipes.clear()

    def restore(self) -> None:
        self.up = True

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


async def next_of(client: LiveClient, type_: str, within_s: float = 5.0) -> LiveMessage:
    deadline = time.monotonic() + within_s
    while True:
        message = await client.next(max(0.01, deadline - time.monotonic()))
        if message.type == type_:
            return message


def test_backoff_doubles_with_jitter_up_to_its_ceiling() -> None:
    backoff = Backoff(initial_s=1.0, maximum_s=8.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(6)]
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == 6  # jittered, not lockstep
    backoff.reset()
    assert backoff.next_delay() <= 1.0


async def test_the_client_reconnects_resubscribes_and_resumes_without_gaps(
    live_app: RunningApp, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "client")
    app_port = int(live_app.base_url.rsplit(":", 1)[1])
    proxy = Proxy(app_port)
    url = f"ws://127.0.0.1:{await proxy.start()}/api/v1/ws"
    tracker = await Tracker.connect(live_app.ports["teltonika"], tracked.unique_id)
    backoff = Backoff(initial_s=0.05, maximum_s=0.4)
    key = tracked.tenant.keys[Role.FLEET_MANAGER].key
    async with LiveClient(url, api_key=key, backoff=backoff, ping_every_s=0.5) as client:
        await client.subscribe(fleet=True, min_interval_ms=0)
        await next_of(client, "subscribed")
        await tracker.send(record(T0, 60.25, 24.90))
        await next_of(client, "vehicle.position")

        proxy.cut()  # the network drops
        await asyncio.sleep(0.1)
        await client.send({"type": "ping", "id": "queued-while-away"})
        async with httpx.AsyncClient(
            base_url=live_app.base_url, headers=tracked.tenant.owner
        ) as http:
            for name in ("Away 1", "Away 2", "Away 3"):
                response = await http.patch(
                    f"/api/v1/vehicles/{tracked.vehicle_id}", json={"name": name}
                )
                assert response.status_code == 200
        await tracker.send(record(T0 + 1000, 60.2501, 24.90))
        await asyncio.sleep(0.6)  # a few refused attempts
        proxy.restore()

        resubscribed = await next_of(client, "subscribed")
        assert resubscribed.payload["resumed"] is True
        assert resubscribed.payload["fleet"] is True
        names = []
        for _ in range(3):
            names.append(
                (await next_of(client, "vehicle_updated")).payload["changes"]["name"]["after"]
            )
        missed = await next_of(client, "vehicle.position")
        pong = await next_of(client, "pong")
    await tracker.close()
    await proxy.close()
    assert names == ["Away 1", "Away 2", "Away 3"]
    assert missed.payload["positions"][0]["latitude"] == 60.2501
    assert pong.payload["id"] == "queued-while-away"
    assert client.connections == 2
    assert proxy.accepted == 2  # the refused attempts never reached the server


async def test_a_refused_key_is_not_retried(live_app: RunningApp) -> None:
    async with LiveClient(
        live_app.ws_url, api_key="fy_wrong", backoff=Backoff(0.01, 0.02)
    ) as client:
        with pytest.raises(LiveAuthError):
            await client.next(5)
        assert client.connections == 0
