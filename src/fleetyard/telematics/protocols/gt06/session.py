"""The GT06 connection state machine: login first, then locations, alarms and heartbeats.

    login ──► Identified(imei) ──accept()──► login reply, then 0x12/0x22/0x16/0x26/0x13/…
                               └─reject()──► b"" (GT06 has no refusal), nothing more accepted

Events come back in stream order; those after an ``Identified`` in the same list belong to
that device (drop them if it is rejected). When earlier frames of a chunk decoded, their events
are returned and the error behind them is raised by the next call; the session stays failed.
``receive_data(b"")`` (as in h11) or ``end_of_stream()`` reports a frame cut off by the close.
"""

from __future__ import annotations

import enum
from datetime import timedelta

from fleetyard.telematics.protocols.base import (
    CommandResult,
    Event,
    Heartbeat,
    Identified,
    PositionsDecoded,
    ProtocolError,
    Reply,
)
from fleetyard.telematics.protocols.gt06 import messages, tables
from fleetyard.telematics.protocols.gt06.framing import Frame, Gt06Framer


class _State(enum.Enum):
    AWAITING_LOGIN = enum.auto()
    AWAITING_DECISION = enum.auto()  # Identified was emitted: accept() or reject() is due
    ACCEPTED = enum.auto()
    REJECTED = enum.auto()


class Gt06Session:
    """``ack_locations``: also acknowledge 0x12/0x22 (Traccar does; the spec expects no reply).
    ``use_login_timezone``: read GPS times as local time in the zone an extended login announces
    (some firmwares); by default they are UTC, as the GT06 document says."""

    def __init__(self, *, ack_locations: bool = False, use_login_timezone: bool = False) -> None:
        self.ack_locations = ack_locations
        self.use_login_timezone = use_login_timezone
        self.unique_id: str | None = None
        self._state = _State.AWAITING_LOGIN
        self._framer = Gt06Framer()
        self._error: ProtocolError | None = None
        self._login_reply = b""
        self._utc_offset = timedelta(0)

    def receive_data(self, data: bytes) -> list[Event]:
        if not data:
            self.end_of_stream()
            return []
        if self._error is not None:
            raise self._error
        if self._state is _State.REJECTED:
            raise ProtocolError("data after the login was rejected")
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
        return self._login_reply

    def reject(self) -> bytes:
        self._decide(_State.REJECTED)
        self._framer.clear()
        return b""

    def _decide(self, state: _State) -> None:
        if self._state is not _State.AWAITING_DECISION:
            raise RuntimeError(f"accept()/reject() without a pending login (state {self._state})")
        self._state = state

    def _handle(self, frame: Frame) -> list[Event]:
        if frame.protocol == tables.LOGIN:
            return self._login(frame)
        if self.unique_id is None:
            raise ProtocolError(f"message 0x{frame.protocol:02X} before login")
        reply = messages.encode_reply(frame.protocol, frame.serial)
        if frame.protocol in tables.LOCATION_TYPES:
            position = messages.decode_location(frame, self.unique_id, self._utc_offset)
            return [PositionsDecoded([position], ack=reply if self.ack_locations else b"")]
        if frame.protocol in tables.ALARM_TYPES:
            position = messages.decode_alarm(frame, self.unique_id, self._utc_offset)
            return [PositionsDecoded([position], ack=reply)]
        if frame.protocol == tables.STATUS:
            messages.decode_status(frame.content)  # refuse a malformed heartbeat
            return [Heartbeat(reply)]
        if frame.protocol in (tables.STRING, tables.STRING_INFO):
            return [CommandResult(messages.decode_command_text(frame))]
        return []  # a well-formed message type we do not use

    def _login(self, frame: Frame) -> list[Event]:
        login = messages.decode_login(frame.content)
        reply = messages.encode_reply(tables.LOGIN, frame.serial)
        if self.unique_id is not None:
            if login.imei != self.unique_id:
                raise ProtocolError(
                    f"second login as {login.imei} on {self.unique_id}'s connection"
                )
            if self._state is _State.ACCEPTED:
                return [Reply(reply)]  # the device missed our reply and logged in again
            self._login_reply = reply  # still undecided: answer the latest login
            return []
        self.unique_id = login.imei
        self._login_reply = reply
        if self.use_login_timezone and login.utc_offset is not None:
            self._utc_offset = login.utc_offset
        self._state = _State.AWAITING_DECISION
        return [Identified(login.imei)]
