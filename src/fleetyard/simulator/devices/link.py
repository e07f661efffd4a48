"""A simulated device's connection, whatever its protocol: a bounded buffer of unacknowledged
readings, sent in batches and dropped only once the server acknowledges them.

    record(reading) ─► buffer (oldest evicted when full, like a tracker's flash)
                          │
    connect ─► hello ─► send a batch ─► read replies ─► drop what they acknowledge ─► …
       ▲                                    │ timeout, wrong reply, close
       └──── backoff (jittered, doubling) ◄─┘

A ``Wire`` is the protocol's part: the opening bytes, the bytes of a batch, and how to read
one reply. Each reply acknowledges a known number of the batch's readings (its ack point):
Teltonika's record count acknowledges the packet, an H02 or OsmAnd reply one sentence or
request, a GT06 heartbeat reply everything sent before it. What is not acknowledged when the
line drops stays at the buffer's head and is sent again after the reconnect.

One asyncio task per device and no thread; the per-device state is the buffer and a few
counters, so one process drives thousands.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from fleetyard.simulator.reading import Reading

DEFAULT_BUFFER = 600  # readings kept while the server is away (10 minutes at 1 Hz)


class Disconnected(Exception):
    """This connection is over (dropped, refused, silent, or answered wrongly); try again."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits between connection attempts: ``initial`` doubling up to ``maximum``, each drawn
    uniformly from [½, 1] of that so a fleet cut off at once does not return in lockstep."""

    initial_s: float = 1.0
    maximum_s: float = 60.0

    def delays(self, rng: random.Random) -> Iterator[float]:
        delay = self.initial_s
        while True:
            yield delay * rng.uniform(0.5, 1.0)
            delay = min(delay * 2, self.maximum_s)


class ConnectCounts(Protocol):
    connects: int
    connect_failures: int


async def dial(
    host: str, port: int, timeout_s: float, counts: ConnectCounts
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TCP connection to the server, counted; Disconnected (and counted as a failure) when
    refused, unreachable or too slow."""
    try:
        line = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    except (OSError, TimeoutError) as exc:
        counts.connect_failures += 1
        raise Disconnected from exc
    counts.connects += 1
    return line


async def hang_up(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()


@dataclass(frozen=True, slots=True)
class ExpectedReply:
    acknowledges: int  # once it arrives, this many of the batch's readings are stored
    token: bytes  # what identifies it (the wire knows how to compare)


@dataclass(frozen=True, slots=True)
class Batch:
    data: bytes
    replies: tuple[ExpectedReply, ...]  # in the order the server sends them


class Wire(Protocol):
    """The device side of one protocol (each implementation is pure except ``read_*``)."""

    @property
    def protocol(self) -> str: ...

    @property
    def unique_id(self) -> str: ...

    @property
    def max_batch(self) -> int:
        """Readings per batch (one packet, or that many frames/requests back to back)."""
        ...

    def hello(self) -> bytes:
        """What to send right after connecting (login, IMEI packet), or b""."""
        ...

    async def read_welcome(self, reader: asyncio.StreamReader) -> None:
        """Wait for the server's answer to ``hello``; raise Disconnected if refused."""
        ...

    def encode(self, readings: Sequence[Reading]) -> Batch: ...

    async def read_reply(self, reader: asyncio.StreamReader, expected: bytes) -> None:
        """Read one reply to the batch; raise Disconnected unless it matches ``expected``."""
        ...


@dataclass
class LinkStats:
    connects: int = 0
    connect_failures: int = 0
    drops: int = 0  # connections lost (or refused) after connecting
    sent: int = 0  # readings transmitted, resends included
    resent: int = 0
    acked: int = 0
    evicted: int = 0  # lost to a full buffer before they could be acknowledged


@dataclass(eq=False)
class DeviceLink:
    wire: Wire
    host: str
    port: int
    buffer_size: int = DEFAULT_BUFFER
    backoff: Backoff = field(default_factory=Backoff)
    rng: random.Random = field(default_factory=random.Random)
    reply_timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    stats: LinkStats = field(default_factory=LinkStats)

    def __post_init__(self) -> None:
        self._buffer: deque[tuple[int, Reading]] = deque()  # (sequence, reading), oldest first
        self._recorded = 0  # sequence numbers handed out
        self._highest_sent = -1
        self._wakeup = asyncio.Event()
        self._stopping = False

    @property
    def unacked(self) -> int:
        return len(self._buffer)

    @property
    def recorded(self) -> int:
        """Readings handed to this device so far."""
        return self._recorded

    def record(self, reading: Reading) -> None:
        """A new reading for the buffer; the oldest one goes if it is full."""
        if len(self._buffer) >= self.buffer_size:
            self._buffer.popleft()
            self.stats.evicted += 1
        self._buffer.append((self._recorded, reading))
        self._recorded += 1
        self._wakeup.set()

    def stop(self) -> None:
        """Send what is buffered while the connection holds (each batch gets its replies or
        their timeout), then disconnect; no reconnecting."""
        self._stopping = True
        self._wakeup.set()

    async def run(self) -> None:
        delays = self.backoff.delays(self.rng)
        while not self._stopping:
            try:
                if await self._connection():
                    delays = self.backoff.delays(self.rng)  # it got in: back off from scratch
            except Disconnected:
                pass
            if self._stopping:
                return
            await self._sleep(next(delays))

    async def _connection(self) -> bool:
        """One connection, until it drops or the link stops; True if it got past hello."""
        reader, writer = await dial(self.host, self.port, self.connect_timeout_s, self.stats)
        welcomed = False
        try:
            writer.write(self.wire.hello())
            async with asyncio.timeout(self.reply_timeout_s):
                await self.wire.read_welcome(reader)
            welcomed = True
            await self._stream(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            self.stats.drops += 1
        except Disconnected:
            self.stats.drops += 1
        finally:
            await hang_up(writer)
        return welcomed

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            if not self._buffer:
                if self._stopping:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            batch = list(itertools.islice(self._buffer, self.wire.max_batch))
            outgoing = self.wire.encode([reading for _, reading in batch])
            self._count_sent([sequence for sequence, _ in batch])
            async with asyncio.timeout(self.reply_timeout_s):
                writer.write(outgoing.data)
                await writer.drain()
                for reply in outgoing.replies:
                    await self.wire.read_reply(reader, reply.token)
                    self._acknowledge(batch[reply.acknowledges - 1][0])

    def _count_sent(self, sequences: list[int]) -> None:
        self.stats.sent += len(sequences)
        self.stats.resent += sum(1 for s in sequences if s <= self._highest_sent)
        self._highest_sent = max(self._highest_sent, sequences[-1])

    def _acknowledge(self, through: int) -> None:
        """Drop every buffered reading up to sequence ``through`` (some may be evicted)."""
        while self._buffer and self._buffer[0][0] <= through:
            self._buffer.popleft()
            self.stats.acked += 1

    async def _sleep(self, seconds: float) -> None:
        self._wakeup.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup_on_stop(), seconds)

    async def _wakeup_on_stop(self) -> None:
        while not self._stopping:
            self._wakeup.clear()
            await self._wakeup.wait()
