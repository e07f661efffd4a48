"""A lean HTTP/1.1 keep-alive client on asyncio streams, for the load generator.

The load generator shares the machine with the server, so every millisecond of client CPU is
taken from the thing being measured; httpx costs several times more per request than this.
It speaks just enough HTTP/1.1 for our own API: Content-Length or chunked bodies, keep-alive.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

# uvicorn closes a connection idle for 5 s; reusing one it is closing fails the request
IDLE_REUSE_S = 3.0


class HttpError(Exception):
    """The connection failed or the answer was not HTTP we understand."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = time.monotonic()

    def reusable(self, now: float) -> bool:
        fresh = now - self.idle_since < IDLE_REUSE_S
        return fresh and not self.reader.at_eof() and not self.writer.is_closing()

    async def exchange(self, request: bytes) -> tuple[Response, bool]:
        """Send one request; returns the response and whether the connection stays open."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        return Response(status, body), headers.get("connection", "").lower() != "close"

    async def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")  # no trailers from our server
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        self.writer.close()


class HttpClient:
    """Keep-alive connections to one host; a new one is opened whenever none is idle."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._host_header = f"Host: {parts.netloc}\r\n".encode()
        self._idle: list[_Connection] = []
        self.failures: Counter[str] = Counter()  # why requests failed, for the report

    async def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Response:
        lines = [f"{method} {path} HTTP/1.1\r\n".encode(), self._host_header]
        lines += [f"{k}: {v}\r\n".encode() for k, v in (headers or {}).items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}\r\n".encode())
        lines.append(b"\r\n")
        if body is not None:
            lines.append(body)
        connection = await self._checkout()
        try:
            response, keep = await connection.exchange(b"".join(lines))
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            connection.close()
            reason = f"{type(exc).__name__}: {exc}"[:120]
            self.failures[reason] += 1
            raise HttpError(reason) from exc
        except BaseException:  # cancelled (timeout): the connection is mid-answer, drop it
            connection.close()
            raise
        if keep:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()
        return response

    async def _checkout(self) -> _Connection:
        """The most recently used idle connection that is still good, else a new one."""
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if connection.reusable(now):
                return connection
            connection.close()
        return await self._connect()

    async def _connect(self) -> _Connection:
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port, limit=2**22)
        except OSError as exc:
            self.failures[f"connect: {exc}"[:120]] += 1
            raise HttpError(f"connect: {exc}") from exc
        return _Connection(reader, writer)

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
