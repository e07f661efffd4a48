"""The shared tier: Redis, plus the invalidation channel.

Values are stored with their tags' sets (``SADD tag key``); invalidating a tag deletes its
keys and the set in one script, which also publishes the tags on a channel so every node
drops its memory copies. Errors surface as :class:`SharedTierDown`; the cache decides what
degraded means.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable

import orjson
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from fleetyard.cache.keys import PREFIX

log = logging.getLogger(__name__)

CHANNEL = "fleetyard:cache:invalidate"
TAG_TTL_S = 24 * 3600  # a tag set outlives every entry it lists
TIMEOUT_S = 0.5  # a Redis that answers slower than this is treated as down
FORGET_TIMEOUT_S = 30.0  # dropping every key of ours (rare: after a long outage)

# KEYS: tag sets. ARGV[1]: channel, ARGV[2]: the message. Deletes every listed key and the
# sets, then tells every node.
_INVALIDATE = """
for _, tag in ipairs(KEYS) do
  local keys = redis.call('smembers', tag)
  for i = 1, #keys, 500 do
    redis.call('unlink', unpack(keys, i, math.min(i + 499, #keys)))
  end
  redis.call('unlink', tag)
end
redis.call('publish', ARGV[1], ARGV[2])
return #KEYS
"""

_ERRORS: tuple[type[BaseException], ...] = (
    RedisError,
    OSError,
    TimeoutError,
)


class SharedTierDown(Exception):
    """Redis did not answer; the caller degrades to the database."""


_DOWN: tuple[type[BaseException], ...] = (*_ERRORS, SharedTierDown)


OnMessage = Callable[[str, list[str]], None]  # (origin node, tags)
OnState = Callable[[bool, BaseException | None], Awaitable[None]]


class SharedTier:
    def __init__(self, url: str, node_id: str, *, retry_s: float = 1.0) -> None:
        self.node_id = node_id
        self.retry_s = retry_s
        # No socket timeout on the client: redis-py would wrap every send in a task of its
        # own (asyncio.wait_for); each call below runs under one asyncio.timeout instead.
        self._raw = aioredis.Redis.from_url(
            url,
            socket_connect_timeout=TIMEOUT_S,
            max_connections=64,
            client_name="fleetyard-cache",
        )
        self._invalidate = self._raw.register_script(_INVALIDATE)
        self._follower: asyncio.Task[None] | None = None
        self._broken = asyncio.Event()  # a request saw Redis fail: reconnect and re-check

    async def start(self, on_message: OnMessage, on_state: OnState) -> None:
        connected = asyncio.Event()
        self._follower = asyncio.create_task(
            self._follow(on_message, on_state, connected), name="cache-invalidation-follower"
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(connected.wait(), timeout=2 * TIMEOUT_S + 0.5)

    async def stop(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
        with contextlib.suppress(*_ERRORS):
            await self._raw.aclose()

    def report_broken(self) -> None:
        self._broken.set()

    # values ------------------------------------------------------------------------------
    async def get(self, key: str) -> bytes | None:
        try:
            async with asyncio.timeout(TIMEOUT_S):
                value = await self._raw.get(key)
        except _ERRORS as exc:
            raise SharedTierDown from exc
        return value if isinstance(value, bytes) else None

    async def put(self, key: str, blob: bytes, ttl_s: float, tags: Iterable[str]) -> None:
        """One round trip: the key joins its tags' sets, then the value is written."""
        try:
            pipe = self._raw.pipeline(transaction=False)
            for tag in tags:
                pipe.sadd(tag, key)
                pipe.expire(tag, TAG_TTL_S)
            pipe.set(key, blob, px=max(1, int(ttl_s * 1000)))
            async with asyncio.timeout(TIMEOUT_S):
                await pipe.execute()
        except _ERRORS as exc:
            raise SharedTierDown from exc

    async def invalidate(self, tags: list[str]) -> None:
        message = orjson.dumps([self.node_id, tags])
        try:
            async with asyncio.timeout(TIMEOUT_S):
                await self._invalidate(keys=tags, args=[CHANNEL, message])
        except _ERRORS as exc:
            raise SharedTierDown from exc

    async def forget_everything(self) -> None:
        """After invalidations were lost (too many while Redis was away): drop our keys."""
        try:
            async with asyncio.timeout(FORGET_TIMEOUT_S):
                async for key in self._raw.scan_iter(match=f"{PREFIX}:*", count=1000):
                    await self._raw.unlink(key)
                await self._raw.publish(CHANNEL, orjson.dumps([self.node_id, ["*"]]))
        except _ERRORS as exc:
            raise SharedTierDown from exc

    # the channel -------------------------------------------------------------------------
    async def _follow(
        self, on_message: OnMessage, on_state: OnState, connected: asyncio.Event
    ) -> None:
        """Subscribe, report up, deliver; on any failure report down and retry. Messages
        missed while unsubscribed are why the cache empties its memory tier on each up."""
        while True:
            pubsub = self._raw.pubsub()
            try:
                async with asyncio.timeout(TIMEOUT_S):
                    await pubsub.subscribe(CHANNEL)
                    await self._raw.ping()
                self._broken.clear()
                await on_state(True, None)
                connected.set()
                while not self._broken.is_set():
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
                    if message is not None and message.get("type") == "message":
                        self._deliver(message["data"], on_message)
                raise SharedTierDown("a request could not reach Redis")
            except _DOWN as exc:
                await on_state(False, exc)
                connected.set()
            finally:
                with contextlib.suppress(*_ERRORS):
                    await pubsub.aclose()
            await asyncio.sleep(self.retry_s)

    @staticmethod
    def _deliver(data: bytes, on_message: OnMessage) -> None:
        try:
            origin, tags = orjson.loads(data)
        except (orjson.JSONDecodeError, TypeError, ValueError):
            log.warning("cache: ignored a malformed invalidation message")
            return
        on_message(str(origin), [str(t) for t in tags])
