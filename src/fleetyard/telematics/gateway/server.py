"""Starts the configured device servers and keeps track of live connections (for commands)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from fleetyard.telematics.gateway.connection import DeviceConnection
from fleetyard.telematics.gateway.limits import ConnectionLimits
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.protocols.base import ProtocolSession

log = logging.getLogger(__name__)

SessionFactory = Callable[[], ProtocolSession]


@dataclass
class StreamListener:
    protocol: str
    port: int
    session_factory: SessionFactory
    host: str = "0.0.0.0"
    multi_device: bool = False


@dataclass
class Gateway:
    directory: DeviceDirectory
    pipeline: IngestPipeline
    limits: ConnectionLimits = field(default_factory=ConnectionLimits)
    servers: list[asyncio.Server] = field(default_factory=list)
    connections: dict[str, DeviceConnection] = field(default_factory=dict)  # by unique id
    _open: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def open_connections(self) -> int:
        return len(self._open)

    async def listen(self, listener: StreamListener) -> int:
        """Start one TCP server; returns the bound port (useful when asked for port 0)."""

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            if len(self._open) >= self.limits.max_connections:
                log.warning(
                    "connection cap reached; refusing", extra={"protocol": listener.protocol}
                )
                writer.close()
                return
            self._open.add(task)
            connection = DeviceConnection(
                protocol=listener.protocol,
                session=listener.session_factory(),
                reader=reader,
                writer=writer,
                directory=self.directory,
                pipeline=self.pipeline,
                limits=self.limits,
                multi_device=listener.multi_device,
                on_identified=self._register,
                on_closed=self._forget,
            )
            try:
                await connection.run()
            except asyncio.CancelledError:
                # Shutting down (close() cancels every connection): end quietly; asyncio
                # would otherwise log each cancelled handler as an error.
                writer.close()
            finally:
                self._open.discard(task)

        server = await asyncio.start_server(
            handle, listener.host, listener.port, limit=self.limits.read_size * 4, backlog=1024
        )
        self.servers.append(server)
        port: int = server.sockets[0].getsockname()[1]
        log.info("device server listening", extra={"protocol": listener.protocol, "port": port})
        return port

    def _register(self, connection: DeviceConnection) -> None:
        assert connection.unique_id is not None
        self.connections[connection.unique_id] = connection

    def _forget(self, connection: DeviceConnection) -> None:
        if connection.unique_id and self.connections.get(connection.unique_id) is connection:
            del self.connections[connection.unique_id]

    async def close(self) -> None:
        for server in self.servers:
            server.close()
        for task in list(self._open):
            task.cancel()
        for task in list(self._open):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for server in self.servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()
        self.servers.clear()
