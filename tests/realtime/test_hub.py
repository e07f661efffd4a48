"""The hub's rules without sockets: batching, throttle lanes, encode-once, resume buffer,
gaps, permissions, slow consumers, heartbeats and forgetting idle tenants."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest

from fleetyard.auth.principal import ActorType, Principal
from fleetyard.auth.roles import Role
from fleetyard.kit.ids import TenantId, UserId
from fleetyard.realtime.bus import LocalBus
from fleetyard.realtime.connection import Closed, LiveConnection, OutboxLimits
from fleetyard.realtime.frames import Frame
from fleetyard.realtime.hub import Hub, HubSettings
from fleetyard.realtime.items import NOTIFICATIONS_RELEASED, POSITION, LiveBatch, LiveItem
from fleetyard.realtime.stream import Lane, TenantStream

TENANT = TenantId(uuid.uuid4())
V1, V2 = uuid.uuid4(), uuid.uuid4()


def principal(role: Role = Role.VIEWER, tenant: uuid.UUID = TENANT) -> Principal:
    return Principal(TenantId(tenant), role, ActorType.API_KEY, uuid.uuid4())


def position(vehicle: uuid.UUID, lat: float = 60.0) -> LiveItem:
    return LiveItem(POSITION, "vehicle", (vehicle,), {"vehicle_id": vehicle, "latitude": lat})


def event(kind: str, entity_type: str, vehicle: uuid.UUID | None = None) -> LiveItem:
    vehicles = (vehicle,) if vehicle else ()
    return LiveItem(kind, entity_type, vehicles, {"type": kind})


def watching(
    stream: TenantStream,
    *,
    fleet: bool = False,
    vehicles: set[uuid.UUID] | None = None,
    interval_ms: int = 0,
    role: Role = Role.VIEWER,
    limits: OutboxLimits | None = None,
) -> LiveConnection:
    connection = LiveConnection(principal(role), limits)
    connection.fleet = fleet
    connection.vehicles = vehicles or set()
    connection.interval_ms = interval_ms
    stream.attach(connection)
    stream.reindex(connection)
    return connection


def drain(connection: LiveConnection) -> list[dict[str, Any]]:
    frames: list[Frame] = (connection._outbox and list(connection._outbox)) or []
    connection._outbox.clear()
    connection._queued_bytes = 0
    return [json.loads(f.text) for f in frames]


def feed(stream: TenantStream, first_seq: int, *items: LiveItem) -> bool:
    return stream.receive(LiveBatch(TENANT, first_seq, items))


def test_a_lane_lets_one_position_per_vehicle_per_interval_and_keeps_the_latest() -> None:
    lane = Lane(interval_s=1.0)
    stream = TenantStream(TENANT, head=0)
    fragments = []
    for seq, lat in ((1, 60.0), (2, 60.1), (3, 60.2)):
        feed(stream, seq, position(V1, lat))
        stream.flush(now=0.0)
        fragments.append(stream._latest[V1])
    lane.offer(fragments[0])
    assert [f.seq for f in lane.take_due(10.0)] == [1]
    lane.offer(fragments[1])
    lane.offer(fragments[2])
    assert lane.take_due(10.5) == []  # within the second
    assert lane.next_due() == pytest.approx(10.9)  # 10 % slack for jitter
    assert lane.take_due(10.85) == []
    assert [f.seq for f in lane.take_due(10.9)] == [3]  # the latest, once


def test_fleet_watchers_share_one_encoded_frame() -> None:
    stream = TenantStream(TENANT, head=0)
    a = watching(stream, fleet=True)
    b = watching(stream, fleet=True)
    one = watching(stream, vehicles={V2})
    feed(stream, 1, position(V1), position(V2))
    stream.flush(now=0.0)
    assert a._outbox[0] is b._outbox[0]
    assert [p["vehicle_id"] for p in drain(one)[0]["payload"]["positions"]] == [str(V2)]
    assert len(drain(a)[0]["payload"]["positions"]) == 2


def test_events_go_to_those_who_may_read_them() -> None:
    stream = TenantStream(TENANT, head=0)
    viewer = watching(stream, fleet=True, role=Role.VIEWER)
    driver = watching(stream, fleet=True, role=Role.DRIVER)
    watcher_of_v1 = watching(stream, vehicles={V1})
    feed(
        stream,
        1,
        event("driver_created", "driver"),
        event("reservation_created", "reservation", V1),
        event("api_key_created", "api_key"),
    )
    stream.flush(now=0.0)
    assert [m["type"] for m in drain(viewer)] == ["driver_created", "reservation_created"]
    assert [m["type"] for m in drain(driver)] == ["reservation_created"]
    assert [m["type"] for m in drain(watcher_of_v1)] == ["reservation_created"]


def test_a_notice_for_some_users_reaches_only_their_connections_whatever_they_watch() -> None:
    stream = TenantStream(TENANT, head=0)
    mine, theirs = uuid.uuid4(), uuid.uuid4()

    def of(
        user: uuid.UUID, *, fleet: bool, vehicles: set[uuid.UUID] | None = None
    ) -> LiveConnection:
        who = Principal(TENANT, Role.VIEWER, ActorType.USER, user, user_id=UserId(user))
        connection = LiveConnection(who)
        connection.fleet = fleet
        connection.vehicles = vehicles or set()
        stream.attach(connection)
        stream.reindex(connection)
        return connection

    my_map, my_list = of(mine, fleet=True), of(mine, fleet=False)  # the list subscribed to nothing
    their_map = of(theirs, fleet=True, vehicles={V1})
    notice = LiveItem(NOTIFICATIONS_RELEASED, "notification", (), {}, audience=(mine,))
    feed(stream, 1, notice)
    stream.flush(now=0.0)
    assert [m["type"] for m in drain(my_map)] == [NOTIFICATIONS_RELEASED]
    assert [m["type"] for m in drain(my_list)] == [NOTIFICATIONS_RELEASED]
    assert drain(their_map) == []
    # and on resuming: replayed to its receiver, never to another
    assert len(stream.replay(my_list, 0).events) == 1
    assert stream.replay(their_map, 0).events == []


def test_resume_replays_missed_events_and_latest_positions_only() -> None:
    stream = TenantStream(TENANT, head=100)
    feed(stream, 101, position(V1, 1.0), event("vehicle_updated", "vehicle", V1), position(V1, 2.0))
    stream.flush(now=0.0)
    connection = watching(stream, fleet=True)
    assert stream.can_resume(101)
    replay = stream.replay(connection, 101)
    assert [json.loads(f.text)["seq"] for f in replay.events] == [102]
    assert [p.seq for p in replay.positions] == [103]
    assert stream.can_resume(100)  # from just before the first item we hold
    assert not stream.can_resume(98)  # before this stream started: unknown
    assert not stream.can_resume(104)  # ahead of anything numbered


def test_events_evicted_from_the_buffer_cannot_be_resumed() -> None:
    stream = TenantStream(TENANT, head=0, max_events=3)
    feed(stream, 1, *(event("vehicle_updated", "vehicle", V1) for _ in range(5)))
    stream.flush(now=0.0)
    assert not stream.can_resume(1)
    assert stream.can_resume(2)  # seq 3, 4, 5 are all still held


def test_a_gap_in_numbers_is_reported_and_blocks_resuming_across_it() -> None:
    stream = TenantStream(TENANT, head=10)
    assert feed(stream, 11, position(V1))
    assert not feed(stream, 20, position(V1))  # 12–19 never arrived
    stream.flush(now=0.0)
    assert not stream.can_resume(11)
    assert stream.can_resume(19)
    assert feed(stream, 15, position(V1))  # old, already counted: ignored, not a gap


def test_a_slow_consumer_gets_positions_coalesced_then_is_dropped() -> None:
    stream = TenantStream(TENANT, head=0)
    limits = OutboxLimits(soft_frames=2, max_bytes=4000)
    slow = watching(stream, fleet=True, limits=limits)
    seq = 1
    for lat in range(10):  # ten flushes, nothing read
        feed(stream, seq, position(V1, float(lat)), position(V2, float(lat)))
        seq += 2
        stream.flush(now=float(lat))
    assert slow.queued_frames == 2  # the rest coalesced: latest per vehicle only
    frames = asyncio.run(slow.take())
    assert len(frames) == 2
    caught_up = asyncio.run(slow.take())  # the coalesced frame
    positions = json.loads(caught_up[0].text)["payload"]["positions"]
    assert sorted(p["latitude"] for p in positions) == [9.0, 9.0]
    for _ in range(200):  # events can't be coalesced: past max_bytes it is dropped
        feed(stream, seq, event("vehicle_updated", "vehicle", V1))
        seq += 1
        stream.flush(now=20.0)
    assert slow.closed == "slow_consumer"
    with pytest.raises(Closed):
        asyncio.run(slow.take())


def test_membership_changes_are_signalled_to_group_watchers() -> None:
    stream = TenantStream(TENANT, head=0)
    connection = watching(stream, fleet=False)
    connection.groups = {uuid.uuid4()}
    calls: list[int] = []
    connection.on_membership_change = lambda: calls.append(1)
    feed(stream, 1, event("vehicle_updated", "vehicle", V1))
    stream.flush(now=0.0)
    feed(stream, 2, event("driver_updated", "driver"))
    stream.flush(now=0.0)
    assert calls == [1]


async def test_the_hub_batches_within_its_window_and_sends_the_first_at_once() -> None:
    bus = LocalBus()
    hub = Hub(bus, HubSettings(batch_s=0.2))
    connection = LiveConnection(principal())
    stream = await hub.attach(connection)
    connection.fleet = True
    connection.interval_ms = 0  # every position: this test is about batching, not throttling
    stream.reindex(connection)
    await bus.publish(TENANT, [position(V1, 1.0)])
    await asyncio.sleep(0.02)
    assert connection.queued_frames == 1  # first after a quiet spell: at once
    for lat in (2.0, 3.0, 4.0):
        await bus.publish(TENANT, [position(V1, lat)])
    await asyncio.sleep(0.05)
    assert connection.queued_frames == 1  # the rest wait for the window's end
    await asyncio.sleep(0.25)
    frames = await connection.take()
    assert len(frames) == 2
    second = json.loads(frames[1].text)["payload"]["positions"]
    assert [p["latitude"] for p in second] == [2.0, 3.0, 4.0]
    await hub.stop()


async def test_heartbeats_silence_and_idle_streams() -> None:
    hub = Hub(LocalBus(), HubSettings(heartbeat_s=1.0, client_timeout_s=5.0, idle_stream_s=10.0))
    talking = LiveConnection(principal())
    silent = LiveConnection(principal())
    listener = LiveConnection(principal(), listens_only=True)  # SSE: can't talk back
    for connection in (talking, silent, listener):
        await hub.attach(connection)
    start = talking.last_received
    talking.last_received = silent.last_received = listener.last_received = start
    hub.beat(start + 2.0)
    assert [json.loads(f.text)["type"] for f in await talking.take()] == ["heartbeat"]
    talking.last_received = start + 5.5
    hub.beat(start + 6.0)
    assert silent.closed == "heartbeat_timeout"
    assert talking.closed is None and listener.closed is None
    for connection in (talking, silent, listener):
        hub.detach(connection)
    hub.beat(start + 1000.0)
    assert hub.streams == {}
