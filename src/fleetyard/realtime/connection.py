"""One live client (WebSocket or SSE): what it watches, and its bounded outbox.

The outbox never grows without bound. Past ``soft_frames`` queued frames, new positions are
no longer queued but coalesced: only the latest per vehicle is kept and sent as one frame
once the client catches up. Record events can't be coalesced; when the queued text passes
``max_bytes`` the client is disconnected with ``slow_consumer`` (it reconnects and resumes).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Permission
from fleetyard.realtime.frames import Frame, PositionFragment, position_frame
from fleetyard.realtime.items import LiveItem

DEFAULT_INTERVAL_MS = 1000

# Which permission reads which entity's live messages (the rest need events:read).
_READ_PERMISSION = {
    "vehicle": Permission.VEHICLES_READ,
    "alert": Permission.VEHICLES_READ,
    "driver": Permission.DRIVERS_READ,
    "device": Permission.DEVICES_READ,
    "group": Permission.GROUPS_READ,
    "reservation": Permission.RESERVATIONS_READ,
    "tenant": Permission.TENANT_READ,
    "api_key": Permission.API_KEYS_MANAGE,
    "member": Permission.MEMBERS_READ,
    "geofence": Permission.GEOFENCES_READ,
    "route_plan": Permission.ROUTE_PLANS_READ,
    "dispatch": Permission.DISPATCH_READ,
    "dispatch_route": Permission.DISPATCH_READ,  # and its dispatch.eta items
    "dispatch_stop": Permission.DISPATCH_READ,
}


class Closed(Exception):
    """The connection was closed by the hub; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class OutboxLimits:
    soft_frames: int = 64
    max_bytes: int = 8 * 1024 * 1024


class LiveConnection:
    def __init__(
        self,
        principal: Principal,
        limits: OutboxLimits | None = None,
        *,
        listens_only: bool = False,
    ) -> None:
        self.id = uuid.uuid4()
        self.principal = principal
        self.limits = limits or OutboxLimits()
        # SSE clients can't send: their liveness shows in writes that fail, not in pings
        self.listens_only = listens_only
        # told when vehicles or groups changed, so group subscriptions can be resolved anew
        self.on_membership_change: Callable[[], None] | None = None
        self.fleet = False
        self.vehicles: set[uuid.UUID] = set()  # named by the client
        self.groups: set[uuid.UUID] = set()
        self.group_vehicles: set[uuid.UUID] = set()  # the vehicles of those groups, resolved
        self.interval_ms = DEFAULT_INTERVAL_MS
        self.last_received = time.monotonic()
        self.last_sent = time.monotonic()
        self.closed: str | None = None
        self._outbox: deque[Frame] = deque()
        self._queued_bytes = 0
        self._behind: dict[uuid.UUID, PositionFragment] = {}
        self._wake = asyncio.Event()
        self._readable: dict[str, bool] = {}

    # what it watches ---------------------------------------------------------------------
    @property
    def watched_vehicles(self) -> set[uuid.UUID]:
        return self.vehicles | self.group_vehicles

    @property
    def subscribed(self) -> bool:
        return self.fleet or bool(self.vehicles) or bool(self.groups)

    def may_read(self, item: LiveItem) -> bool:
        if item.audience:
            return self.principal.user_id in item.audience
        allowed = self._readable.get(item.entity_type)
        if allowed is None:
            needed = _READ_PERMISSION.get(item.entity_type, Permission.EVENTS_READ)
            allowed = self._readable[item.entity_type] = self.principal.can(needed)
        return allowed

    def wants(self, item: LiveItem) -> bool:
        if not self.may_read(item):
            return False
        if self.fleet or item.audience:
            return True
        watched = self.watched_vehicles
        return any(v in watched for v in item.vehicle_ids)

    # the outbox --------------------------------------------------------------------------
    @property
    def queued_frames(self) -> int:
        return len(self._outbox)

    def push(self, frame: Frame) -> None:
        if self.closed:
            return
        self._outbox.append(frame)
        self._queued_bytes += frame.size
        if self._queued_bytes > self.limits.max_bytes:
            self.close("slow_consumer")
            return
        self._wake.set()

    def push_positions(self, fragments: Sequence[PositionFragment], shared: Frame | None) -> None:
        """Queue positions (``shared``: the same frame already built for others), or coalesce
        them while the client is behind."""
        if self.closed or not fragments:
            return
        if self._behind or len(self._outbox) >= self.limits.soft_frames:
            for fragment in fragments:
                self._behind[fragment.vehicle_id] = fragment
            return
        self.push(shared if shared is not None else position_frame(fragments))

    def close(self, reason: str) -> None:
        if self.closed is None:
            self.closed = reason
            self._outbox.clear()
            self._behind.clear()
            self._queued_bytes = 0
        self._wake.set()

    async def take(self) -> list[Frame]:
        """Wait for frames to send; raises :class:`Closed` once the hub closed it."""
        while True:
            if self.closed:
                raise Closed(self.closed)
            if self._behind and len(self._outbox) < self.limits.soft_frames:
                caught_up = sorted(self._behind.values(), key=lambda f: f.seq)
                self._behind.clear()
                self.push(position_frame(caught_up))
            if self._outbox:
                frames = list(self._outbox)
                self._outbox.clear()
                self._queued_bytes = 0
                self.last_sent = time.monotonic()
                return frames
            self._wake.clear()
            await self._wake.wait()
