"""The simulated tracker against a scripted peer (the real pure session behind a socket): records
leave its buffer only on the right ack, and whatever was not acked is sent again after a
reconnect; its tracks pass the server's sanity rules."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from fleetyard.simulator import Backoff, SimulatedTeltonika, Track
from fleetyard.telematics.ingest.validation import LastFix, invalid_reason
from fleetyard.telematics.protocols.base import Identified, PositionsDecoded
from fleetyard.telematics.protocols.teltonika import TeltonikaSession, to_position

IMEI = "356307042441013"
START_MS = 1_700_000_000_000
FAST = Backoff(initial_s=0.01, maximum_s=0.05)

# What the peer does with the n-th packet of a connection: ack it, drop the line, or miscount.
Answer = Callable[[int, int], bytes | None]  # (connection number, record count) → reply or None


def ack(_connection: int, count: int) -> bytes | None:
    return count.to_bytes(4, "big")


@dataclass
class ScriptedPeer:
    answer: Answer = ack
    accept: bool = True
    connections: int = 0
    packets: list[tuple[int, list[int]]] = field(default_factory=list)  # (connection, fix ms)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        connection = self.connections
        session = TeltonikaSession()
        try:
            while data := await reader.read(4096):
                for event in session.receive_data(data):
                    if isinstance(event, Identified):
                        writer.write(session.accept() if self.accept else session.reject())
                    elif isinstance(event, PositionsDecoded):
                        times = [round(p.fix_time.timestamp() * 1000) for p in event.positions]
                        self.packets.append((connection, times))
                        reply = self.answer(connection, len(times))
                        if reply is None:
                            return
                        writer.write(reply)
        finally:
            writer.close()


@pytest.fixture
async def peer() -> AsyncIterator[tuple[ScriptedPeer, int]]:
    script = ScriptedPeer()
    server = await asyncio.start_server(script.handle, "127.0.0.1", 0)
    yield script, server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


def device(port: int, records: int, **options: object) -> SimulatedTeltonika:
    track = itertools.islice(Track(START_MS, random.Random(1)), records)
    return SimulatedTeltonika(
        IMEI,
        "127.0.0.1",
        port,
        track,
        backoff=FAST,
        ack_timeout_s=2.0,
        **options,  # type: ignore[arg-type]
    )


def fixes(first: int, last: int) -> list[int]:
    return [START_MS + 1000 * i for i in range(first, last)]


async def test_records_leave_the_buffer_only_when_acked(peer: tuple[ScriptedPeer, int]) -> None:
    script, port = peer
    latencies: list[float] = []
    tracker = device(port, 25, on_ack=lambda seconds, _: latencies.append(seconds))
    await asyncio.wait_for(tracker.run(), 10)
    assert [times for _, times in script.packets] == [
        fixes(0, 10),
        fixes(10, 20),
        fixes(20, 25),
    ]
    assert tracker.finished and not tracker.buffer
    assert (tracker.stats.records_acked, tracker.stats.records_resent) == (25, 0)
    assert len(latencies) == 3


async def test_a_packet_dropped_before_its_ack_is_sent_again(
    peer: tuple[ScriptedPeer, int],
) -> None:
    script, port = peer
    script.answer = lambda connection, count: None if connection == 1 else ack(connection, count)
    tracker = device(port, 25)
    await asyncio.wait_for(tracker.run(), 10)
    assert script.packets == [
        (1, fixes(0, 10)),  # stored or not, never acked: the line dropped
        (2, fixes(0, 10)),
        (2, fixes(10, 20)),
        (2, fixes(20, 25)),
    ]
    stats = tracker.stats
    assert (stats.connects, stats.handshakes, stats.drops) == (2, 2, 1)
    assert (stats.records_sent, stats.records_resent, stats.records_acked) == (35, 10, 25)


async def test_a_wrong_ack_count_keeps_the_records(peer: tuple[ScriptedPeer, int]) -> None:
    script, port = peer
    script.answer = lambda connection, count: ack(connection, count - (connection == 1))
    tracker = device(port, 10)
    await asyncio.wait_for(tracker.run(), 10)
    assert script.packets == [(1, fixes(0, 10)), (2, fixes(0, 10))]
    assert tracker.stats.records_acked == 10


async def test_a_refused_device_keeps_trying_until_stopped(
    peer: tuple[ScriptedPeer, int],
) -> None:
    script, port = peer
    script.accept = False
    tracker = device(port, 10)
    task = asyncio.create_task(tracker.run())
    await asyncio.sleep(0.3)
    tracker.stop()
    await asyncio.wait_for(task, 5)
    assert tracker.stats.refusals >= 2 and tracker.stats.handshakes == 0
    assert tracker.stats.drops == 0
    assert not script.packets and len(tracker.buffer) == 0  # nothing drawn before getting in


async def test_an_unreachable_server_is_retried_with_backoff() -> None:
    closed = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = closed.sockets[0].getsockname()[1]
    closed.close()
    await closed.wait_closed()
    tracker = device(port, 10)
    task = asyncio.create_task(tracker.run())
    await asyncio.sleep(0.3)
    tracker.stop()
    await asyncio.wait_for(task, 5)
    assert tracker.stats.connect_failures >= 3 and tracker.stats.drops == 0


async def test_an_idle_device_holds_its_connection_until_stopped(
    peer: tuple[ScriptedPeer, int],
) -> None:
    script, port = peer
    tracker = device(port, 0, stay_connected=True)
    task = asyncio.create_task(tracker.run())
    await asyncio.sleep(0.2)
    assert not task.done() and tracker.stats.handshakes == 1 and tracker.finished
    tracker.stop()
    await asyncio.wait_for(task, 5)
    assert script.connections == 1 and not script.packets


def test_backoff_doubles_up_to_its_maximum_with_jitter() -> None:
    delays = list(itertools.islice(Backoff(1.0, 8.0).delays(random.Random(3)), 6))
    for delay, ceiling in zip(delays, [1, 2, 4, 8, 8, 8], strict=True):
        assert ceiling / 2 <= delay <= ceiling


def test_a_track_is_a_plausible_drive() -> None:
    records = list(itertools.islice(Track(START_MS, random.Random(7)), 600))
    assert [r.timestamp_ms for r in records] == fixes(0, 600)
    previous: LastFix | None = None
    now = datetime.now(UTC)
    for record in records:
        position = to_position(IMEI, record)
        assert invalid_reason(position, previous, now) is None
        previous = LastFix(position.fix_time, position.latitude, position.longitude)
        assert position.ignition is True and 0 <= (position.speed_kmh or 0) <= 130
