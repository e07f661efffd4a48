"""One simulated Teltonika tracker over TCP, behaving like the hardware where it matters.

    connect ─► IMEI packet ─► 0x01? ─► packet of ≤ N records ─► 4-byte ack (count) ─► next …
       ▲                         │ 0x00: refused               │ timeout, wrong count, drop
       └──── backoff (jittered, doubling) ◄──────────────────────┘

Records wait in a local buffer (the tracker's flash) and leave it only when the server acks
their packet with the right record count; after a reconnect the buffer's head is sent again.
So a server that dies between storing and acking sees the same records twice (it must not
duplicate them), and one that dies before storing gets them again (it must not lose them).

The records come from an iterator (a ``Track``, say), drawn when a packet has room: a finite
one makes a device that finishes once every record is acked (``run`` returns), an infinite one
a device that streams until ``stop()``. ``send_interval_s`` spaces packets out like a tracker's
sending period; 0 sends the next packet as soon as the last one is acked (a backlog upload).
Server commands (Codec 12) are not answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fleetyard.simulator.devices.link import Backoff as Backoff
from fleetyard.simulator.devices.link import Disconnected as Disconnected
from fleetyard.simulator.devices.link import dial, hang_up
from fleetyard.simulator.devices.teltonika import TeltonikaWire
from fleetyard.telematics.protocols.teltonika.codec8 import CODEC_8E, AvlRecord

AckCallback = Callable[[float, int], None]  # (seconds from send to ack, records acked)


@dataclass
class DeviceStats:
    connects: int = 0  # TCP connections opened
    connect_failures: int = 0  # refused, unreachable or timed out
    handshakes: int = 0  # IMEI accepted
    refusals: int = 0  # IMEI answered 0x00
    drops: int = 0  # open connections lost with records still to send
    packets_sent: int = 0
    records_sent: int = 0  # every transmission, resends included
    records_resent: int = 0  # transmissions of records sent before
    records_acked: int = 0


@dataclass
class SimulatedTeltonika:
    imei: str
    host: str
    port: int
    records: Iterable[AvlRecord]
    records_per_packet: int = 10
    send_interval_s: float = 0.0
    ack_timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    backoff: Backoff = field(default_factory=Backoff)
    stay_connected: bool = False  # after the last ack, hold the connection open until stop()
    codec: int = CODEC_8E
    on_ack: AckCallback | None = None
    rng: random.Random = field(default_factory=random.Random)
    stats: DeviceStats = field(default_factory=DeviceStats)
    buffer: deque[AvlRecord] = field(default_factory=deque)  # unacked, oldest first

    def __post_init__(self) -> None:
        if not 1 <= self.records_per_packet <= 255:
            raise ValueError("records_per_packet must be 1–255")
        # the fleet's Teltonika device: its bytes, its welcome and its ack (a bad IMEI fails here)
        self.wire = TeltonikaWire(self.imei, self.records_per_packet, codec=self.codec)
        self._source = iter(self.records)
        self._source_done = False
        self._sent_before = 0  # how many records at the buffer's head were already sent once
        self._stopping = asyncio.Event()

    @property
    def finished(self) -> bool:
        """Every record drawn from the source was acked, and the source is exhausted."""
        return self._source_done and not self.buffer

    def stop(self) -> None:
        """Finish the packet in flight (its ack or its timeout), send nothing more, disconnect."""
        self._stopping.set()

    async def run(self) -> None:
        """Connect, send, reconnect after failures; returns once finished (unless
        ``stay_connected``) or stopped."""
        delays = self.backoff.delays(self.rng)
        while not self._stopping.is_set():
            before = (self.stats.connect_failures, self.stats.refusals)
            handshakes = self.stats.handshakes
            try:
                await self._connection()
            except Disconnected:
                lost = (self.stats.connect_failures, self.stats.refusals) == before
                if lost and (self.buffer or not self._source_done):
                    self.stats.drops += 1
            else:
                return
            if self.stats.handshakes > handshakes:  # it got in this time: back off from scratch
                delays = self.backoff.delays(self.rng)
            await self._wait_or_stop(next(delays))

    async def _connection(self) -> None:
        reader, writer = await dial(self.host, self.port, self.connect_timeout_s, self.stats)
        try:
            await self._handshake(reader, writer)
            await self._stream(reader, writer)
            if self.stay_connected:
                await self._hold(reader)
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            raise Disconnected from exc
        finally:
            await hang_up(writer)

    async def _handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(self.wire.hello())
        try:
            async with asyncio.timeout(self.ack_timeout_s):
                await self.wire.read_welcome(reader)
        except Disconnected:
            self.stats.refusals += 1
            raise
        self.stats.handshakes += 1

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while not self._stopping.is_set():
            packet = self._next_packet()
            if not packet:
                return
            await self._send(reader, writer, packet)
            if self.send_interval_s > 0:
                await self._wait_or_stop(self.send_interval_s)

    def _next_packet(self) -> list[AvlRecord]:
        """The buffer's head, topped up from the source to a full packet."""
        missing = self.records_per_packet - len(self.buffer)
        if missing > 0 and not self._source_done:
            drawn = list(itertools.islice(self._source, missing))
            self._source_done = len(drawn) < missing
            self.buffer.extend(drawn)
        return list(itertools.islice(self.buffer, self.records_per_packet))

    async def _send(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, records: list[AvlRecord]
    ) -> None:
        count = len(records)
        resent = min(count, self._sent_before)
        self._sent_before = max(self._sent_before, count)
        self.stats.packets_sent += 1
        self.stats.records_sent += count
        self.stats.records_resent += resent
        started = time.perf_counter()
        packet = self.wire.encode_records(records)
        async with asyncio.timeout(self.ack_timeout_s):
            writer.write(packet.data)
            await writer.drain()
            for reply in packet.replies:  # short of the count, the hardware resends them all
                await self.wire.read_reply(reader, reply.token)
        latency = time.perf_counter() - started
        for _ in range(count):
            self.buffer.popleft()
        self._sent_before -= count
        self.stats.records_acked += count
        if self.on_ack is not None:
            self.on_ack(latency, count)

    async def _hold(self, reader: asyncio.StreamReader) -> None:
        """Idle on an open connection until stopped; the server closing it is a drop."""
        stopped = asyncio.ensure_future(self._stopping.wait())
        closed = asyncio.ensure_future(reader.read(1))
        try:
            await asyncio.wait({stopped, closed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (stopped, closed):
                waiter.cancel()
        if not self._stopping.is_set():
            raise Disconnected("the server closed an idle connection")

    async def _wait_or_stop(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
