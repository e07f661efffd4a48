"""A fake Verizon Connect Reveal on 127.0.0.1: a real HTTP server (stdlib, in a thread) that
speaks the documented endpoints the adapter uses, with scriptable faults."""

from __future__ import annotations

import base64
import itertools
import json
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Fault:
    """One scripted answer to the next request whose path starts with ``path_prefix``."""

    path_prefix: str
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang_s: float = 0.0


@dataclass
class FakeVerizon:
    username: str = "REST_fleet@example.com"
    password: str = "s3cret-Pa55"
    app_id: str = "fleetmatics-p-us-ABCDEF123"
    vehicles: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=dict)
    history: dict[str, list[Any]] = field(default_factory=dict)
    tokens_issued: list[str] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    reject_all_tokens: bool = False
    faults: deque[Fault] = field(default_factory=deque)
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    _counter: Iterator[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue_token(self) -> str:
        token = f"tok-{next(self._counter)}-eyJhbGciOiJIUzI1NiJ9"
        self.tokens_issued.append(token)
        return token

    def token_ok(self, authorization: str | None) -> bool:
        for token in self.tokens_issued:
            expected = f"Atmosphere atmosphere_app_id={self.app_id}, Bearer {token}"
            if authorization == expected:
                return not self.reject_all_tokens and token not in self.revoked
        return False

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if path.startswith(fault.path_prefix):
                    self.faults.remove(fault)
                    return fault
        return None

    def history_between(self, number: str, start: str, end: str) -> list[Any]:
        begin, finish = _moment(start), _moment(end)
        found = []
        for record in self.history.get(number, []):
            stamp = record.get("UpdateUtc") if isinstance(record, dict) else None
            try:
                moment = _moment(stamp) if isinstance(stamp, str) else None
            except ValueError:
                moment = None
            if moment is None or begin <= moment <= finish:
                found.append(record)  # a record without a readable time is always answered
        return found


def _moment(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _handler(fake: FakeVerizon) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def _answer(
            self, status: int, body: bytes, content_type: str = "application/json", **headers: str
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, payload: Any) -> None:
            self._answer(200, json.dumps(payload).encode())

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            fake.requests.append((url.path, query))
            fault = fake.take_fault(url.path)
            if fault is not None:
                if fault.hang_s:
                    time.sleep(fault.hang_s)
                self._answer(
                    fault.status,
                    fault.body,
                    fault.headers.pop("Content-Type", "text/html"),
                    **fault.headers,
                )
                return
            if url.path.rstrip("/") == "/token":
                self._token()
                return
            if not fake.token_ok(self.headers.get("Authorization")):
                self._answer(401, b'{"Message":"Authorization has been denied."}')
                return
            self._data(url.path, query)

        def _token(self) -> None:
            expected = base64.b64encode(f"{fake.username}:{fake.password}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                self._answer(401, b"Invalid credentials", "text/plain")
                return
            self._answer(200, fake.issue_token().encode(), "text/plain")

        def _data(self, path: str, query: dict[str, list[str]]) -> None:
            parts = [unquote(p) for p in path.strip("/").split("/")]
            if parts == ["cmd", "v1", "vehicles"]:
                self._json(fake.vehicles)
            elif parts == ["cmd", "v1", "vehicles", "group"]:
                group = query.get("groupid", [""])[0]
                if group not in fake.groups:
                    self._answer(400, b'{"Message":"Unknown group"}')
                    return
                wanted = set(fake.groups[group])
                self._json([v for v in fake.vehicles if v.get("VehicleNumber") in wanted])
            elif parts[:3] == ["rad", "v1", "vehicles"] and parts[4:] == ["status", "history"]:
                number = parts[3]
                if number not in fake.history:
                    self._answer(400, b'{"Message":"Vehicle not found"}')
                    return
                start = query["startdatetimeutc"][0]
                end = query["enddatetimeutc"][0]
                self._json(fake.history_between(number, start, end))
            else:
                self._answer(404, b'{"Message":"No HTTP resource"}')

    return Handler


class _QuietServer(ThreadingHTTPServer):
    """Tests close connections mid-request on purpose (timeouts, cancelled polls): a reset
    peer is expected there, not a traceback in the suite's output."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class FakeVerizonServer:
    def __init__(self, fake: FakeVerizon) -> None:
        self.fake = fake
        self._server = _QuietServer(("127.0.0.1", 0), _handler(fake))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeVerizonServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
