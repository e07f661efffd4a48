"""Sans-I/O HTTP/1.1 request framing for the OsmAnd port, on h11.

Requests are read one at a time; each must be answered (``respond``) before the next is parsed,
so keep-alive and pipelined requests are answered in order. The head is limited by h11, the
body by ``MAX_BODY`` (chunked bodies included). A peer that breaks HTTP gets a ProtocolError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import h11

from fleetyard.telematics.protocols.base import ProtocolError

MAX_HEAD: Final = 8 * 1024
MAX_BODY: Final = 64 * 1024
REASONS: Final = {200: b"OK", 400: b"Bad Request"}


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    target: str  # path and query, percent-encoded as sent
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes


class HttpFramer:
    """Bytes in, one ``HttpRequest`` at a time out; ``respond`` gives the bytes to send back."""

    def __init__(self) -> None:
        self._conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        self._head: h11.Request | None = None
        self._body = bytearray()
        self._continue_sent = False
        self._method = b""
        self._eof = False

    @property
    def pending(self) -> int:
        """Non-zero while part of a request is held back (0 between requests)."""
        buffered = len(self._conn.trailing_data[0])
        return buffered + len(self._body) + (1 if self._head is not None else 0)

    @property
    def must_close(self) -> bool:
        """The peer asked to close after this response (or spoke HTTP/1.0)."""
        return self._conn.our_state in (h11.MUST_CLOSE, h11.CLOSED)

    def receive_data(self, data: bytes) -> None:
        """``b""`` means the peer closed its side."""
        if data and (self._eof or self._conn.their_state in (h11.CLOSED, h11.ERROR)):
            raise ProtocolError("data after the connection closed")
        self._eof = self._eof or not data
        self._conn.receive_data(data)

    def next_request(self) -> HttpRequest | None:
        """The next complete request, or None until more bytes arrive."""
        while True:
            event = self._next_event()
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return None
            if isinstance(event, h11.Request):
                self._start(event)
            elif isinstance(event, h11.Data):
                self._body += event.data
                if len(self._body) > MAX_BODY:
                    raise ProtocolError(f"request body larger than {MAX_BODY} bytes")
            elif isinstance(event, h11.EndOfMessage) and self._head is not None:
                request = _request(self._head, bytes(self._body))
                self._head, self._body = None, bytearray()
                return request
            elif isinstance(event, h11.ConnectionClosed):
                return None

    def interim_response(self) -> bytes:
        """``100 Continue`` when the client waits for it before sending its body, else b""."""
        if not self._conn.they_are_waiting_for_100_continue or self._continue_sent:
            return b""
        self._continue_sent = True
        return self._conn.send(h11.InformationalResponse(status_code=100, headers=[])) or b""

    def respond(self, status: int, text: str = "") -> bytes:
        """The response to the request ``next_request`` returned last; readies the next one."""
        body = b"" if self._method == b"HEAD" else text.encode("utf-8")
        headers = [("Content-Length", str(len(body)))]
        if body:
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
        reason = REASONS.get(status, b"")
        parts = [self._conn.send(h11.Response(status_code=status, headers=headers, reason=reason))]
        if body:
            parts.append(self._conn.send(h11.Data(data=body)))
        parts.append(self._conn.send(h11.EndOfMessage()))
        if self._conn.our_state is h11.DONE and self._conn.their_state is h11.DONE:
            self._conn.start_next_cycle()
            self._continue_sent = False
        return b"".join(part for part in parts if part)

    def _next_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        try:
            return self._conn.next_event()
        except h11.RemoteProtocolError as exc:
            raise ProtocolError(f"bad HTTP request: {exc}") from exc

    def _start(self, head: h11.Request) -> None:
        for name, value in head.headers:
            if name == b"content-length" and (len(value) > 9 or int(value) > MAX_BODY):
                raise ProtocolError(f"request body larger than {MAX_BODY} bytes")
        self._head, self._body, self._method = head, bytearray(), head.method


def _request(head: h11.Request, body: bytes) -> HttpRequest:
    headers: dict[str, str] = {}
    for name, value in head.headers:
        key, text = name.decode("latin-1"), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return HttpRequest(
        method=head.method.decode("ascii", errors="replace"),
        target=head.target.decode("latin-1"),
        headers=headers,
        body=body,
    )


def refusal(text: str = "unknown device") -> bytes:
    """A 400 that closes the connection, built without h11: the request it answers has
    already been given its 200 (withheld by the gateway until storage) in h11's books."""
    body = text.encode("utf-8")
    return (
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode("ascii")
        + body
    )
