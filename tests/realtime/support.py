"""The whole product in the test's event loop: the app under uvicorn on a free port, with the
device gateway (Teltonika on a free port) and the live hub, on the test database; devices
that speak real Codec 8E; and a WebSocket client that collects what arrives."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
import websockets
from fastapi import FastAPI

from fleetyard.app import create_app
from fleetyard.config import Settings
from fleetyard.simulator.track import E7
from fleetyard.telematics.protocols.teltonika.codec8 import AvlRecord, IoValue
from fleetyard.telematics.protocols.teltonika.encoder import encode_avl_packet, encode_imei_packet

COOLANT_IO = 32


@dataclass
class RunningApp:
    app: FastAPI
    base_url: str
    ports: dict[str, int]

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/api/v1/ws"


def live_settings(settings: Settings, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "teltonika_port": 0,
        "gateway_host": "127.0.0.1",
        "live_batch_ms": 20.0,
        "ingest_batch_delay_ms": 1.0,
        **overrides,
    }
    return settings.model_copy(update=values)


@contextlib.asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[RunningApp]:
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        assert server.started, "the app did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        telematics = app.state.telematics
        ports = dict(telematics.ports) if telematics is not None else {}
        yield RunningApp(app, f"http://127.0.0.1:{port}", ports)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


def record(
    at_ms: int, lat: float, lon: float, speed: int = 40, io: dict[int, int] | None = None
) -> AvlRecord:
    return AvlRecord(
        timestamp_ms=at_ms,
        priority=0,
        longitude_e7=round(lon * E7),
        latitude_e7=round(lat * E7),
        altitude_m=20,
        angle=90,
        satellites=9,
        speed_kmh=speed,
        event_io_id=0,
        generation_type=None,
        io={k: IoValue(v.to_bytes(2, "big", signed=True)) for k, v in (io or {}).items()},
    )


class Tracker:
    """A Teltonika tracker on a real TCP connection; each send waits for its ack."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.sent_at: dict[int, float] = {}  # fix time (ms) → when it left

    @classmethod
    async def connect(cls, port: int, imei: str) -> Tracker:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(encode_imei_packet(imei))
        assert await asyncio.wait_for(reader.readexactly(1), 5) == b"\x01"
        return cls(reader, writer)

    async def send(self, *records: AvlRecord) -> None:
        now = time.perf_counter()
        for r in records:
            self.sent_at[r.timestamp_ms] = now
        self.writer.write(encode_avl_packet(list(records)))
        ack = await asyncio.wait_for(self.reader.readexactly(4), 5)
        assert int.from_bytes(ack, "big") == len(records)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


@dataclass
class Socket:
    """A WebSocket client that keeps every message it receives."""

    ws: websockets.ClientConnection
    received: list[dict[str, Any]] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _reader: asyncio.Task[None] | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, url: str, **kwargs: Any) -> AsyncIterator[Socket]:
        async with websockets.connect(url, open_timeout=5, **kwargs) as ws:
            socket = cls(ws)
            socket._reader = asyncio.create_task(socket._read())
            try:
                yield socket
            finally:
                socket._reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await socket._reader

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                self.received.append(json.loads(raw))
                self._arrived.set()

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], within_s: float = 5.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + within_s
        seen = 0
        while True:
            for message in self.received[seen:]:
                if predicate(message):
                    return message
            seen = len(self.received)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching message; received: {self.received}")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), left)

    def of_type(self, type_: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m["type"] == type_]

    def positions(self) -> list[dict[str, Any]]:
        return [p for m in self.of_type("vehicle.position") for p in m["payload"]["positions"]]

    async def subscribe(self, **fields: Any) -> dict[str, Any]:
        request_id = uuid.uuid4().hex[:8]
        await self.send({"type": "subscribe", "id": request_id, **fields})
        return await self.wait_for(
            lambda m: m["type"] == "subscribed" and m["payload"]["id"] == request_id
        )


async def refused(url: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    """Open a connection the server refuses: the handshake's HTTP status and error body."""
    try:
        async with websockets.connect(url, open_timeout=5, **kwargs):
            pass
    except websockets.InvalidStatus as exc:
        body: dict[str, Any] = json.loads(exc.response.body or b"{}")
        return exc.response.status_code, body["error"]
    raise AssertionError("the server accepted the connection")


def bearer(key: str) -> dict[str, Any]:
    return {"additional_headers": {"Authorization": f"Bearer {key}"}}
