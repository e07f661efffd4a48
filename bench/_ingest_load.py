"""The two loads: trackers streaming backlogs (closed loop: the next packet once the last one is
acked, as a tracker uploads its buffer) and trackers that only hold an idle connection."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from _server import Usage, UsageMeter, rss_bytes
from fleetyard.simulator import Backoff, SimulatedTeltonika, Track

HOST = "127.0.0.1"
CONNECT_WAVE = 500  # idle connections opened at once (the listen backlog is 1,024)


@dataclass
class AckLog:
    """Acks seen while ``recording``: each packet's send → ack time and the records acked."""

    recording: bool = False
    records: int = 0
    latencies_s: list[float] = field(default_factory=list)

    def __call__(self, latency_s: float, records: int) -> None:
        if self.recording:
            self.records += records
            self.latencies_s.append(latency_s)


@dataclass(frozen=True, slots=True)
class StreamRun:
    devices: int
    window_s: float
    acked_in_window: int
    latencies_s: list[float]
    usage: Usage
    acked_total: int  # over the whole run, warm-up included
    resent: int
    drops: int
    connect_failures: int

    @property
    def records_per_s(self) -> float:
        return self.acked_in_window / self.window_s


@dataclass(frozen=True, slots=True)
class IdleRun:
    connections: int
    rss_before: int
    rss_after: int
    usage: Usage  # while holding them

    @property
    def bytes_per_connection(self) -> float:
        return (self.rss_after - self.rss_before) / max(self.connections, 1)


async def _until(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Poll ``condition()`` every 50 ms; False if it never held."""
    for _ in range(int(timeout_s / 0.05)):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return bool(condition())


def _handshaken(devices: list[SimulatedTeltonika]) -> int:
    return sum(1 for d in devices if d.stats.handshakes)


async def stream(
    port: int,
    imeis: list[str],
    meter: UsageMeter,
    *,
    packet: int,
    interval_s: float,
    warmup_s: float,
    duration_s: float,
    seed: int,
) -> StreamRun:
    log = AckLog()
    start_ms = (int(time.time()) - 6 * 3600) * 1000  # a backlog: hours old, never in the future
    devices = [
        SimulatedTeltonika(
            imei=imei,
            host=HOST,
            port=port,
            records=Track(start_ms, random.Random(seed + n)),
            records_per_packet=packet,
            send_interval_s=interval_s,
            ack_timeout_s=60.0,
            backoff=Backoff(initial_s=0.5, maximum_s=5.0),
            rng=random.Random(seed + n),
            on_ack=log,
        )
        for n, imei in enumerate(imeis)
    ]
    tasks = [asyncio.create_task(d.run()) for d in devices]
    try:
        if not await _until(lambda: _handshaken(devices) == len(devices), 60):
            raise RuntimeError(f"only {_handshaken(devices)}/{len(devices)} devices got in")
        await asyncio.sleep(warmup_s)
        log.recording = True
        meter.start()
        started = time.perf_counter()
        await asyncio.sleep(duration_s)
        log.recording = False
        window = time.perf_counter() - started
        usage = await meter.stop()
    finally:
        for device in devices:
            device.stop()  # each finishes its packet in flight: nothing is left half-acked
        await asyncio.wait_for(asyncio.gather(*tasks), 120)
    return StreamRun(
        devices=len(devices),
        window_s=window,
        acked_in_window=log.records,
        latencies_s=log.latencies_s,
        usage=usage,
        acked_total=sum(d.stats.records_acked for d in devices),
        resent=sum(d.stats.records_resent for d in devices),
        drops=sum(d.stats.drops for d in devices),
        connect_failures=sum(d.stats.connect_failures for d in devices),
    )


async def hold_idle(
    port: int, imeis: list[str], server_pid: int, meter: UsageMeter, *, hold_s: float
) -> IdleRun:
    """Open a handshaken connection per IMEI (in waves), then hold them all for ``hold_s``."""
    await asyncio.sleep(1.0)  # let the fresh server settle before its baseline
    rss_before = rss_bytes(server_pid)
    devices: list[SimulatedTeltonika] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        for first in range(0, len(imeis), CONNECT_WAVE):
            wave = [
                SimulatedTeltonika(
                    imei=imei,
                    host=HOST,
                    port=port,
                    records=(),
                    stay_connected=True,
                    backoff=Backoff(initial_s=0.5, maximum_s=5.0),
                )
                for imei in imeis[first : first + CONNECT_WAVE]
            ]
            devices.extend(wave)
            tasks.extend(asyncio.create_task(d.run()) for d in wave)
            await _until(lambda: _handshaken(devices) == len(devices), 60)
        connected = _handshaken(devices)
        await asyncio.sleep(2.0)
        meter.start()
        await asyncio.sleep(hold_s)
        usage = await meter.stop()
        rss_after = rss_bytes(server_pid)
    finally:
        for device in devices:
            device.stop()
        await asyncio.wait_for(asyncio.gather(*tasks), 120)
    return IdleRun(connected, rss_before, rss_after, usage)
