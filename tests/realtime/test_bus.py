"""The bus against the machine's real Redis (and in memory): one numbering per tenant, shared
by every publisher; every subscriber sees the same batches in the same order; a subscriber
that lost Redis says so (clients then resync); a publisher without Redis never raises."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid

import orjson
import redis.asyncio as aioredis

from fleetyard.realtime.bus import LocalBus, RedisBus, decode_batch, encode_batch
from fleetyard.realtime.items import POSITION, LiveBatch, LiveItem

REDIS_URL = "redis://127.0.0.1:6379/0"


def item(n: int) -> LiveItem:
    vehicle = uuid.uuid4()
    return LiveItem(POSITION, "vehicle", (vehicle,), {"n": n, "vehicle_id": vehicle})


def collect(bus: LocalBus | RedisBus, tenant: uuid.UUID) -> list[LiveBatch]:
    seen: list[LiveBatch] = []
    bus.listen(lambda batch: seen.append(batch) if batch.tenant_id == tenant else None)
    return seen


async def wait_until(condition: object, within_s: float = 5.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_a_batch_survives_the_wire() -> None:
    tenant = uuid.uuid4()
    items = [item(1), item(2)]
    batch = decode_batch(b"1795000000000001|" + encode_batch(tenant, items))
    assert batch.tenant_id == tenant and batch.first_seq == 1795000000000001
    assert [i.payload["n"] for i in batch.items] == [1, 2]
    assert batch.items[0].vehicle_ids == items[0].vehicle_ids


def test_an_audience_survives_the_wire_and_an_older_publishers_batch_still_reads() -> None:
    tenant, user = uuid.uuid4(), uuid.uuid4()
    notice = LiveItem("notifications.released", "notification", (), {}, audience=(user,))
    [read] = decode_batch(b"7|" + encode_batch(tenant, [notice])).items
    assert read == notice
    # a process of the previous release sends four fields per item: no audience, everyone
    older = orjson.dumps({"t": str(tenant), "i": [["vehicle_updated", "vehicle", [], {}]]})
    [old] = decode_batch(b"8|" + older).items
    assert old.audience == () and old.kind == "vehicle_updated"


async def test_the_local_bus_numbers_each_tenant_from_now() -> None:
    bus = LocalBus()
    tenant = uuid.uuid4()
    seen = collect(bus, tenant)
    head = await bus.head(tenant)
    assert abs(head - time.time_ns() // 1000) < 10_000_000  # microseconds since the epoch
    await bus.publish(tenant, [item(1), item(2)])
    await bus.publish(tenant, [item(3)])
    assert [(b.first_seq, b.last_seq) for b in seen] == [(head + 1, head + 2), (head + 3, head + 3)]


async def test_two_processes_share_one_order_through_redis() -> None:
    tenant = uuid.uuid4()
    a, b = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
    seen_a, seen_b = collect(a, tenant), collect(b, tenant)
    await asyncio.gather(a.start(), b.start())
    try:
        head = await a.head(tenant)
        assert await b.head(tenant) == head
        await asyncio.gather(
            *(bus.publish(tenant, [item(n), item(n)]) for n in range(20) for bus in (a, b))
        )
        await wait_until(lambda: len(seen_a) == 40 and len(seen_b) == 40)
    finally:
        await asyncio.gather(a.stop(), b.stop())
    numbers = [(x.first_seq, x.last_seq) for x in seen_a]
    assert numbers == [(x.first_seq, x.last_seq) for x in seen_b]  # the same order everywhere
    assert numbers[0][0] == head + 1
    assert all(nxt[0] == prev[1] + 1 for prev, nxt in itertools.pairwise(numbers))


async def test_a_lost_subscription_is_reported_as_a_gap_and_recovers() -> None:
    tenant = uuid.uuid4()
    bus = RedisBus(REDIS_URL, reconnect_s=0.1)
    gaps: list[int] = []
    seen: list[LiveBatch] = []
    bus.listen(
        lambda batch: seen.append(batch) if batch.tenant_id == tenant else None,
        lambda: gaps.append(1),
    )
    await bus.start()
    try:
        admin = aioredis.Redis.from_url(REDIS_URL)
        await admin.client_kill_filter(_type="pubsub")
        await admin.aclose()
        await wait_until(lambda: gaps)
        await asyncio.sleep(0.3)  # resubscribed
        await bus.publish(tenant, [item(1)])
        await wait_until(lambda: seen)
    finally:
        await bus.stop()


async def test_publishing_without_redis_drops_quietly() -> None:
    bus = RedisBus("redis://127.0.0.1:1/0")  # nothing listens there
    await bus.publish(uuid.uuid4(), [item(1)])  # logged, not raised: live is best effort
    await bus.stop()


async def test_a_client_can_connect_while_redis_is_away() -> None:
    """The hub can't learn the numbering: the stream starts unknown and resyncs its clients
    once numbers arrive, instead of refusing the connection."""
    from fleetyard.auth.principal import ActorType, Principal
    from fleetyard.auth.roles import Role
    from fleetyard.kit.ids import TenantId
    from fleetyard.realtime.connection import LiveConnection
    from fleetyard.realtime.hub import Hub

    bus = RedisBus("redis://127.0.0.1:1/0")
    hub = Hub(bus)
    tenant = TenantId(uuid.uuid4())
    connection = LiveConnection(Principal(tenant, Role.VIEWER, ActorType.API_KEY, None))
    stream = await hub.attach(connection)
    assert not stream.can_resume(0)
    assert not stream.receive(LiveBatch(tenant, 1795000000000001, (item(1),)))  # a gap: resync
    stream.flush(now=0.0)
    assert stream.can_resume(1795000000000001)
    await bus.stop()
