"""One Teltonika TCP connection as a sans-I/O state machine.

    IMEI packet ──► Identified(imei) ──accept()──► b"\\x01", then AVL / Codec 12 / keep-alive
                                     └─reject()──► b"\\x00", then nothing more is accepted

Each AVL packet gives PositionsDecoded(positions, ack=record count as 4 bytes), to be sent once
the positions are stored: the device deletes acked records from its flash. A Codec 12 response
gives CommandResult(text) and a lone 0xFF byte Heartbeat() (neither is answered).

Errors: bytes that cannot be Teltonika (bad preamble, CRC, counts, codec, oversized length) raise
ProtocolError and nothing of that packet is acked. When earlier packets in the same chunk already
decoded, their events are returned first and the error is raised by the next call, so valid
data is never lost to the garbage behind it; the session stays failed from then on. A partial
packet is buffered; when the peer closes, ``receive_data(b"")`` (as in h11) or ``end_of_stream()``
raises if it left one behind.
"""

from __future__ import annotations

from enum import Enum, auto

from fleetyard.telematics.protocols.base import (
    DEFAULT_MAX_FRAME,
    CommandResult,
    Event,
    FrameBuffer,
    Heartbeat,
    Identified,
    PositionsDecoded,
    ProtocolError,
)
from fleetyard.telematics.protocols.teltonika.codec8 import AVL_CODECS, decode_avl_data
from fleetyard.telematics.protocols.teltonika.codec12 import CODEC_12, decode_response
from fleetyard.telematics.protocols.teltonika.framing import (
    DataPacket,
    Frame,
    ImeiPacket,
    KeepAlive,
    next_frame,
)
from fleetyard.telematics.protocols.teltonika.positions import to_position

ACCEPT = b"\x01"
REJECT = b"\x00"


class _State(Enum):
    AWAITING_IMEI = auto()
    AWAITING_DECISION = auto()  # Identified was emitted; the gateway calls accept() or reject()
    ACCEPTED = auto()
    REJECTED = auto()


class TeltonikaSession:
    def __init__(self, *, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self._buffer = FrameBuffer(max_size=max_frame)
        self._state = _State.AWAITING_IMEI
        self._imei: str | None = None
        self._error: ProtocolError | None = None

    @property
    def imei(self) -> str | None:
        return self._imei

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed received bytes; get the events of every packet they complete, in order.

        Events after an Identified in the same list belong to that device: handle Identified
        (accept or reject) first, and drop the rest if it was rejected. ``b""`` means the peer
        closed the connection (see ``end_of_stream``).
        """
        if not data:
            self.end_of_stream()
            return []
        if self._error is not None:
            raise self._error
        if self._state is _State.REJECTED:
            raise ProtocolError("data after the IMEI was rejected")
        events: list[Event] = []
        try:
            self._feed(data, events)
        except ProtocolError as exc:
            self._error = exc
            if not events:
                raise
        return events

    def accept(self) -> bytes:
        self._decide(_State.ACCEPTED)
        return ACCEPT

    def reject(self) -> bytes:
        self._decide(_State.REJECTED)
        self._buffer.take(len(self._buffer.data))
        return REJECT

    def end_of_stream(self) -> None:
        """The peer closed the connection: raise if it failed or stopped inside a packet."""
        if self._error is not None:
            raise self._error
        if self._buffer.data:
            raise ProtocolError(f"connection closed inside a packet ({len(self._buffer.data)} B)")

    def _decide(self, state: _State) -> None:
        if self._state is not _State.AWAITING_DECISION:
            raise RuntimeError(f"accept()/reject() without a pending IMEI (state {self._state})")
        self._state = state

    def _feed(self, data: bytes, events: list[Event]) -> None:
        # Top the buffer up to its bound, cut complete packets, repeat: a large read holding
        # many small packets is fine, a single packet over the bound is refused by the framer.
        offset = 0
        while True:
            room = self._buffer.max_size - len(self._buffer.data)
            chunk = data[offset : offset + room]
            self._buffer.extend(chunk)
            offset += len(chunk)
            self._drain(events)
            if offset >= len(data):
                return
            if len(self._buffer.data) >= self._buffer.max_size:
                raise ProtocolError(f"packet larger than {self._buffer.max_size} bytes")

    def _drain(self, events: list[Event]) -> None:
        while True:
            found = next_frame(
                self._buffer.data,
                expect_imei=self._state is _State.AWAITING_IMEI,
                max_frame=self._buffer.max_size,
            )
            if found is None:
                return
            frame, size = found
            events.append(self._handle(frame))
            self._buffer.take(size)

    def _handle(self, frame: Frame) -> Event:
        if isinstance(frame, KeepAlive):
            return Heartbeat()
        if isinstance(frame, ImeiPacket):
            self._imei = frame.imei
            self._state = _State.AWAITING_DECISION
            return Identified(frame.imei)
        return self._handle_data(frame)

    def _handle_data(self, packet: DataPacket) -> Event:
        imei = self._imei
        if imei is None:  # the framer only reads data packets after the IMEI
            raise ProtocolError("data packet before the IMEI packet")
        if packet.codec_id in AVL_CODECS:
            records = decode_avl_data(packet.data_field)
            positions = [to_position(imei, record) for record in records]
            return PositionsDecoded(positions, ack=len(records).to_bytes(4, "big"))
        if packet.codec_id == CODEC_12:
            return CommandResult(decode_response(packet.data_field))
        raise ProtocolError(f"unsupported codec 0x{packet.codec_id:02X}")
