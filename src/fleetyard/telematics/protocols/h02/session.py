"""The H02 connection: no login, the first frame's id identifies the device.

    first frame ──► Identified(id) ──accept()/reject()──► b"" (H02 has no login reply)

Every later frame must carry the same id. Events come back in stream order; those after an
``Identified`` in the same list belong to that device (drop them if it is rejected). Replies
that carry the server time (V1, NBR) read it from the session's ``clock``. When earlier frames
of a chunk decoded, their events are returned and the error behind them is raised by the next
call. ``receive_data(b"")`` (as in h11) or ``end_of_stream()`` reports a frame cut off by the
close.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime

from fleetyard.telematics.protocols.base import (
    CommandResult,
    Event,
    Heartbeat,
    Identified,
    PositionsDecoded,
    ProtocolError,
)
from fleetyard.telematics.protocols.h02 import binary, messages, tables
from fleetyard.telematics.protocols.h02.framing import H02Framer, RawFrame
from fleetyard.telematics.protocols.h02.messages import Sentence


class _State(enum.Enum):
    UNIDENTIFIED = enum.auto()
    AWAITING_DECISION = enum.auto()  # Identified was emitted: accept() or reject() is due
    ACCEPTED = enum.auto()
    REJECTED = enum.auto()


def utc_now() -> datetime:
    return datetime.now(UTC)


class H02Session:
    """``clock`` gives the current time for replies (timezone-aware; tests pass a fixed one);
    ``binary_length`` is the size of ``$`` records on this port when known (32, 42, 45, …);
    by default the framer learns it from the stream."""

    def __init__(
        self, *, clock: Callable[[], datetime] = utc_now, binary_length: int | None = None
    ) -> None:
        self.clock = clock
        self.unique_id: str | None = None
        self._state = _State.UNIDENTIFIED
        self._framer = H02Framer(binary_length)
        self._error: ProtocolError | None = None

    def receive_data(self, data: bytes) -> list[Event]:
        if not data:
            self.end_of_stream()
            return []
        if self._error is not None:
            raise self._error
        if self._state is _State.REJECTED:
            raise ProtocolError("data after the device was rejected")
        self._framer.receive(data)
        events: list[Event] = []
        try:
            while (frame := self._framer.next_frame()) is not None:
                events.extend(self._handle(frame))
        except ProtocolError as exc:
            self._error = exc
            if not events:
                raise
        return events

    def end_of_stream(self) -> None:
        """The peer closed the connection: raise if it failed or stopped inside a frame."""
        if self._error is not None:
            raise self._error
        if self._framer.pending:
            raise ProtocolError(f"connection closed inside a frame ({self._framer.pending} B)")

    def accept(self) -> bytes:
        self._decide(_State.ACCEPTED)
        return b""

    def reject(self) -> bytes:
        self._decide(_State.REJECTED)
        self._framer.clear()
        return b""

    def _decide(self, state: _State) -> None:
        if self._state is not _State.AWAITING_DECISION:
            raise RuntimeError(f"accept()/reject() without a pending id (state {self._state})")
        self._state = state

    def _handle(self, frame: RawFrame) -> list[Event]:
        if frame.binary:
            events = self._identify(binary.binary_device_id(frame.data))
            position = binary.decode_binary(frame.data)
            events.append(PositionsDecoded([position]) if position else Heartbeat())
            return events
        sentence = messages.parse_sentence(frame.data)
        events = self._identify(sentence.device_id)
        events.append(self._sentence_event(sentence))
        return events

    def _identify(self, device_id: str) -> list[Event]:
        if self.unique_id is None:
            self.unique_id = device_id
            self._state = _State.AWAITING_DECISION
            return [Identified(device_id)]
        if device_id != self.unique_id:
            raise ProtocolError(f"frame from {device_id} on {self.unique_id}'s connection")
        return []

    def _sentence_event(self, sentence: Sentence) -> Event:
        if messages.is_location(sentence):
            position = messages.decode_location(sentence)
            if position is None:
                return Heartbeat()  # alive, but no fix to store
            ack = messages.location_reply(sentence, self.clock()) if sentence.type == "V1" else b""
            return PositionsDecoded([position], ack=ack)
        if sentence.type == "V4":
            return CommandResult(messages.command_text(sentence))
        if sentence.type in tables.HEARTBEAT_ECHO_TYPES:
            return Heartbeat(messages.heartbeat_reply(sentence))
        if sentence.type == "NBR":
            return Heartbeat(messages.cells_reply(sentence, self.clock()))
        return Heartbeat()  # LINK, V3, VP1, XT, …: alive; no fix in them
