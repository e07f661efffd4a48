"""The cache on its own (memory tier; one process): hits, tag drops, stale-while-revalidate,
and a computation overtaken by a drop not stored."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from prometheus_client import CollectorRegistry, generate_latest

from fleetyard.cache.keys import CacheKey, Tag
from fleetyard.cache.store import Cache
from fleetyard.kit.ids import TenantId

A = TenantId(uuid.uuid4())
B = TenantId(uuid.uuid4())


class Source:
    """Counts how often the 'database' was asked."""

    def __init__(self, value: bytes = b'{"n":1}') -> None:
        self.value = value
        self.calls = 0

    async def __call__(self) -> bytes:
        self.calls += 1
        return self.value


async def wait_for(condition: Callable[[], bool], within_s: float = 5.0) -> None:
    """Poll ``condition`` until it holds; fail past the deadline."""
    deadline = asyncio.get_running_loop().time() + within_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_second_read_is_a_hit_with_the_same_etag() -> None:
    cache = Cache()
    source = Source()
    key = CacheKey.record(A, "vehicle", uuid.uuid4())
    first = await cache.fetch(key, [], source, ttl=60)
    second = await cache.fetch(key, [], source, ttl=60)
    assert source.calls == 1
    assert second.body == first.body == b'{"n":1}'
    assert second.etag == first.etag and first.etag.startswith('W/"')


async def test_tenants_never_read_each_others_entries() -> None:
    cache = Cache()
    record = uuid.uuid4()
    a = await cache.fetch(CacheKey.record(A, "vehicle", record), [], Source(b"a"), ttl=60)
    b = await cache.fetch(CacheKey.record(B, "vehicle", record), [], Source(b"b"), ttl=60)
    assert (a.body, b.body) == (b"a", b"b")


async def test_a_tag_drop_removes_only_entries_with_that_tag() -> None:
    cache = Cache()
    one, two = uuid.uuid4(), uuid.uuid4()
    sources = {one: Source(), two: Source()}
    for record, source in sources.items():
        await cache.fetch(
            CacheKey.record(A, "vehicle", record),
            [Tag.record(A, "vehicle", record)],
            source,
            ttl=60,
        )
    await cache.invalidate([Tag.record(A, "vehicle", one)])
    for record, source in sources.items():
        await cache.fetch(
            CacheKey.record(A, "vehicle", record),
            [Tag.record(A, "vehicle", record)],
            source,
            ttl=60,
        )
    assert (sources[one].calls, sources[two].calls) == (2, 1)


async def test_stale_entries_are_served_while_one_refresh_replaces_them() -> None:
    cache = Cache()
    key = CacheKey.aggregate(A, "fleet_summary")
    first = Source(b"old")
    await cache.fetch(key, [], first, ttl=60, fresh_for=0.0, refresh=first)
    refresh = Source(b"new")
    stale = await cache.fetch(key, [], Source(b"never"), ttl=60, fresh_for=0.0, refresh=refresh)
    again = await cache.fetch(key, [], Source(b"never"), ttl=60, fresh_for=0.0, refresh=refresh)
    assert (stale.body, again.body) == (b"old", b"old")
    await wait_for(lambda: refresh.calls == 1 and not cache._refreshing)
    latest = await cache.fetch(key, [], Source(b"never"), ttl=60, fresh_for=60, refresh=refresh)
    assert latest.body == b"new"
    assert refresh.calls == 1  # the two stale reads started one refresh, not two


async def test_a_result_read_before_a_drop_of_its_tag_is_not_kept() -> None:
    cache = Cache()
    key = CacheKey.listing(A, "vehicle", [])
    tag = Tag.lists(A, "vehicle")

    async def read_then_change_commits() -> bytes:
        await cache.invalidate([tag])  # the change commits while we were reading
        return b"read before the change"

    await cache.fetch(key, [tag], read_then_change_commits, ttl=60)
    after = Source(b"fresh")
    assert (await cache.fetch(key, [tag], after, ttl=60)).body == b"fresh"
    assert after.calls == 1


async def test_concurrent_misses_share_one_computation() -> None:
    cache = Cache()
    started = asyncio.Event()
    release = asyncio.Event()
    calls = 0

    async def slow() -> bytes:
        nonlocal calls
        calls += 1
        started.set()
        await release.wait()
        return b"once"

    key = CacheKey.aggregate(A, "fleet_summary")
    first = asyncio.create_task(cache.fetch(key, [], slow, ttl=60))
    await started.wait()
    second = asyncio.create_task(cache.fetch(key, [], slow, ttl=60))
    release.set()
    assert [e.body for e in await asyncio.gather(first, second)] == [b"once", b"once"]
    assert calls == 1


async def test_metrics_show_hits_misses_and_size() -> None:
    registry = CollectorRegistry()
    cache = Cache(registry=registry)
    key = CacheKey.record(A, "vehicle", uuid.uuid4())
    await cache.fetch(key, [], Source(b"12345"), ttl=60)
    await cache.fetch(key, [], Source(b"12345"), ttl=60)
    text = generate_latest(registry).decode()
    assert 'fleetyard_cache_lookups_total{result="hit",tier="memory"} 1.0' in text
    assert 'fleetyard_cache_lookups_total{result="miss",tier="memory"} 1.0' in text
    assert "fleetyard_cache_memory_entries 1.0" in text
    assert "fleetyard_cache_memory_bytes 5.0" in text
