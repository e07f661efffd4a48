"""The bus that numbers live items per tenant and fans them out to every hub.

``LocalBus``: one process, in memory. ``RedisBus`` (``FLEETYARD_REDIS_URL``): every process
publishes through one Lua script that takes the tenant's next numbers and publishes the
batch in the same atomic step, so every subscriber sees each tenant's batches in ``seq``
order, whichever process published them.

Numbers start near the current time in microseconds (not at 1), so a client that resumes
with a number from before a restart is told to resync instead of being handed someone
else's continuation; they stay below 2**53, exact in JavaScript.

Live delivery is best effort by design (the event log and the snapshot endpoints are the
durable truth): a publish that fails is logged and dropped, and a subscriber that lost its
connection tells its listeners there may be a gap (``on_gap``), so clients resync.

``RedisBus.publish`` never waits for Redis: it queues the batch (bounded; the oldest are
dropped when Redis can't keep up) and one task sends what has queued up in a pipeline, in
order. So the ingest path, which publishes before it acks, never stalls on Redis.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import orjson
import redis.asyncio as aioredis

from fleetyard.realtime.frames import dumps
from fleetyard.realtime.items import LiveBatch, LiveItem

log = logging.getLogger(__name__)

BatchListener = Callable[[LiveBatch], None]
GapListener = Callable[[], None]
Interest = Callable[[uuid.UUID], bool]  # does this listener want the tenant's items?

CHANNEL = "fleetyard:live"
SEQ_KEY = "fleetyard:live:seq:"
MAX_QUEUED = 10_000  # batches waiting for Redis
PIPELINE = 200  # batches sent per round trip at most


def seq_origin() -> int:
    """Where a tenant's numbering starts: now, in microseconds since the epoch."""
    return time.time_ns() // 1000


class Bus(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, tenant_id: uuid.UUID, items: Sequence[LiveItem]) -> None: ...

    async def head(self, tenant_id: uuid.UUID) -> int:
        """The tenant's last number so far (starting its numbering if it had none)."""
        ...

    def listen(
        self,
        on_batch: BatchListener,
        on_gap: GapListener | None = None,
        wants: Interest | None = None,
    ) -> None: ...

    def wants(self, tenant_id: uuid.UUID) -> bool:
        """Could anyone use this tenant's items? (False lets a publisher skip the work.)"""
        ...


class _Listeners:
    def __init__(self) -> None:
        self.batch: list[BatchListener] = []
        self.gap: list[GapListener] = []
        self.interests: list[Interest] | None = []  # None: someone wants everything

    def add(
        self, on_batch: BatchListener, on_gap: GapListener | None, wants: Interest | None
    ) -> None:
        self.batch.append(on_batch)
        if on_gap is not None:
            self.gap.append(on_gap)
        if wants is None:
            self.interests = None
        elif self.interests is not None:
            self.interests.append(wants)

    def want(self, tenant_id: uuid.UUID) -> bool:
        return self.interests is None or any(wants(tenant_id) for wants in self.interests)

    def deliver(self, batch: LiveBatch) -> None:
        for listener in self.batch:
            try:
                listener(batch)
            except Exception:  # one broken listener must not starve the others
                log.exception("live listener failed")

    def gap_detected(self) -> None:
        for listener in self.gap:
            try:
                listener()
            except Exception:
                log.exception("live gap listener failed")


class LocalBus:
    """One process: numbers in memory, listeners called in the publisher's task."""

    def __init__(self) -> None:
        self._listeners = _Listeners()
        self._next: dict[uuid.UUID, int] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def listen(
        self,
        on_batch: BatchListener,
        on_gap: GapListener | None = None,
        wants: Interest | None = None,
    ) -> None:
        self._listeners.add(on_batch, on_gap, wants)

    def wants(self, tenant_id: uuid.UUID) -> bool:
        return self._listeners.want(tenant_id)

    async def head(self, tenant_id: uuid.UUID) -> int:
        return self._next.setdefault(tenant_id, seq_origin()) - 1

    async def publish(self, tenant_id: uuid.UUID, items: Sequence[LiveItem]) -> None:
        if not items:
            return
        first = self._next.get(tenant_id) or seq_origin()
        self._next[tenant_id] = first + len(items)
        self._listeners.deliver(LiveBatch(tenant_id, first, tuple(items)))


# KEYS[1] the tenant's counter; ARGV: count, origin, channel, body. Starts the counter at the
# origin when missing (first use, or Redis restarted empty), then publishes "<first>|<body>".
_PUBLISH = """
local count = tonumber(ARGV[1])
if redis.call('exists', KEYS[1]) == 0 then
  redis.call('set', KEYS[1], ARGV[2])
end
local last = redis.call('incrby', KEYS[1], count)
local first = last - count + 1
redis.call('publish', ARGV[3], string.format('%d', first) .. '|' .. ARGV[4])
return first
"""


_HEAD = """
if redis.call('exists', KEYS[1]) == 0 then
  redis.call('set', KEYS[1], ARGV[1])
end
return tonumber(redis.call('get', KEYS[1]))
"""


def encode_batch(tenant_id: uuid.UUID, items: Sequence[LiveItem]) -> bytes:
    return dumps(
        {
            "t": tenant_id,
            "i": [[i.kind, i.entity_type, i.vehicle_ids, i.payload, i.audience] for i in items],
        }
    )


def _decode_item(
    kind: str,
    entity_type: str,
    vehicle_ids: list[str],
    payload: dict[str, Any],
    audience: list[str] | None = None,  # absent from a batch an older process published
) -> LiveItem:
    return LiveItem(
        kind,
        entity_type,
        tuple(uuid.UUID(v) for v in vehicle_ids),
        payload,
        tuple(uuid.UUID(u) for u in audience or ()),
    )


def decode_batch(message: bytes) -> LiveBatch:
    head, _, body = message.partition(b"|")
    data: dict[str, Any] = orjson.loads(body)
    items = tuple(_decode_item(*row) for row in data["i"])
    return LiveBatch(uuid.UUID(data["t"]), int(head), items)


class RedisBus:
    """Several processes: numbering and fan-out through Redis pub/sub."""

    def __init__(self, url: str, *, reconnect_s: float = 1.0) -> None:
        self._redis = aioredis.Redis.from_url(
            url, socket_timeout=5.0, socket_connect_timeout=5.0, health_check_interval=15
        )
        self._script = self._redis.register_script(_PUBLISH)
        self._head_script = self._redis.register_script(_HEAD)
        self._listeners = _Listeners()
        self._reconnect_s = reconnect_s
        self._task: asyncio.Task[None] | None = None
        self._sender: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._outgoing: collections.deque[tuple[uuid.UUID, int, bytes]] = collections.deque(
            maxlen=MAX_QUEUED
        )
        self._queued = asyncio.Event()
        self._publish_failures = 0
        self.dropped = 0  # batches lost because Redis fell behind

    def listen(
        self,
        on_batch: BatchListener,
        on_gap: GapListener | None = None,
        wants: Interest | None = None,
    ) -> None:
        self._listeners.add(on_batch, on_gap, wants)

    def wants(self, tenant_id: uuid.UUID) -> bool:
        return True  # other processes may be listening

    async def start(self) -> None:
        self._task = asyncio.create_task(self._receive_forever(), name="live-bus-redis")
        self._sender = asyncio.create_task(self._send_forever(), name="live-bus-redis-send")
        # Wait (briefly) for the subscription, so what is published next is not missed.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), timeout=5.0)

    async def stop(self) -> None:
        for task in (self._task, self._sender):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._redis.aclose()

    async def publish(self, tenant_id: uuid.UUID, items: Sequence[LiveItem]) -> None:
        if not items:
            return
        if len(self._outgoing) == self._outgoing.maxlen:
            self.dropped += 1
        self._outgoing.append((tenant_id, len(items), encode_batch(tenant_id, items)))
        self._queued.set()

    async def _send_forever(self) -> None:
        while True:
            await self._queued.wait()
            self._queued.clear()
            while self._outgoing:
                chunk = [
                    self._outgoing.popleft() for _ in range(min(PIPELINE, len(self._outgoing)))
                ]
                await self._send(chunk)

    async def _send(self, chunk: list[tuple[uuid.UUID, int, bytes]]) -> None:
        try:
            pipe = self._redis.pipeline(transaction=False)
            for tenant_id, count, body in chunk:
                keys = [f"{SEQ_KEY}{tenant_id}"]
                await self._script(
                    keys=keys, args=[count, seq_origin(), CHANNEL, body], client=pipe
                )
            await pipe.execute()
        except (aioredis.RedisError, OSError):
            self._publish_failures += 1
            if self._publish_failures == 1 or self._publish_failures % 1000 == 0:
                log.warning("live publish failed", extra={"failures": self._publish_failures})
            return
        self._publish_failures = 0

    async def head(self, tenant_id: uuid.UUID) -> int:
        last = await self._head_script(keys=[f"{SEQ_KEY}{tenant_id}"], args=[seq_origin() - 1])
        return int(last)

    async def _receive_forever(self) -> None:
        first = True
        while True:
            try:
                await self._receive(first)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: whatever was published meanwhile is lost
                log.warning("live subscription lost; reconnecting", exc_info=True)
            first = False
            self._subscribed.clear()
            self._listeners.gap_detected()
            await asyncio.sleep(self._reconnect_s)

    async def _receive(self, first: bool) -> None:
        async with self._redis.pubsub() as pubsub:
            await pubsub.subscribe(CHANNEL)
            self._subscribed.set()
            if not first:
                self._listeners.gap_detected()
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                if message is None or message.get("type") != "message":
                    continue
                try:
                    batch = decode_batch(message["data"])
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("malformed live message dropped", extra={"error": repr(exc)[:200]})
                    continue
                self._listeners.deliver(batch)


def bus_for(redis_url: str | None) -> Bus:
    return RedisBus(redis_url) if redis_url else LocalBus()
