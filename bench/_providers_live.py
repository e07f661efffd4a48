"""The providers benchmark's map: one WebSocket client subscribed to the whole fleet, as the
browser subscribes, with the throttle off (``min_interval_ms`` 0: every fix the hub publishes,
so each record is timed rather than the newest per second). Each position is timed on arrival
against its fix time, which the fake Geotab stamps with the moment it made its answer."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from datetime import datetime

import orjson
import websockets


@dataclass
class MapClient:
    url: str
    key: str
    throttle_ms: int = 0
    positions: int = 0
    frames: int = 0
    duplicates: int = 0
    last_at: float | None = None  # when the newest position arrived
    latencies_ms: list[float] = field(default_factory=list)  # vendor answer → map
    to_pipeline_ms: list[float] = field(default_factory=list)  # vendor answer → ingest
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    closed_reason: str | None = None
    _seen: set[tuple[str, str]] = field(default_factory=set)

    async def run(self, stop: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {self.key}"}
        async with websockets.connect(
            self.url, additional_headers=headers, open_timeout=60, max_size=None
        ) as ws:
            subscribe = {"type": "subscribe", "fleet": True, "min_interval_ms": self.throttle_ms}
            await ws.send(orjson.dumps(subscribe).decode())
            reader = asyncio.create_task(self._read(ws))
            pinger = asyncio.create_task(self._ping(ws))
            try:
                await stop.wait()
            finally:
                for task in (pinger, reader):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
            self.closed_reason = ws.close_reason

    async def _read(self, ws: websockets.ClientConnection) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in ws:
                now = time.time()
                message = orjson.loads(raw)
                kind = message.get("type")
                if kind == "subscribed":
                    self.ready.set()
                elif kind == "vehicle.position":
                    self._take(message["payload"]["positions"], now)

    def _take(self, positions: list[dict[str, object]], now: float) -> None:
        self.frames += 1
        for position in positions:
            fix_text, vehicle = str(position["fix_time"]), str(position["vehicle_id"])
            key = (vehicle, fix_text)
            if key in self._seen:
                self.duplicates += 1
                continue
            self._seen.add(key)
            self.positions += 1
            fix = datetime.fromisoformat(fix_text).timestamp()
            arrived = datetime.fromisoformat(str(position["server_time"])).timestamp()
            self.latencies_ms.append((now - fix) * 1000)
            self.to_pipeline_ms.append((arrived - fix) * 1000)
        self.last_at = now

    @staticmethod
    async def _ping(ws: websockets.ClientConnection) -> None:
        while True:
            await asyncio.sleep(10)
            await ws.send('{"type":"ping"}')
