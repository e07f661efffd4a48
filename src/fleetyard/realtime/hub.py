"""The hub of one process: tenant streams fed by the bus, flushed in batches, and the
heartbeats that keep (or drop) every client.

Batching: a tenant's items are flushed at most once per ``batch_s``; the first item after a
quiet spell goes out at once, the ones that follow within the window wait for its end. One
flush encodes each item once for all of that tenant's clients in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass

from prometheus_client import Histogram

from fleetyard.realtime.bus import Bus
from fleetyard.realtime.connection import LiveConnection
from fleetyard.realtime.frames import Frame, encode_frame, position_frame
from fleetyard.realtime.items import LiveBatch
from fleetyard.realtime.stream import TenantStream

log = logging.getLogger(__name__)

SNAPSHOT_PATH = "/api/v1/fleet/state"


@dataclass(frozen=True, slots=True)
class HubSettings:
    batch_s: float = 0.01
    heartbeat_s: float = 15.0
    # a client that sends nothing (not even a ping) for this long is dropped
    client_timeout_s: float = 45.0
    max_events_buffered: int = 10_000
    # a tenant stream with no clients is forgotten after this long without items
    idle_stream_s: float = 600.0


class Hub:
    def __init__(
        self, bus: Bus, settings: HubSettings | None = None, flush_wait: Histogram | None = None
    ) -> None:
        self.bus = bus
        self.settings = settings or HubSettings()
        self._flush_wait = flush_wait
        self._waiting_since: dict[uuid.UUID, float] = {}
        self.streams: dict[uuid.UUID, TenantStream] = {}
        self._last_flush: dict[uuid.UUID, float] = {}
        self._timers: dict[uuid.UUID, asyncio.TimerHandle] = {}
        self._heartbeat: asyncio.Task[None] | None = None
        self.frames_flushed = 0
        bus.listen(self._on_batch, self._on_gap, wants=self.streams.__contains__)

    async def start(self) -> None:
        self._heartbeat = asyncio.create_task(self._heartbeat_forever(), name="live-heartbeat")

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        for timer in self._timers.values():
            timer.cancel()
        for stream in self.streams.values():
            for connection in list(stream.connections):
                connection.close("server_shutdown")

    # connections -------------------------------------------------------------------------
    async def attach(self, connection: LiveConnection) -> TenantStream:
        tenant_id = connection.principal.tenant_id
        stream = self.streams.get(tenant_id)
        if stream is None:
            head = await self._head(tenant_id)
            stream = self.streams.get(tenant_id)  # another attach may have made it meanwhile
            if stream is None:
                limit = self.settings.max_events_buffered
                stream = TenantStream(tenant_id, head or 0, max_events=limit)
                if head is None:
                    stream.mark_gap()  # numbering unknown: the first batch sets it
                self.streams[tenant_id] = stream
        stream.attach(connection)
        return stream

    async def _head(self, tenant_id: uuid.UUID) -> int | None:
        """The tenant's last number, or None when the bus can't say (Redis away): the
        client still connects; what it sees first will be a resync, not an error."""
        try:
            return await self.bus.head(tenant_id)
        except Exception:
            log.warning("live numbering unavailable", exc_info=True)
            return None

    def detach(self, connection: LiveConnection) -> None:
        stream = self.streams.get(connection.principal.tenant_id)
        if stream is not None:
            stream.detach(connection)

    def control(self, connection: LiveConnection, type_: str, payload: object) -> Frame:
        """A control message, numbered with what this client has been brought up to."""
        stream = self.streams.get(connection.principal.tenant_id)
        return encode_frame(type_, stream.flushed if stream else 0, payload)

    def can_resume(self, connection: LiveConnection, since: int) -> bool:
        stream = self.streams.get(connection.principal.tenant_id)
        return stream is not None and stream.can_resume(since)

    def resume(self, connection: LiveConnection, since: int) -> None:
        """Queue what the client missed after ``since`` (check :meth:`can_resume` first)."""
        stream = self.streams.get(connection.principal.tenant_id)
        if stream is None:
            return
        replay = stream.replay(connection, since)
        for frame in replay.events:
            connection.push(frame)
        if replay.positions:
            connection.push_positions(replay.positions, position_frame(replay.positions))

    def resync_payload(self, reason: str) -> dict[str, str]:
        return {"reason": reason, "snapshot": SNAPSHOT_PATH}

    # the bus side ------------------------------------------------------------------------
    def _on_batch(self, batch: LiveBatch) -> None:
        stream = self.streams.get(batch.tenant_id)
        if stream is None:
            return  # nobody here watches this tenant
        if not stream.receive(batch):
            self._tell_resync(stream, "gap")
        self._waiting_since.setdefault(batch.tenant_id, asyncio.get_running_loop().time())
        self._schedule(stream)

    def _on_gap(self) -> None:
        for stream in self.streams.values():
            stream.mark_gap()
            self._tell_resync(stream, "gap")

    def _tell_resync(self, stream: TenantStream, reason: str) -> None:
        for connection in stream.connections:
            connection.push(
                self.control(connection, "resync_required", self.resync_payload(reason))
            )

    def _schedule(self, stream: TenantStream) -> None:
        tenant_id = stream.tenant_id
        if tenant_id in self._timers:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        at = now
        if stream.has_incoming:
            at = max(now, self._last_flush.get(tenant_id, 0.0) + self.settings.batch_s)
        else:
            due = stream.next_due()
            if due is None:
                return
            at = max(now, due)
        self._timers[tenant_id] = loop.call_at(at, self._flush, stream)

    def _flush(self, stream: TenantStream) -> None:
        tenant_id = stream.tenant_id
        self._timers.pop(tenant_id, None)
        now = asyncio.get_running_loop().time()
        self._last_flush[tenant_id] = now
        since = self._waiting_since.pop(tenant_id, None)
        if since is not None and self._flush_wait is not None:
            self._flush_wait.observe(now - since)
        try:
            stream.flush(now)
        except Exception:  # a broken flush must not stop the tenant's stream for good
            log.exception("live flush failed", extra={"tenant_id": str(tenant_id)})
        self.frames_flushed += 1
        if stream.next_due() is not None or stream.has_incoming:
            self._schedule(stream)

    # heartbeats --------------------------------------------------------------------------
    async def _heartbeat_forever(self) -> None:
        every = min(self.settings.heartbeat_s, self.settings.client_timeout_s) / 3
        while True:
            await asyncio.sleep(every)
            try:
                self.beat(time.monotonic())
            except Exception:
                log.exception("live heartbeat failed")

    def beat(self, now: float) -> None:
        """Heartbeat quiet clients, drop silent ones, forget idle tenant streams."""
        for tenant_id, stream in list(self.streams.items()):
            for connection in list(stream.connections):
                silent = now - connection.last_received > self.settings.client_timeout_s
                if silent and not connection.listens_only:
                    connection.close("heartbeat_timeout")
                elif now - connection.last_sent >= self.settings.heartbeat_s:
                    connection.last_sent = now
                    connection.push(self.control(connection, "heartbeat", {}))
            idle = now - stream.last_activity > self.settings.idle_stream_s
            if not stream.connections and idle:
                del self.streams[tenant_id]
                self._last_flush.pop(tenant_id, None)
