"""One client's side of the live protocol, whatever carries it (WebSocket or SSE): parse
its messages, apply its subscriptions, answer, and keep group memberships current."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from pydantic import ValidationError

from fleetyard.kit.ids import TenantId
from fleetyard.realtime.connection import LiveConnection
from fleetyard.realtime.hub import Hub
from fleetyard.realtime.messages import (
    MAX_SUBSCRIBED_VEHICLES,
    Ping,
    Pong,
    Subscribe,
    Unsubscribe,
    client_message,
)
from fleetyard.realtime.repository import LiveRepository

SCHEMA_PATH = "/api/v1/live/schema"
# Inbound messages per connection: a short burst is fine, a flood is refused, then dropped.
BURST = 20
PER_SECOND = 10.0
MEMBERSHIP_REFRESH_S = 0.5


class InboundLimit:
    """A token bucket over a client's messages."""

    def __init__(self, burst: int = BURST, per_second: float = PER_SECOND) -> None:
        self.burst = burst
        self.per_second = per_second
        self.tokens = float(burst)
        self.refused = 0
        self._at = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self._at) * self.per_second)
        self._at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.refused += 1
        return False


class LiveSession:
    def __init__(self, hub: Hub, connection: LiveConnection, repo: LiveRepository) -> None:
        self.hub = hub
        self.connection = connection
        self.repo = repo
        self.limit = InboundLimit()
        self._refresh: asyncio.Task[None] | None = None
        connection.on_membership_change = self._membership_changed

    @classmethod
    def for_connection(cls, hub: Hub, connection: LiveConnection, sessionmaker: Any) -> LiveSession:
        repo = LiveRepository(sessionmaker, TenantId(connection.principal.tenant_id))
        return cls(hub, connection, repo)

    async def open(self) -> None:
        await self.hub.attach(self.connection)
        self._send(
            "welcome",
            {
                "tenant_id": self.connection.principal.tenant_id,
                "connection_id": self.connection.id,
                "heartbeat_s": self.hub.settings.heartbeat_s,
                "batch_ms": self.hub.settings.batch_s * 1000,
                "schema_url": SCHEMA_PATH,
            },
        )

    def close(self) -> None:
        self.hub.detach(self.connection)
        if self._refresh is not None:
            self._refresh.cancel()

    async def wait_closed(self) -> None:
        if self._refresh is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresh

    # inbound -----------------------------------------------------------------------------
    async def receive(self, raw: str | bytes) -> None:
        self.connection.last_received = time.monotonic()
        if not self.limit.allow():
            if self.limit.refused > 5 * BURST:
                self.connection.close("policy_violation")
            else:
                self._error("rate_limited", "Too many messages; slow down.")
            return
        try:
            message = client_message.validate_json(raw)
        except ValidationError as exc:
            errors = [
                {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
                for e in exc.errors(include_url=False, include_input=False)[:10]
            ]
            self._error("validation_failed", "The message is not valid.", {"errors": errors})
            return
        if isinstance(message, Subscribe):
            await self.subscribe(message)
        elif isinstance(message, Unsubscribe):
            self.unsubscribe(message)
        elif isinstance(message, Ping):
            self._send("pong", {"id": message.id})
        elif isinstance(message, Pong):
            pass  # its arrival already counted as a sign of life

    async def subscribe(self, message: Subscribe) -> None:
        connection = self.connection
        vehicles = set(message.vehicles)
        groups = set(message.groups)
        known_vehicles = await self.repo.existing_vehicles(vehicles)
        known_groups = await self.repo.existing_groups(groups)
        unknown = {
            "vehicles": sorted(str(v) for v in vehicles - known_vehicles),
            "groups": sorted(str(g) for g in groups - known_groups),
        }
        if unknown["vehicles"] or unknown["groups"]:
            self._error("not_found", "Some vehicles or groups do not exist.", unknown)
        if len(connection.vehicles | known_vehicles) > MAX_SUBSCRIBED_VEHICLES:
            self._error("limit_exceeded", f"At most {MAX_SUBSCRIBED_VEHICLES} vehicles.")
            return
        old_interval = connection.interval_ms
        connection.fleet = connection.fleet or message.fleet
        connection.vehicles |= known_vehicles
        if known_groups - connection.groups:
            connection.groups |= known_groups
            connection.group_vehicles = await self.repo.vehicles_in_groups(connection.groups)
        if message.min_interval_ms is not None:
            connection.interval_ms = message.min_interval_ms
        self._reindex(old_interval)
        since = message.since_seq
        resumed = None if since is None else self.hub.can_resume(connection, since)
        self._send("subscribed", self._state(message.id, resumed))
        if since is not None and resumed:
            self.hub.resume(connection, since)
        elif since is not None:
            self._send("resync_required", self.hub.resync_payload(self._why_not(since)))

    def _why_not(self, since: int) -> str:
        stream = self.hub.streams.get(self.connection.principal.tenant_id)
        if stream is not None and since > stream.flushed:
            return "unknown_seq"  # numbers from before a restart, or made up
        return "too_old"

    def unsubscribe(self, message: Unsubscribe) -> None:
        connection = self.connection
        if message.all:
            connection.fleet = False
            connection.vehicles.clear()
            connection.groups.clear()
            connection.group_vehicles.clear()
        else:
            connection.fleet = connection.fleet and not message.fleet
            connection.vehicles -= set(message.vehicles)
            if set(message.groups) & connection.groups:
                connection.groups -= set(message.groups)
                self._schedule_membership_refresh(at_once=True)
        self._reindex(connection.interval_ms)
        self._send("unsubscribed", self._state(message.id, None))

    # group memberships -------------------------------------------------------------------
    def _membership_changed(self) -> None:
        if self.connection.groups:
            self._schedule_membership_refresh(at_once=False)

    def _schedule_membership_refresh(self, *, at_once: bool) -> None:
        if self._refresh is not None and not self._refresh.done():
            return
        self._refresh = asyncio.create_task(self._refresh_memberships(at_once))

    async def _refresh_memberships(self, at_once: bool) -> None:
        if not at_once:  # let a burst of vehicle changes settle first
            await asyncio.sleep(MEMBERSHIP_REFRESH_S)
        connection = self.connection
        connection.group_vehicles = await self.repo.vehicles_in_groups(connection.groups)
        self._reindex(connection.interval_ms)

    # outbound ----------------------------------------------------------------------------
    def _reindex(self, old_interval: int) -> None:
        stream = self.hub.streams.get(self.connection.principal.tenant_id)
        if stream is not None:
            stream.reindex(self.connection, old_interval)

    def _state(self, request_id: str | None, resumed: bool | None) -> dict[str, Any]:
        connection = self.connection
        state: dict[str, Any] = {
            "id": request_id,
            "fleet": connection.fleet,
            "vehicles": sorted(connection.vehicles, key=str),
            "groups": sorted(connection.groups, key=str),
            "min_interval_ms": connection.interval_ms,
        }
        if resumed is not None:
            state["resumed"] = resumed
        return state

    def _send(self, type_: str, payload: object) -> None:
        self.connection.push(self.hub.control(self.connection, type_, payload))

    def _error(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        self._send("error", {"code": code, "message": message, "details": details or {}})
