"""One device connection: bytes in → session events → storage → ack out.

Per promise 1, a records ack is written only after ``pipeline.submit`` returns, i.e. after the
batch holding those records committed. A protocol error, an unknown device, an idle timeout or
a storage failure closes this one connection (with a log line); nothing else is disturbed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from fleetyard.telematics.gateway.limits import ConnectionLimits
from fleetyard.telematics.ingest.directory import DeviceDirectory, DeviceRoute
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.protocols.base import (
    CommandResult,
    Event,
    Heartbeat,
    Identified,
    PositionsDecoded,
    ProtocolError,
    ProtocolSession,
    Reply,
)

log = logging.getLogger(__name__)


class CloseConnection(Exception):
    """End this connection quietly (already logged)."""


@dataclass
class DeviceConnection:
    protocol: str
    session: ProtocolSession
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    directory: DeviceDirectory
    pipeline: IngestPipeline
    limits: ConnectionLimits
    # HTTP protocols (OsmAnd) name their device in every request, and a proxy may carry
    # several devices over one connection; stream protocols identify once.
    multi_device: bool = False
    on_identified: Callable[[DeviceConnection], None] | None = None
    on_closed: Callable[[DeviceConnection], None] | None = None
    unique_id: str | None = None
    route: DeviceRoute | None = None
    command_replies: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(maxsize=16))

    @property
    def peer(self) -> str:
        peer = self.writer.get_extra_info("peername")
        return f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)

    async def run(self) -> None:
        try:
            while True:
                async with asyncio.timeout(self.limits.idle_timeout_s):  # no task per read
                    data = await self.reader.read(self.limits.read_size)
                if not data:  # end of stream: a half-sent frame is reported, never acked
                    for event in self.session.receive_data(b""):
                        await self._handle(event)
                    return
                for event in self.session.receive_data(data):
                    await self._handle(event)
        except ProtocolError as exc:
            log.warning(
                "closing device connection: protocol error",
                extra=self._context(reason=str(exc)[:200]),
            )
        except TimeoutError:
            log.info("closing idle device connection", extra=self._context())
        except CloseConnection:
            pass
        except (ConnectionError, asyncio.IncompleteReadError):
            log.info("device connection lost", extra=self._context())
        finally:
            if self.on_closed is not None:
                self.on_closed(self)
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()

    async def send(self, data: bytes) -> None:
        if not data:
            return
        self.writer.write(data)
        async with asyncio.timeout(self.limits.write_timeout_s):
            await self.writer.drain()

    async def _handle(self, event: Event) -> None:
        if isinstance(event, Identified):
            await self._identify(event.unique_id)
        elif isinstance(event, PositionsDecoded):
            if self.route is None:
                raise ProtocolError("records before identification")
            try:
                await self.pipeline.submit(self.route, event.positions)
            except Exception as exc:  # not stored → no ack; the device will resend
                log.warning(
                    "closing device connection: records not stored, not acked",
                    extra=self._context(records=len(event.positions)),
                )
                raise CloseConnection from exc
            await self.send(event.ack)
        elif isinstance(event, Reply):
            await self.send(event.data)
        elif isinstance(event, Heartbeat):
            await self.send(event.reply)
        elif isinstance(event, CommandResult):
            if self.command_replies.full():
                self.command_replies.get_nowait()  # nobody is waiting for the oldest
            self.command_replies.put_nowait(event.text)

    async def _identify(self, unique_id: str) -> None:
        if self.route is not None:
            if unique_id == self.unique_id:
                return
            if not self.multi_device:
                raise ProtocolError("a second identity on one connection")
        route = await self.directory.resolve(unique_id)
        self.unique_id = unique_id
        if route is None:
            await self.directory.record_unknown(unique_id, self.protocol, self.peer)
            log.info("refusing unknown device", extra=self._context())
            await self.send(self.session.reject())
            raise CloseConnection
        self.route = route
        await self.send(self.session.accept())
        if self.on_identified is not None:
            self.on_identified(self)

    def _context(self, **extra: object) -> dict[str, object]:
        return {
            "protocol": self.protocol,
            "unique_id": self.unique_id,
            "peer": self.peer,
            "tenant_id": str(self.route.tenant_id) if self.route else None,
            **extra,
        }
