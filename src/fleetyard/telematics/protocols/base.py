"""What a protocol session (sans-I/O, like h11) hands back to the gateway.

A gateway connection owns one session object per socket: it feeds received bytes with
``receive_data(data)`` and gets back a list of events, in order. The session never touches a
socket, a clock it wasn't given, or the database.

Ack after commit: a ``PositionsDecoded`` event carries the reply bytes that acknowledge those
records (Teltonika record count, GT06 location ack, …); the gateway sends them only once the
positions are durable. A ``Reply`` is sent at once (handshakes, heartbeats). ``Identified``
asks the gateway whether the device is registered; it answers with ``session.accept()`` or
``session.reject()``, which return the bytes to send (possibly empty).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from fleetyard.telematics.position import Position

DEFAULT_MAX_FRAME = 64 * 1024


class ProtocolError(Exception):
    """The peer sent bytes that are not this protocol: close the connection and log it."""


@dataclass(frozen=True, slots=True)
class Identified:
    unique_id: str


@dataclass(frozen=True, slots=True)
class PositionsDecoded:
    positions: list[Position]
    ack: bytes = b""  # send only after the positions are stored


@dataclass(frozen=True, slots=True)
class Reply:
    data: bytes  # send now


@dataclass(frozen=True, slots=True)
class CommandResult:
    text: str  # a device's answer to a command we sent (Teltonika Codec 12 response)


@dataclass(frozen=True, slots=True)
class Heartbeat:
    reply: bytes = b""


Event = Identified | PositionsDecoded | Reply | CommandResult | Heartbeat


@dataclass
class FrameBuffer:
    """Accumulates received bytes; refuses to grow past ``max_size`` (a hostile peer can't
    make us buffer without bound)."""

    max_size: int = DEFAULT_MAX_FRAME
    data: bytearray = field(default_factory=bytearray)

    def extend(self, chunk: bytes) -> None:
        if len(self.data) + len(chunk) > self.max_size:
            raise ProtocolError(f"frame larger than {self.max_size} bytes")
        self.data.extend(chunk)

    def take(self, n: int) -> bytes:
        chunk = bytes(self.data[:n])
        del self.data[:n]
        return chunk


class ProtocolSession(Protocol):
    """One device connection's protocol state (a stream protocol: Teltonika TCP, GT06, H02)."""

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed received bytes; the events they complete, in order. Raises ProtocolError."""
        ...

    def accept(self) -> bytes:
        """After ``Identified``: the device is registered. Bytes to send (may be empty)."""
        ...

    def reject(self) -> bytes:
        """After ``Identified``: nobody registered it. Bytes to send before closing."""
        ...
