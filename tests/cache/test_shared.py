"""Two nodes sharing Redis (two caches here, and a separate process), and Redis killed in
the middle: answers keep coming from the source, logged once down and once back."""

from __future__ import annotations

import asyncio
import logging
import sys
import uuid
from collections.abc import AsyncIterator

import pytest

from fleetyard.cache.keys import CacheKey, Tag
from fleetyard.cache.store import Cache
from fleetyard.kit.ids import TenantId
from tests.cache.redis_process import RedisProcess
from tests.cache.test_store import Source, wait_for

A = TenantId(uuid.uuid4())
B = TenantId(uuid.uuid4())


@pytest.fixture
async def nodes(own_redis: RedisProcess) -> AsyncIterator[tuple[Cache, Cache]]:
    one, two = Cache(own_redis.url, retry_s=0.05), Cache(own_redis.url, retry_s=0.05)
    await one.start()
    await two.start()
    assert not one.degraded and not two.degraded
    yield one, two
    await one.stop()
    await two.stop()


def record(tenant: TenantId, vehicle: uuid.UUID) -> tuple[CacheKey, list[Tag]]:
    return CacheKey.record(tenant, "vehicle", vehicle), [Tag.record(tenant, "vehicle", vehicle)]


async def test_an_entry_computed_on_one_node_is_read_from_redis_on_another(
    nodes: tuple[Cache, Cache],
) -> None:
    one, two = nodes
    key, tags = record(A, uuid.uuid4())
    computed = await one.fetch(key, tags, Source(b"from one"), ttl=60)
    never = Source(b"never")
    shared = await two.fetch(key, tags, never, ttl=60)
    assert (shared.body, shared.etag, never.calls) == (b"from one", computed.etag, 0)
    other_tenant = Source(b"b's own")
    assert (await two.fetch(CacheKey(B, key.path), tags, other_tenant, ttl=60)).body == b"b's own"


async def test_a_drop_on_one_node_reaches_the_others_memory(nodes: tuple[Cache, Cache]) -> None:
    one, two = nodes
    vehicle = uuid.uuid4()
    key, tags = record(A, vehicle)
    await one.fetch(key, tags, Source(b"v1"), ttl=60)
    await two.fetch(key, tags, Source(b"never"), ttl=60)  # now in two's memory too
    assert str(key) in two._memory.store
    await one.invalidate(tags)
    await wait_for(lambda: str(key) not in two._memory.store)
    assert (await two.fetch(key, tags, Source(b"v2"), ttl=60)).body == b"v2"


async def test_a_drop_from_another_process_reaches_this_one(
    own_redis: RedisProcess, nodes: tuple[Cache, Cache]
) -> None:
    here, _ = nodes
    vehicle = uuid.uuid4()
    key, tags = record(A, vehicle)
    await here.fetch(key, tags, Source(b"v1"), ttl=60)
    script = (
        "import asyncio, uuid\n"
        "from fleetyard.cache.keys import Tag\n"
        "from fleetyard.cache.store import Cache\n"
        "async def main():\n"
        f"    cache = Cache({own_redis.url!r})\n"
        "    await cache.start()\n"
        "    assert not cache.degraded\n"
        f"    await cache.invalidate([Tag.record(uuid.UUID({str(A)!r}), 'vehicle', "
        f"uuid.UUID({str(vehicle)!r}))])\n"
        "    await cache.stop()\n"
        "asyncio.run(main())\n"
    )
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", script)
    assert await asyncio.wait_for(child.wait(), timeout=30) == 0
    await wait_for(lambda: str(key) not in here._memory.store)
    assert (await here.fetch(key, tags, Source(b"v2"), ttl=60)).body == b"v2"


async def test_redis_killed_mid_run_answers_from_the_source_then_recovers(
    own_redis: RedisProcess, nodes: tuple[Cache, Cache], caplog: pytest.LogCaptureFixture
) -> None:
    one, two = nodes
    caplog.set_level(logging.WARNING, logger="fleetyard.cache.store")
    key, tags = record(A, uuid.uuid4())
    await one.fetch(key, tags, Source(b"before"), ttl=60)

    own_redis.kill()
    answers = []
    for i in range(20):  # every read answers, from the source once Redis is gone
        answers.append((await two.fetch(key, tags, Source(f"down {i}".encode()), ttl=60)).body)
        await one.invalidate(tags)  # remembered, replayed when Redis is back
    assert answers[-1] == b"down 19"
    await wait_for(lambda: one.degraded and two.degraded)

    def down_lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]

    assert len(down_lines()) == 2  # once per node, not once per request

    own_redis.start()  # an empty Redis on the same port
    await wait_for(lambda: not one.degraded and not two.degraded)
    back = [r.getMessage() for r in caplog.records if "is back" in r.getMessage()]
    assert len(back) == 2
    source = Source(b"after")
    assert (await one.fetch(key, tags, source, ttl=60)).body == b"after"
    assert (await two.fetch(key, tags, Source(b"never"), ttl=60)).body == b"after"
    assert source.calls == 1


async def test_redis_down_at_start_degrades_and_recovers(own_redis: RedisProcess) -> None:
    own_redis.kill()
    cache = Cache(own_redis.url, retry_s=0.05)
    await cache.start()
    try:
        assert cache.degraded
        key, tags = record(A, uuid.uuid4())
        source = Source(b"db")
        await cache.fetch(key, tags, source, ttl=60)
        await cache.fetch(key, tags, source, ttl=60)
        assert source.calls == 2  # bypassed: nothing kept while Redis is away
        own_redis.start()
        await wait_for(lambda: not cache.degraded)
        await cache.fetch(key, tags, source, ttl=60)
        await cache.fetch(key, tags, source, ttl=60)
        assert source.calls == 3
    finally:
        await cache.stop()
