"""Rate limits on the ``limits`` library: memory storage by default, Redis when configured.

The sliding-window counter weighs the previous minute's count by how much of it still
overlaps the last 60 s: nearly as exact as a moving window, but two counters per key instead
of one timestamp per request, so memory storage stays O(1) per hit (the moving window's
in-memory expiry hops to a thread on every request) and Redis answers one short script.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from fleetyard.errors import RateLimited


class RateLimiter:
    def __init__(self, redis_url: str | None = None) -> None:
        uri = f"async+{redis_url}" if redis_url else "async+memory://"
        options = {"implementation": "redispy", "key_prefix": "fleetyard-rl"} if redis_url else {}
        storage = storage_from_string(uri, **options)
        assert isinstance(storage, Storage)
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._items: dict[int, RateLimitItemPerMinute] = {}

    def _per_minute(self, amount: int) -> RateLimitItemPerMinute:
        item = self._items.get(amount)
        if item is None:
            item = self._items[amount] = RateLimitItemPerMinute(amount)
        return item

    async def hit(self, scope: str, key: str, per_minute: int) -> None:
        """Count one request; raise 429 with Retry-After once the minute's budget is spent."""
        item = self._per_minute(per_minute)
        if await self._limiter.hit(item, scope, key):
            return
        stats = await self._limiter.get_window_stats(item, scope, key)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(
            details={"limit_per_minute": per_minute, "scope": scope},
            headers={"Retry-After": str(retry_after)},
        )
