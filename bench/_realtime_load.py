"""The live benchmark's two loads in this process: trackers reporting at 1 Hz over Codec 8E
(each fix stamped with the moment it is sent) and WebSocket clients that time every position
they receive against that stamp."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import orjson
import websockets

from fleetyard.simulator import Backoff, SimulatedTeltonika, Track
from fleetyard.simulator.fleet import Fleet, FleetConfig
from fleetyard.telematics.protocols.teltonika.codec8 import AvlRecord

HOST = "127.0.0.1"
CONNECT_WAVE = 200


class LiveTrack:
    """A random-walk track whose every fix is stamped with the wall-clock time it is drawn
    (the tracker draws a record right before sending it), so receive time − fix time is the
    frame-to-client latency (to the millisecond the record carries)."""

    def __init__(self, rng: random.Random) -> None:
        self._track = Track(int(time.time() * 1000), rng)

    def __iter__(self) -> Iterator[AvlRecord]:
        return self

    def __next__(self) -> AvlRecord:
        record = self._track.next_record()
        return record._replace(timestamp_ms=int(time.time() * 1000))


@dataclass
class Deliveries:
    """What the clients received while ``recording``. Every frame is counted (a substring
    count, no parse); one frame in ``sample_every`` is parsed and each of its positions
    timed, so the load generator's own cost stays low on big runs."""

    recording: bool = False
    positions: int = 0
    frames: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    server_to_client_ms: list[float] = field(default_factory=list)
    sample_every: int = 1
    _seen: int = 0

    def take(self, raw: str | bytes, now: float) -> None:
        if not self.recording:
            return
        text = raw if isinstance(raw, str) else raw.decode()
        if not text.startswith('{"type":"vehicle.position"'):
            return
        self.frames += 1
        self.positions += text.count('"vehicle_id"')
        self._seen += 1
        if self._seen % self.sample_every:
            return
        for position in orjson.loads(text)["payload"]["positions"]:
            fix = datetime.fromisoformat(position["fix_time"]).timestamp()
            received = datetime.fromisoformat(position["server_time"]).timestamp()
            self.latencies_ms.append((now - fix) * 1000)
            self.server_to_client_ms.append((now - received) * 1000)


@dataclass
class Watcher:
    url: str
    key: str
    subscription: dict[str, object]
    deliveries: Deliveries
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    closed_reason: str | None = None

    async def run(self, stop: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {self.key}"}
        async with websockets.connect(
            self.url, additional_headers=headers, open_timeout=60, max_size=None
        ) as ws:
            await ws.send(orjson.dumps({"type": "subscribe", **self.subscription}).decode())
            pinger = asyncio.create_task(self._ping(ws))
            reader = asyncio.create_task(self._read(ws))
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
                if not self.ready.is_set() and b'"subscribed"' in (
                    raw if isinstance(raw, bytes) else raw.encode()
                ):
                    self.ready.set()
                self.deliveries.take(raw, time.time())

    @staticmethod
    async def _ping(ws: websockets.ClientConnection) -> None:
        while True:
            await asyncio.sleep(10)
            await ws.send('{"type":"ping"}')


def trackers(port: int, imeis: list[str], seed: int, interval_s: float) -> list[SimulatedTeltonika]:
    return [
        SimulatedTeltonika(
            imei=imei,
            host=HOST,
            port=port,
            records=LiveTrack(random.Random(seed + n)),
            records_per_packet=1,
            send_interval_s=interval_s,
            ack_timeout_s=60.0,
            backoff=Backoff(initial_s=0.5, maximum_s=5.0),
            rng=random.Random(seed + n),
        )
        for n, imei in enumerate(imeis)
    ]


async def start_staggered(
    devices: list[SimulatedTeltonika], over_s: float
) -> list[asyncio.Task[None]]:
    """Start the trackers spread over ``over_s`` (real fleets don't report in lockstep)."""
    tasks = []
    pause = over_s / max(len(devices), 1)
    for device in devices:
        tasks.append(asyncio.create_task(device.run()))
        await asyncio.sleep(pause)
    return tasks


async def connect_watchers(
    watchers: list[Watcher], stop: asyncio.Event
) -> list[asyncio.Task[None]]:
    tasks: list[asyncio.Task[None]] = []
    for first in range(0, len(watchers), CONNECT_WAVE):
        wave = watchers[first : first + CONNECT_WAVE]
        tasks += [asyncio.create_task(w.run(stop)) for w in wave]
        await asyncio.wait_for(asyncio.gather(*(w.ready.wait() for w in wave)), 120)
    return tasks


class MixedFleet:
    """The demo simulator as the load: vehicles on the road graph, each device on its own
    protocol (Teltonika, GT06, H02, OsmAnd) with its resend buffer. Its fixes are taken on
    whole-second ticks and sent at once, so their fix time is also their send time."""

    def __init__(self, config: FleetConfig) -> None:
        self.fleet = Fleet(config)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.fleet.run())

    @property
    def acked(self) -> int:
        return self.fleet.stats.links.acked

    async def stop(self) -> None:
        self.fleet.stop()
        if self.task is not None:
            await asyncio.wait_for(self.task, 60)


class TeltonikaLoad:
    """Codec 8E trackers, one fix per packet at ``interval_s``, started spread over one
    interval (real fleets don't report in lockstep)."""

    def __init__(self, port: int, imeis: list[str], seed: int, interval_s: float) -> None:
        self.devices = trackers(port, imeis, seed, interval_s)
        self.interval_s = interval_s
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.tasks = await start_staggered(self.devices, over_s=self.interval_s)

    @property
    def acked(self) -> int:
        return sum(d.stats.records_acked for d in self.devices)

    async def stop(self) -> None:
        for device in self.devices:
            device.stop()
        await asyncio.wait_for(asyncio.gather(*self.tasks, return_exceptions=True), 120)
