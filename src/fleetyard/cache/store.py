"""A two-tier cache: this process's memory in front of Redis (when configured).

- **Keys** are :class:`~fleetyard.cache.keys.CacheKey`, tags :class:`~fleetyard.cache.keys.Tag`:
  both need the tenant, so nothing cached is ever shared between tenants.
- **Reads**: memory, then Redis (a Redis hit is copied into memory), then ``compute``; several
  requests missing the same key at once share one computation.
- **Stale while revalidate**: an entry past ``fresh_for`` but within its ``ttl`` is served as
  it is while one background ``refresh`` replaces it (aggregates).
- **Invalidation** by tags, fed by committed events (:mod:`fleetyard.cache.events`): the
  memory copies here at once, then Redis's keys and every other node's memory copies through
  one script and its pub/sub message. A computation that began before a drop of one of its
  tags does not store its (possibly stale) result.
- **Degraded**: while Redis is unreachable the cache is bypassed entirely (answers come from
  the database; memory copies could miss other nodes' invalidations). It is logged once when
  Redis goes away and once when it is back; invalidations made meanwhile are replayed then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence

from cashews.backends.memory import Memory
from prometheus_client import CollectorRegistry

from fleetyard.cache.entry import Entry
from fleetyard.cache.keys import CacheKey, Tag
from fleetyard.cache.metrics import CacheMetrics
from fleetyard.cache.shared import SharedTier, SharedTierDown

log = logging.getLogger(__name__)

Compute = Callable[[], Awaitable[bytes]]
MEMORY_ENTRIES = 20_000
MAX_PENDING_TAGS = 10_000  # invalidations remembered while Redis is away
_DROP_MEMORY_S = 120.0  # how long a tag's drop time is kept for the store check


class Cache:
    def __init__(
        self,
        redis_url: str | None = None,
        *,
        memory_entries: int = MEMORY_ENTRIES,
        registry: CollectorRegistry | None = None,
        retry_s: float = 1.0,
    ) -> None:
        self.node_id = uuid.uuid4().hex
        self._memory = Memory(size=memory_entries, check_interval=0)  # expiry checked on read
        self._tag_index: dict[str, set[str]] = {}
        self._dropped_at: dict[str, float] = {}  # tag → monotonic time of its last drop
        self._inflight: dict[str, asyncio.Future[Entry]] = {}
        self._refreshing: dict[str, asyncio.Task[None]] = {}
        self._shared = SharedTier(redis_url, self.node_id, retry_s=retry_s) if redis_url else None
        # No Redis: memory alone is the whole cache (one process). With Redis: unusable until
        # the invalidation channel is subscribed.
        self._usable = self._shared is None
        self._ever_down = False
        self._pending: set[str] = set()
        self._pending_overflow = False
        self.metrics = CacheMetrics(registry, self._entry_count, self._bytes_held)
        self.metrics.redis_up.set(1 if self._usable else 0)

    # life --------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._shared is not None:
            await self._shared.start(self._on_remote_drop, self._on_shared_state)

    async def stop(self) -> None:
        for task in list(self._refreshing.values()):
            task.cancel()
        for task in list(self._refreshing.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._shared is not None:
            await self._shared.stop()

    @property
    def degraded(self) -> bool:
        return not self._usable

    # reads -------------------------------------------------------------------------------
    async def fetch(
        self,
        key: CacheKey,
        tags: Sequence[Tag],
        compute: Compute,
        *,
        ttl: float,
        fresh_for: float | None = None,
        refresh: Compute | None = None,
    ) -> Entry:
        """The entry for ``key``, computing it on a miss. ``refresh`` (with ``fresh_for`` <
        ``ttl``) turns on stale-while-revalidate: it must not use the request's session."""
        fresh = ttl if fresh_for is None else fresh_for
        tag_names = tuple(str(t) for t in tags)
        name = str(key)
        if not self._usable:
            self.metrics.count("memory", "bypass")
            return Entry.of(await compute(), fresh_for=fresh, ttl=ttl, tags=tag_names)
        entry = await self._lookup(name)
        if entry is not None:
            if time.time() < entry.fresh_until:
                return entry
            if refresh is not None:
                self.metrics.count("memory", "stale")
                self._refresh_later(name, tag_names, refresh, fresh, ttl)
                return entry
        return await self._compute_once(name, tag_names, compute, fresh, ttl)

    async def _lookup(self, name: str) -> Entry | None:
        entry: Entry | None = await self._memory.get(name)
        if entry is not None:
            self.metrics.hit("memory")
            return entry
        self.metrics.count("memory", "miss")
        if self._shared is None:
            return None
        try:
            blob = await self._shared.get(name)
        except SharedTierDown as exc:
            await self._went_down(exc)
            return None
        entry = Entry.decode(blob) if blob is not None else None
        if entry is None or entry.expires_at <= time.time():
            self.metrics.count("redis", "miss")
            return None
        self.metrics.hit("redis")
        await self._remember(name, entry)
        return entry

    async def _compute_once(
        self, name: str, tags: tuple[str, ...], compute: Compute, fresh: float, ttl: float
    ) -> Entry:
        running = self._inflight.get(name)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[Entry] = asyncio.get_running_loop().create_future()
        self._inflight[name] = future
        try:
            entry = await self._compute_and_store(name, tags, compute, fresh, ttl)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            del self._inflight[name]
        future.set_result(entry)
        return entry

    async def _compute_and_store(
        self, name: str, tags: tuple[str, ...], compute: Compute, fresh: float, ttl: float
    ) -> Entry:
        started = time.monotonic()
        entry = Entry.of(await compute(), fresh_for=fresh, ttl=ttl, tags=tags)
        if self._dropped_since(tags, started) or not self._usable:
            return entry  # a change committed while we read: don't keep what we read
        await self._remember(name, entry)
        if self._shared is not None:
            try:
                await self._shared.put(name, entry.encode(), entry.expires_at - time.time(), tags)
            except SharedTierDown as exc:
                await self._went_down(exc)
        return entry

    def _refresh_later(
        self, name: str, tags: tuple[str, ...], refresh: Compute, fresh: float, ttl: float
    ) -> None:
        if name in self._refreshing:
            return

        async def run() -> None:
            try:
                await self._compute_and_store(name, tags, refresh, fresh, ttl)
            except Exception:  # the stale entry stays until its ttl; the next read retries
                log.exception("cache: background refresh failed", extra={"key": name})
            finally:
                self._refreshing.pop(name, None)

        self._refreshing[name] = asyncio.create_task(run(), name=f"cache-refresh {name}")

    async def _remember(self, name: str, entry: Entry) -> None:
        await self._memory.set(name, entry, expire=max(0.001, entry.expires_at - time.time()))
        for tag in entry.tags:
            self._tag_index.setdefault(tag, set()).add(name)

    # invalidation ------------------------------------------------------------------------
    async def invalidate(self, tags: Iterable[Tag]) -> None:
        """Drop every entry carrying any of ``tags``, here and on every node."""
        names = sorted({str(t) for t in tags})
        if not names:
            return
        self._drop_local(names)
        self.metrics.invalidations.labels("local").inc(len(names))
        if self._shared is None:
            return
        if not self._usable:
            self._remember_pending(names)
            return
        try:
            await self._shared.invalidate(names)
        except SharedTierDown as exc:
            self._remember_pending(names)
            await self._went_down(exc)

    def _drop_local(self, tags: Iterable[str]) -> None:
        now = time.monotonic()
        store = self._memory.store
        for tag in tags:
            self._dropped_at[tag] = now
            for name in self._tag_index.pop(tag, ()):
                store.pop(name, None)
        if len(self._dropped_at) > 4 * MAX_PENDING_TAGS:
            horizon = now - _DROP_MEMORY_S
            self._dropped_at = {t: at for t, at in self._dropped_at.items() if at > horizon}

    def _dropped_since(self, tags: Iterable[str], started: float) -> bool:
        return any(self._dropped_at.get(tag, -1.0) >= started for tag in tags)

    def _on_remote_drop(self, origin: str, tags: list[str]) -> None:
        if origin == self.node_id:
            return
        self.metrics.invalidations.labels("remote").inc(len(tags))
        if "*" in tags:
            self._forget_memory()
            return
        self._drop_local(tags)

    def _remember_pending(self, tags: Iterable[str]) -> None:
        self._pending.update(tags)
        if len(self._pending) > MAX_PENDING_TAGS:
            self._pending.clear()
            self._pending_overflow = True

    def _forget_memory(self) -> None:
        self._memory.store.clear()
        self._tag_index.clear()

    # degraded mode -----------------------------------------------------------------------
    async def _went_down(self, exc: BaseException) -> None:
        if self._shared is not None:
            self._shared.report_broken()
        await self._on_shared_state(False, exc)

    async def _on_shared_state(self, up: bool, exc: BaseException | None) -> None:
        if up:
            await self._replay_pending()  # raises SharedTierDown if Redis failed again
            self._forget_memory()  # messages sent while we were away are lost
            if not self._usable and self._ever_down:
                log.warning("cache: Redis is back; caching again")
            self._usable = True
            self.metrics.redis_up.set(1)
            return
        if self._usable or not self._ever_down:
            cause = f"{type(exc).__name__}: {exc.__cause__ or exc}" if exc else "unknown"
            log.warning("cache: Redis unreachable (%s); answering from the database", cause)
        self._usable = False
        self._ever_down = True
        self._forget_memory()
        self.metrics.redis_up.set(0)

    async def _replay_pending(self) -> None:
        assert self._shared is not None
        if self._pending_overflow:
            await self._shared.forget_everything()
            self._pending_overflow = False
            self._pending.clear()
        if self._pending:
            await self._shared.invalidate(sorted(self._pending))
            self._pending.clear()

    # figures -----------------------------------------------------------------------------
    def _entry_count(self) -> float:
        return float(len(self._memory.store))

    def _bytes_held(self) -> float:
        return float(sum(len(value.body) for _, value in list(self._memory.store.values())))
