"""The live parts of one process, wired from settings: the bus, the hub (in processes that
serve the API) and the connection caps."""

from __future__ import annotations

import uuid
from collections import Counter

from fleetyard.auth.principal import Principal
from fleetyard.config import Settings
from fleetyard.errors import TooManyConnections
from fleetyard.kit.observability import Metrics
from fleetyard.realtime.bus import Bus, bus_for
from fleetyard.realtime.connection import OutboxLimits
from fleetyard.realtime.hub import Hub, HubSettings
from fleetyard.realtime.publishers import CommittedEvents


class LiveRuntime:
    def __init__(
        self, settings: Settings, bus: Bus | None = None, metrics: Metrics | None = None
    ) -> None:
        self.bus = bus or bus_for(settings.redis_url)
        self.hub = Hub(
            self.bus,
            HubSettings(
                batch_s=settings.live_batch_ms / 1000,
                heartbeat_s=settings.live_heartbeat_s,
                client_timeout_s=settings.live_client_timeout_s,
                max_events_buffered=settings.live_buffer_events,
            ),
            flush_wait=metrics.live_flush_wait if metrics else None,
        )
        self.outbox = OutboxLimits(max_bytes=settings.live_outbox_max_bytes)
        self.max_connections = settings.live_max_connections
        self.max_per_tenant = settings.live_max_connections_per_tenant
        self.on_committed = CommittedEvents(self.bus)
        self._open: Counter[uuid.UUID] = Counter()
        self._started = False

    async def start(self, *, serve_clients: bool) -> None:
        await self.bus.start()
        if serve_clients:
            await self.hub.start()
        self._started = True

    async def stop(self) -> None:
        if self._started:
            await self.hub.stop()
            await self.bus.stop()
            self._started = False

    @property
    def connections(self) -> int:
        return sum(self._open.values())

    def admit(self, principal: Principal) -> None:
        """Count a new live connection, or refuse it past the caps."""
        tenant_id = principal.tenant_id
        if self.connections >= self.max_connections:
            raise TooManyConnections(details={"scope": "server"})
        if self._open[tenant_id] >= self.max_per_tenant:
            raise TooManyConnections(details={"scope": "tenant", "limit": self.max_per_tenant})
        self._open[tenant_id] += 1

    def release(self, principal: Principal) -> None:
        self._open[principal.tenant_id] -= 1
        if self._open[principal.tenant_id] <= 0:
            del self._open[principal.tenant_id]
