"""Teltonika over UDP: each datagram stands alone; its ack goes back after the commit."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.protocols.base import ProtocolError
from fleetyard.telematics.protocols.teltonika import decode_udp

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 5_000  # datagrams being stored at once; beyond this they are dropped (resent)


@dataclass
class TeltonikaUdp(asyncio.DatagramProtocol):
    directory: DeviceDirectory
    pipeline: IngestPipeline
    transport: asyncio.DatagramTransport | None = None
    in_flight: set[asyncio.Task[None]] = field(default_factory=set)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram transport here

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        if len(self.in_flight) >= MAX_IN_FLIGHT:
            log.warning("udp overloaded; dropping datagram (the device resends)")
            return
        task = asyncio.create_task(self._handle(data, addr))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def _handle(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        peer = f"{addr[0]}:{addr[1]}" if len(addr) >= 2 else str(addr)
        try:
            decoded = decode_udp(data)
        except ProtocolError as exc:
            log.warning("dropping bad udp datagram", extra={"peer": peer, "reason": str(exc)[:200]})
            return
        route = await self.directory.resolve(decoded.imei)
        if route is None:
            await self.directory.record_unknown(decoded.imei, "teltonika", peer)
            return
        try:
            await self.pipeline.submit(route, decoded.positions)
        except Exception:  # not stored: no ack, the device resends
            log.warning("udp records not stored; not acked", extra={"peer": peer})
            return
        if self.transport is not None:
            self.transport.sendto(decoded.ack, addr)


async def listen_udp(
    directory: DeviceDirectory, pipeline: IngestPipeline, host: str, port: int
) -> tuple[asyncio.DatagramTransport, int]:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: TeltonikaUdp(directory, pipeline), local_addr=(host, port)
    )
    bound: int = transport.get_extra_info("sockname")[1]
    log.info("device server listening", extra={"protocol": "teltonika-udp", "port": bound})
    return transport, bound
