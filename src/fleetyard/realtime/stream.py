"""One tenant's live stream in one process: the resume buffer, the throttle lanes and the
index of who watches what.

Items arrive numbered from the bus and are flushed in batches (the hub decides when). A
flush encodes each item once, remembers it for resuming clients, and hands it to the
connections that watch it:

- record events and alerts go to every watcher, each as its own frame, in order;
- positions go through a *lane* per throttle interval: at most one position per vehicle per
  interval leaves a lane, the rest wait there, coalesced to the latest.

The resume buffer keeps the last ``max_events`` events and the latest position of every
vehicle, so a client that reconnects with the last ``seq`` it saw gets every event after it
and each vehicle's newest position; if the events it missed are gone, it must resync.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from fleetyard.realtime.connection import LiveConnection
from fleetyard.realtime.frames import (
    Frame,
    PositionFragment,
    encode_frame,
    encode_position,
    position_frame,
)
from fleetyard.realtime.items import LiveBatch, LiveItem

# changes to these may move vehicles in or out of a group subscription
_MEMBERSHIP_ENTITIES = frozenset({"vehicle", "group"})


@dataclass(frozen=True, slots=True)
class BufferedEvent:
    seq: int
    item: LiveItem
    frame: Frame


@dataclass
class Lane:
    """Positions for the clients that asked for one update per vehicle per ``interval_s``.

    The interval has 10 % slack (at most 100 ms): a tracker that reports at exactly that rate
    arrives a little early or late with network jitter, and must not be held back a whole
    batch for it."""

    interval_s: float
    last_emit: dict[uuid.UUID, float] = field(default_factory=dict)
    pending: dict[uuid.UUID, PositionFragment] = field(default_factory=dict)
    unthrottled: list[PositionFragment] = field(default_factory=list)  # interval 0: every one

    def offer(self, fragment: PositionFragment) -> None:
        if self.interval_s <= 0:
            self.unthrottled.append(fragment)
        else:
            self.pending[fragment.vehicle_id] = fragment

    def take_due(self, now: float) -> list[PositionFragment]:
        if self.interval_s <= 0:
            due, self.unthrottled = self.unthrottled, []
            return due
        due = []
        spacing = self.spacing_s
        for vehicle_id, fragment in list(self.pending.items()):
            if now - self.last_emit.get(vehicle_id, -1e18) >= spacing:
                due.append(fragment)
                self.last_emit[vehicle_id] = now
                del self.pending[vehicle_id]
        return due

    @property
    def spacing_s(self) -> float:
        return self.interval_s - min(0.1 * self.interval_s, 0.1)

    def next_due(self) -> float | None:
        if not self.pending:
            return None
        return min(self.last_emit.get(v, 0.0) + self.spacing_s for v in self.pending)


class Replay:
    """What a resuming client is owed: events after its seq, then each vehicle's latest."""

    def __init__(self, events: list[Frame], positions: list[PositionFragment]) -> None:
        self.events = events
        self.positions = positions


class TenantStream:
    def __init__(self, tenant_id: uuid.UUID, head: int, *, max_events: int = 10_000) -> None:
        """``head``: the tenant's last number on the bus when this stream starts listening."""
        self.tenant_id = tenant_id
        self.head = head  # highest seq received
        self.flushed = head  # highest seq handed to connections
        self.known_from: int | None = head + 1  # first seq of the unbroken run we hold
        self.evicted_upto = 0  # highest event seq dropped from the buffer
        self.last_activity = time.monotonic()
        self._events: deque[BufferedEvent] = deque(maxlen=max_events)
        self._latest: dict[uuid.UUID, PositionFragment] = {}
        self._incoming: list[tuple[int, LiveItem]] = []
        self.lanes: dict[int, Lane] = {}
        self.connections: set[LiveConnection] = set()
        self._fleet: set[LiveConnection] = set()
        self._by_vehicle: dict[uuid.UUID, set[LiveConnection]] = defaultdict(set)
        self._indexed: dict[LiveConnection, set[uuid.UUID]] = {}

    # receiving ---------------------------------------------------------------------------
    def receive(self, batch: LiveBatch) -> bool:
        """Queue a batch for the next flush; False when it shows items were missed (the
        connected clients must resync)."""
        self.last_activity = time.monotonic()
        if batch.last_seq <= self.head:
            return True  # already seen
        continuous = self.known_from is not None and batch.first_seq <= self.head + 1
        if not continuous:
            self.known_from = batch.first_seq
        for offset, item in enumerate(batch.items):
            seq = batch.first_seq + offset
            if seq > self.head:
                self._incoming.append((seq, item))
        self.head = batch.last_seq
        return continuous

    def mark_gap(self) -> None:
        """Items may have been lost (the bus reconnected): nothing before now resumes."""
        self.known_from = None

    @property
    def has_incoming(self) -> bool:
        return bool(self._incoming)

    # flushing ----------------------------------------------------------------------------
    def flush(self, now: float) -> None:
        incoming, self._incoming = self._incoming, []
        events: list[BufferedEvent] = []
        for seq, item in incoming:
            if item.is_position:
                self._take_position(seq, item)
            else:
                events.append(self._buffer_event(seq, item))
        if incoming:
            self.flushed = incoming[-1][0]
        for event in events:
            self._deliver_event(event)
        if any(e.item.entity_type in _MEMBERSHIP_ENTITIES for e in events):
            self._membership_changed()
        for interval_ms, lane in self.lanes.items():
            due = lane.take_due(now)
            if due:
                self._deliver_positions(interval_ms, due)

    def next_due(self) -> float | None:
        dues = [d for lane in self.lanes.values() if (d := lane.next_due()) is not None]
        return min(dues) if dues else None

    def _take_position(self, seq: int, item: LiveItem) -> None:
        vehicle_id = item.vehicle_ids[0]
        fragment = encode_position(seq, vehicle_id, item.payload)
        self._latest[vehicle_id] = fragment
        for lane in self.lanes.values():
            lane.offer(fragment)

    def _buffer_event(self, seq: int, item: LiveItem) -> BufferedEvent:
        event = BufferedEvent(seq, item, encode_frame(item.kind, seq, item.payload))
        if len(self._events) == self._events.maxlen:
            self.evicted_upto = self._events[0].seq
        self._events.append(event)
        return event

    def _deliver_event(self, event: BufferedEvent) -> None:
        # one's own notices reach every connection of theirs, whatever it subscribed to
        targets: set[LiveConnection] = set(self.connections if event.item.audience else self._fleet)
        for vehicle_id in event.item.vehicle_ids:
            targets |= self._by_vehicle.get(vehicle_id, set())
        for connection in targets:
            if connection.may_read(event.item):
                connection.push(event.frame)

    def _membership_changed(self) -> None:
        for connection in self.connections:
            if connection.groups and connection.on_membership_change is not None:
                connection.on_membership_change()

    def _deliver_positions(self, interval_ms: int, due: list[PositionFragment]) -> None:
        fleet = [c for c in self._fleet if c.interval_ms == interval_ms]
        if fleet:
            shared = position_frame(due)
            for connection in fleet:
                connection.push_positions(due, shared)
        picked: dict[LiveConnection, list[PositionFragment]] = defaultdict(list)
        for fragment in due:
            for connection in self._by_vehicle.get(fragment.vehicle_id, ()):
                if connection.interval_ms == interval_ms and not connection.fleet:
                    picked[connection].append(fragment)
        for connection, fragments in picked.items():
            connection.push_positions(fragments, None)

    # resuming ----------------------------------------------------------------------------
    def can_resume(self, since: int) -> bool:
        if self.known_from is None:
            return False
        return self.known_from - 1 <= since <= self.flushed and since >= self.evicted_upto

    def replay(self, connection: LiveConnection, since: int) -> Replay:
        events = [
            e.frame
            for e in self._events
            if since < e.seq <= self.flushed and connection.wants(e.item)
        ]
        if connection.fleet:
            latest: Iterable[PositionFragment] = self._latest.values()
        else:
            watched = connection.watched_vehicles
            latest = (f for v, f in self._latest.items() if v in watched)
        positions = sorted(
            (f for f in latest if since < f.seq <= self.flushed), key=lambda f: f.seq
        )
        return Replay(events, positions)

    # who watches what --------------------------------------------------------------------
    def attach(self, connection: LiveConnection) -> None:
        self.connections.add(connection)

    def detach(self, connection: LiveConnection) -> None:
        self.connections.discard(connection)
        self._index(connection, fleet=False, vehicles=set())
        self._drop_unused_lanes()

    def reindex(self, connection: LiveConnection, old_interval_ms: int | None = None) -> None:
        """Call after a connection's subscription or interval changed."""
        self._index(connection, fleet=connection.fleet, vehicles=connection.watched_vehicles)
        if connection.subscribed and connection.interval_ms not in self.lanes:
            self.lanes[connection.interval_ms] = Lane(connection.interval_ms / 1000)
        if old_interval_ms is not None:
            self._drop_unused_lanes()

    def _index(self, connection: LiveConnection, *, fleet: bool, vehicles: set[uuid.UUID]) -> None:
        if fleet:
            self._fleet.add(connection)
        else:
            self._fleet.discard(connection)
        before = self._indexed.pop(connection, set())
        for vehicle_id in before - vehicles:
            watchers = self._by_vehicle[vehicle_id]
            watchers.discard(connection)
            if not watchers:
                del self._by_vehicle[vehicle_id]
        for vehicle_id in vehicles - before:
            self._by_vehicle[vehicle_id].add(connection)
        if vehicles:
            self._indexed[connection] = set(vehicles)

    def _drop_unused_lanes(self) -> None:
        used = {c.interval_ms for c in self.connections if c.subscribed}
        for interval_ms in list(self.lanes):
            if interval_ms not in used:
                del self.lanes[interval_ms]
