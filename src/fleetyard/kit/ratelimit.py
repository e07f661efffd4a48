"""Rate limits per minute: a sliding-window counter, in memory or shared through Redis.

The sliding-window counter weighs the previous minute's count by how much of it still
overlaps the last 60 s: nearly as exact as a moving window, with two counters per key. A
refused request is not counted, so a client that waits gets its budget back.

With Redis, asking it on every request costs a round trip and a script per request (a
third of a cached answer's CPU). So each process may admit a small *lease* of hits on its
own before it reports them: at most 2 % of the budget and only for 100 ms, after which the
next hit reports what was admitted and reads the shared count in the same script. Budgets
under 50 a minute (logins) get no lease: every hit asks Redis, exactly as before. Several
processes can overshoot a large budget by at most their leases together; the limit is a
protection against floods, not an invoice.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from fleetyard.errors import RateLimited

log = logging.getLogger(__name__)

WINDOW_S = 60
KEY_PREFIX = "fleetyard-rl"
LEASE_FRACTION = 0.02  # of the budget, admitted locally between two reports
LEASE_AGE_S = 0.1  # a local view older than this is refreshed by the next hit
MAX_KEYS = 100_000  # local views kept; the oldest are forgotten (they are only a lease)
TIMEOUT_S = 0.5  # a Redis slower than this counts as down
RETRY_S = 1.0  # while Redis is down, each process counts alone and asks again after this

# KEYS: this window's counter, the previous one. ARGV: hits admitted locally since the last
# report, the weight of the previous window, the budget, whether this hit asks to be
# admitted (1) or only reports (0). Returns {admitted (0/1), this window's count, previous}.
_HIT = """
local admitted = tonumber(ARGV[1])
if admitted > 0 then
  redis.call('incrby', KEYS[1], admitted)
  redis.call('expire', KEYS[1], 2 * tonumber(ARGV[5]))
end
local current = tonumber(redis.call('get', KEYS[1]) or '0')
local previous = tonumber(redis.call('get', KEYS[2]) or '0')
local ok = 0
if ARGV[4] == '1' and previous * tonumber(ARGV[2]) + current + 1 <= tonumber(ARGV[3]) then
  current = redis.call('incr', KEYS[1])
  redis.call('expire', KEYS[1], 2 * tonumber(ARGV[5]))
  ok = 1
end
return {ok, current, previous}
"""


@dataclass(frozen=True, slots=True)
class Counts:
    window: int  # which minute (since the epoch)
    current: int
    previous: int


def _weight(now: float) -> float:
    """How much of the previous window still lies within the last 60 s."""
    return 1.0 - (now % WINDOW_S) / WINDOW_S


def _estimate(counts: Counts, now: float) -> float:
    return counts.previous * _weight(now) + counts.current


def _retry_after(counts: Counts, per_minute: int, now: float) -> int:
    """Seconds until one more hit fits, if nothing else is counted meanwhile."""
    into = now % WINDOW_S
    room = per_minute - counts.current - 1
    if room < 0 or counts.previous == 0:  # this window alone is full: wait for the next
        wait = WINDOW_S - into
    else:  # the previous window's weight must fall until the sum fits
        wait = max(0.0, (1.0 - room / counts.previous) * WINDOW_S - into)
    return max(1, math.ceil(wait))


class _Counter(Protocol):
    async def hit(self, scope: str, key: str, per_minute: int, now: float) -> Counts | None:
        """Count one hit if it fits (None), else the counts that refused it."""

    async def aclose(self) -> None: ...


class _MemoryCounter:
    """This process is the whole truth (no Redis: one process serves the API)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], Counts] = {}

    async def hit(self, scope: str, key: str, per_minute: int, now: float) -> Counts | None:
        window = int(now // WINDOW_S)
        counts = _rolled(self._counts.get((scope, key)), window)
        if _estimate(counts, now) + 1 > per_minute:
            self._counts[(scope, key)] = counts
            return counts
        self._counts[(scope, key)] = Counts(window, counts.current + 1, counts.previous)
        if len(self._counts) > MAX_KEYS:
            self._counts = {k: c for k, c in self._counts.items() if c.window >= window - 1}
        return None

    async def aclose(self) -> None:
        pass


def _rolled(counts: Counts | None, window: int) -> Counts:
    """The counts as seen from ``window`` (older windows roll off)."""
    if counts is None or counts.window < window - 1:
        return Counts(window, 0, 0)
    if counts.window == window - 1:
        return Counts(window, 0, counts.current)
    return counts


@dataclass(slots=True)
class _View:
    """One key's shared counts as last read, and what was admitted here since."""

    counts: Counts
    read_at: float
    admitted: int = 0


class _RedisCounter:
    """Shared counts, with a lease per process. While Redis is unreachable each process
    counts on its own (logged once down, once back): a limit never turns into a 500."""

    def __init__(self, url: str, clock: Callable[[], float] = time.monotonic) -> None:
        # no socket timeout: redis-py would run each send as a task of its own; each call
        # below runs under one asyncio.timeout instead
        self._redis = aioredis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_S)
        self._script = self._redis.register_script(_HIT)
        self._views: dict[tuple[str, str], _View] = {}
        self._clock = clock
        self._alone = _MemoryCounter()
        self._down_until: float | None = None  # None: Redis answers

    async def hit(self, scope: str, key: str, per_minute: int, now: float) -> Counts | None:
        if self._down_until is not None and self._clock() < self._down_until:
            return await self._alone.hit(scope, key, per_minute, now)
        try:
            refused = await self._shared_hit(scope, key, per_minute, now)
        except (RedisError, OSError, TimeoutError) as exc:
            if self._down_until is None:
                log.warning("rate limits: Redis unreachable (%s); counting per process", exc)
            self._down_until = self._clock() + RETRY_S
            self._views.clear()  # leases taken against counts we can no longer report
            return await self._alone.hit(scope, key, per_minute, now)
        if self._down_until is not None:
            log.warning("rate limits: Redis is back; counting across processes again")
            self._down_until = None
        return refused

    async def _shared_hit(self, scope: str, key: str, per_minute: int, now: float) -> Counts | None:
        window = int(now // WINDOW_S)
        lease = int(per_minute * LEASE_FRACTION)
        view = self._views.get((scope, key))
        if view is not None and view.counts.window == window and lease > 0:
            fresh = self._clock() - view.read_at < LEASE_AGE_S
            seen = _estimate(view.counts, now) + view.admitted
            if fresh and view.admitted < lease and seen + 1 <= per_minute:
                view.admitted += 1
                return None
        return await self._report(scope, key, per_minute, now, window, view)

    async def _report(
        self, scope: str, key: str, per_minute: int, now: float, window: int, view: _View | None
    ) -> Counts | None:
        """Tell Redis what was admitted here, ask for this hit, keep the answer as the view."""
        admitted = view.admitted if view is not None else 0
        if view is not None and view.counts.window != window:
            # admitted in the window that just ended: counted there, read back as previous
            await self._count(scope, key, view.counts.window, admitted)
            admitted = 0
        keys = [_key(scope, key, window), _key(scope, key, window - 1)]
        args = [admitted, _weight(now), per_minute, 1, WINDOW_S]
        async with asyncio.timeout(TIMEOUT_S):
            answer = await self._script(keys=keys, args=args)
        ok, current, previous = cast(list[int], answer)
        counts = Counts(window, int(current), int(previous))
        if len(self._views) >= MAX_KEYS:
            self._views.clear()
        self._views[(scope, key)] = _View(counts, self._clock())
        return None if ok else counts

    async def _count(self, scope: str, key: str, window: int, admitted: int) -> None:
        if admitted:
            keys = [_key(scope, key, window), _key(scope, key, window - 1)]
            async with asyncio.timeout(TIMEOUT_S):
                await self._script(keys=keys, args=[admitted, 0.0, 0, 0, WINDOW_S])

    async def aclose(self) -> None:
        await self._redis.aclose()


def _key(scope: str, key: str, window: int) -> str:
    return f"{KEY_PREFIX}:{scope}:{key}:{window}"


class RateLimiter:
    def __init__(self, redis_url: str | None = None) -> None:
        self._counter: _Counter = _RedisCounter(redis_url) if redis_url else _MemoryCounter()

    async def hit(self, scope: str, key: str, per_minute: int) -> None:
        """Count one request; raise 429 with Retry-After once the minute's budget is spent."""
        now = time.time()
        refused = await self._counter.hit(scope, key, per_minute, now)
        if refused is None:
            return
        raise RateLimited(
            details={"limit_per_minute": per_minute, "scope": scope},
            headers={"Retry-After": str(_retry_after(refused, per_minute, now))},
        )

    async def aclose(self) -> None:
        await self._counter.aclose()
