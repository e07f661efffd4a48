"""The OsmAnd port as a protocol session: HTTP requests in, the usual events out.

Per request: ``Identified`` when its device id differs from the previous request's on this
connection (the gateway answers ``accept()`` or ``reject()``, which returns a closing 400),
then ``PositionsDecoded`` whose ack is the ``200 OK``: sent after storage, and the phone app
resends until it gets it. A request we can't read gets ``Reply(400)`` at once and the
connection stays open. Responses must go out in event order (HTTP answers requests in order).
``receive_data(b"")`` tells the session the peer closed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fleetyard.telematics.protocols.base import (
    Event,
    Identified,
    PositionsDecoded,
    ProtocolError,
    Reply,
)
from fleetyard.telematics.protocols.osmand.http import HttpFramer, HttpRequest, refusal
from fleetyard.telematics.protocols.osmand.request import decode_request
from fleetyard.telematics.protocols.osmand.values import SpeedUnit


def utc_now() -> datetime:
    return datetime.now(UTC)


class OsmAndSession:
    """``clock`` gives the receive time, used for reports without a timestamp (tests pass a
    fixed one); ``query_speed_unit`` is the unit of ``speed`` in the key=value format."""

    def __init__(
        self, *, clock: Callable[[], datetime] = utc_now, query_speed_unit: SpeedUnit = "knots"
    ) -> None:
        self.clock = clock
        self.query_speed_unit: SpeedUnit = query_speed_unit
        self.unique_id: str | None = None  # the device of the latest request
        self._http = HttpFramer()
        self._error: ProtocolError | None = None
        self._rejected = False

    @property
    def must_close(self) -> bool:
        """Close once the pending responses are sent (the client asked for it, or HTTP/1.0)."""
        return self._rejected or self._http.must_close

    def receive_data(self, data: bytes) -> list[Event]:
        if not data:
            self.end_of_stream()
            return []
        if self._error is not None:
            raise self._error
        if self._rejected:
            raise ProtocolError("data after the device was rejected")
        events: list[Event] = []
        try:
            self._http.receive_data(data)
            while (request := self._http.next_request()) is not None:
                events.extend(self._handle(request))
            if interim := self._http.interim_response():
                events.append(Reply(interim))
        except ProtocolError as exc:
            self._error = exc
            if not events:
                raise
        return events

    def end_of_stream(self) -> None:
        """The peer closed the connection: raise if it failed or stopped inside a request."""
        if self._error is not None:
            raise self._error
        if self._http.pending and not self._rejected:
            raise ProtocolError(f"connection closed inside a request ({self._http.pending} B)")

    def accept(self) -> bytes:
        return b""

    def reject(self) -> bytes:
        self._rejected = True
        return refusal()

    def _handle(self, request: HttpRequest) -> list[Event]:
        try:
            report = decode_request(
                request.method,
                request.target,
                request.headers,
                request.body,
                received_at=self.clock(),
                query_speed_unit=self.query_speed_unit,
            )
        except ProtocolError as exc:
            return [Reply(self._http.respond(400, str(exc)))]
        events: list[Event] = []
        if report.unique_id != self.unique_id:
            self.unique_id = report.unique_id
            events.append(Identified(report.unique_id))
        events.append(PositionsDecoded(report.positions, ack=self._http.respond(200)))
        return events
