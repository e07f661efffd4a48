"""An async client of the live WebSocket that survives the network.

    async with LiveClient("https://fleet.example/api/v1/ws", api_key=KEY) as live:
        await live.subscribe(fleet=True)
        async for message in live:
            if message.type == "vehicle.position": ...
            elif message.type == "resync_required": ...  # GET message.payload["snapshot"]

It reconnects by itself (exponential backoff with jitter), sends its whole subscription
again with the last ``seq`` it saw (so the server replays what was missed, or says
``resync_required``), queues what you ``send`` while it is disconnected (bounded), and pings
the server so a quiet connection is not taken for a dead one. Authentication failures are
not retried: they raise :class:`LiveAuthError` from the iterator.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

log = logging.getLogger(__name__)

# Close codes / HTTP statuses that retrying will not fix.
_FATAL_CLOSE_CODES = frozenset({4401, 4403})
_FATAL_STATUSES = frozenset({401, 403})
CONTROL_TYPES = frozenset({"welcome", "subscribed", "unsubscribed", "heartbeat", "pong", "error"})


@dataclass(frozen=True, slots=True)
class LiveMessage:
    type: str
    seq: int
    ts: str
    payload: Any

    @classmethod
    def parse(cls, raw: str | bytes) -> LiveMessage:
        data = json.loads(raw)
        return cls(
            str(data["type"]), int(data["seq"]), str(data.get("ts", "")), data.get("payload")
        )


class LiveAuthError(Exception):
    """The server refused who we are (401/403): retrying would not help."""


@dataclass
class Backoff:
    """Waits between reconnects: ``initial`` doubling up to ``maximum``, each drawn from
    [½, 1] of that ("equal jitter"), so a fleet of clients cut off together spreads out."""

    initial_s: float = 0.5
    maximum_s: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self) -> float:
        ceiling = min(self.maximum_s, self.initial_s * float(2**self.attempt))
        self.attempt += 1
        return ceiling * self.rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.attempt = 0


@dataclass
class Subscription:
    """Everything asked for so far: sent whole on every (re)connect."""

    fleet: bool = False
    vehicles: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    min_interval_ms: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.fleet or self.vehicles or self.groups)

    def message(self, since_seq: int | None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "subscribe",
            "id": "resubscribe",
            "fleet": self.fleet,
            "vehicles": sorted(self.vehicles),
            "groups": sorted(self.groups),
        }
        if self.min_interval_ms is not None:
            message["min_interval_ms"] = self.min_interval_ms
        if since_seq is not None:
            message["since_seq"] = since_seq
        return message


class LiveClient:
    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        headers: dict[str, str] | None = None,
        backoff: Backoff | None = None,
        ping_every_s: float = 10.0,
        max_queued_sends: int = 1000,
        max_inbox: int = 10_000,
    ) -> None:
        self.url = url
        self.headers = dict(headers or {})
        if api_key is not None:
            self.headers["Authorization"] = f"Bearer {api_key}"
        self.backoff = backoff or Backoff()
        self.ping_every_s = ping_every_s
        self.last_seq: int | None = None
        self.connected = asyncio.Event()
        self.connections = 0  # how many times it has connected
        self._subscription = Subscription()
        self._outbox: deque[str] = deque(maxlen=max_queued_sends)
        self._inbox: asyncio.Queue[LiveMessage | BaseException] = asyncio.Queue(max_inbox)
        self._ws: websockets.ClientConnection | None = None
        self._runner: asyncio.Task[None] | None = None
        self._closing = False

    # lifecycle ---------------------------------------------------------------------------
    async def __aenter__(self) -> LiveClient:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def start(self) -> None:
        if self._runner is None:
            self._runner = asyncio.create_task(self._run_forever(), name="live-client")

    async def close(self) -> None:
        self._closing = True
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        if self._ws is not None:
            await self._ws.close()

    # what you ask for --------------------------------------------------------------------
    async def subscribe(
        self,
        *,
        fleet: bool = False,
        vehicles: Iterable[uuid.UUID | str] = (),
        groups: Iterable[uuid.UUID | str] = (),
        min_interval_ms: int | None = None,
    ) -> None:
        """Watch more. Remembered, and sent again on every reconnect."""
        sub = self._subscription
        sub.fleet = sub.fleet or fleet
        new_vehicles = {str(v) for v in vehicles}
        new_groups = {str(g) for g in groups}
        sub.vehicles |= new_vehicles
        sub.groups |= new_groups
        if min_interval_ms is not None:
            sub.min_interval_ms = min_interval_ms
        message: dict[str, Any] = {
            "type": "subscribe",
            "fleet": fleet,
            "vehicles": sorted(new_vehicles),
            "groups": sorted(new_groups),
        }
        if min_interval_ms is not None:
            message["min_interval_ms"] = min_interval_ms
        await self._send_now(message)

    async def unsubscribe(
        self,
        *,
        fleet: bool = False,
        vehicles: Iterable[uuid.UUID | str] = (),
        groups: Iterable[uuid.UUID | str] = (),
    ) -> None:
        sub = self._subscription
        gone_vehicles = {str(v) for v in vehicles}
        gone_groups = {str(g) for g in groups}
        sub.fleet = sub.fleet and not fleet
        sub.vehicles -= gone_vehicles
        sub.groups -= gone_groups
        await self._send_now(
            {
                "type": "unsubscribe",
                "fleet": fleet,
                "vehicles": sorted(gone_vehicles),
                "groups": sorted(gone_groups),
            }
        )

    async def send(self, message: dict[str, Any]) -> None:
        """Send now, or once reconnected (the oldest are dropped past ``max_queued_sends``)."""
        text = json.dumps(message)
        if self._ws is not None and self.connected.is_set():
            with contextlib.suppress(ConnectionClosed):
                await self._ws.send(text)
                return
        self._outbox.append(text)

    async def _send_now(self, message: dict[str, Any]) -> None:
        """Subscription changes are not queued: the reconnect sends the whole state."""
        if self._ws is not None and self.connected.is_set():
            with contextlib.suppress(ConnectionClosed):
                await self._ws.send(json.dumps(message))

    # what arrives ------------------------------------------------------------------------
    def __aiter__(self) -> AsyncIterator[LiveMessage]:
        return self._messages()

    async def _messages(self) -> AsyncIterator[LiveMessage]:
        while True:
            item = await self._inbox.get()
            if isinstance(item, BaseException):
                raise item
            yield item

    async def next(self, within_s: float | None = None) -> LiveMessage:
        item = await asyncio.wait_for(self._inbox.get(), within_s)
        if isinstance(item, BaseException):
            raise item
        return item

    # the connection loop -----------------------------------------------------------------
    async def _run_forever(self) -> None:
        while not self._closing:
            try:
                await self._run_once()
            except LiveAuthError as refused:
                await self._inbox.put(refused)
                return
            except (OSError, WebSocketException, TimeoutError, EOFError) as lost:
                log.info("live connection lost: %s", lost)
            finally:
                self.connected.clear()
                self._ws = None
            if self._closing:
                return
            await asyncio.sleep(self.backoff.next_delay())

    async def _run_once(self) -> None:
        try:
            ws = await websockets.connect(
                self.url, additional_headers=self.headers, open_timeout=10
            )
        except InvalidStatus as exc:
            if exc.response.status_code in _FATAL_STATUSES:
                raise LiveAuthError(exc.response.body.decode(errors="replace")) from exc
            raise
        async with ws:
            self._ws = ws
            self.connections += 1
            await self._greet(ws)
            pinger = asyncio.create_task(self._ping_forever(ws))
            try:
                async for raw in ws:
                    await self._take(LiveMessage.parse(raw))
            finally:
                pinger.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pinger
            if ws.close_code in _FATAL_CLOSE_CODES:
                raise LiveAuthError(ws.close_reason or str(ws.close_code))

    async def _greet(self, ws: websockets.ClientConnection) -> None:
        """After the welcome: resubscribe (resuming from the last seq), then what waited."""
        welcome = LiveMessage.parse(await asyncio.wait_for(ws.recv(), 10))
        # Not a resume point: this connection has watched nothing yet.
        await self._inbox.put(welcome)
        if not self._subscription.empty:
            since = self.last_seq if self.connections > 1 else None
            await ws.send(json.dumps(self._subscription.message(since)))
        while self._outbox:
            await ws.send(self._outbox.popleft())
        self.connected.set()
        self.backoff.reset()

    async def _take(self, message: LiveMessage) -> None:
        if message.seq and (self.last_seq is None or message.seq > self.last_seq):
            self.last_seq = message.seq
        await self._inbox.put(message)

    async def _ping_forever(self, ws: websockets.ClientConnection) -> None:
        while True:
            await asyncio.sleep(self.ping_every_s)
            await ws.send('{"type":"ping"}')
