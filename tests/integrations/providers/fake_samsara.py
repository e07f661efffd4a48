"""A fake Samsara cloud: a real HTTP server on 127.0.0.1 speaking the documented API.

The vehicle stats feed is a chain of pages (``after`` = the previous page's ``endCursor``);
like Samsara, each request sees only the stat types it asked for (``types``), and engine stats
carry the ``gps`` decoration when asked for it and the page gave one. Faults are queued per
path: the next request answers 401, 429 with Retry-After, an HTML 502, malformed JSON, or hangs.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

VENDOR = Path(__file__).resolve().parents[3].parent / "shared" / "testdata" / "vendors" / "samsara"
TOKEN = "samsara-test-token-7f3a9c"


def vendor_json(name: str) -> Any:
    return json.loads((VENDOR / f"{name}.json").read_text())


@dataclass
class Fault:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    hang_s: float = 0.0


@dataclass
class FakeSamsara:
    token: str = TOKEN
    feed_pages: list[dict[str, Any]] = field(default_factory=list)  # chained by endCursor
    vehicle_pages: list[dict[str, Any]] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)  # path → next answers
    requests: list[tuple[str, dict[str, str], str | None]] = field(default_factory=list)

    def fail_next(self, path: str, *faults: Fault) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/fleet/vehicles/stats/feed", self._feed),
                Route("/fleet/vehicles", self._vehicles),
            ]
        )

    async def _feed(self, request: Request) -> Response:
        return await self._answer(request, lambda params: self._feed_page(params))

    async def _vehicles(self, request: Request) -> Response:
        return await self._answer(request, lambda params: _page(self.vehicle_pages, params))

    async def _answer(self, request: Request, page: Any) -> Response:
        params = dict(request.query_params)
        authorization = request.headers.get("authorization")
        self.requests.append((request.url.path, params, authorization))
        queued = self.faults.get(request.url.path)
        if queued:
            fault = queued.pop(0)
            if fault.hang_s:
                await asyncio.sleep(fault.hang_s)
            return Response(
                fault.body, fault.status, headers=fault.headers, media_type=fault.content_type
            )
        if authorization != f"Bearer {self.token}":
            return JSONResponse(vendor_json("error_401"), 401)
        return JSONResponse(page(params))

    def _feed_page(self, params: dict[str, str]) -> dict[str, Any]:
        body = _page(self.feed_pages, params)
        wanted = set(params.get("types", "").split(","))
        decorated = "gps" in params.get("decorations", "").split(",")
        data = []
        for record in body["data"]:
            if not isinstance(record, dict):
                data.append(record)  # a malformed record reaches every reader
                continue
            kept = {k: v for k, v in record.items() if k in {"id", "name"} or k in wanted}
            if not decorated:
                kept = _undecorated(kept)
            if set(kept) - {"id", "name"}:
                data.append(kept)
        return {"data": data, "pagination": body["pagination"]}


def _page(pages: list[dict[str, Any]], params: dict[str, str]) -> dict[str, Any]:
    after = params.get("after")
    if after is None:
        return copy.deepcopy(pages[0]) if pages else _empty("")
    for index, page in enumerate(pages):
        if page["pagination"]["endCursor"] == after:
            if index + 1 < len(pages):
                return copy.deepcopy(pages[index + 1])
            return _empty(after)  # caught up: nothing new, the same cursor
    return _empty(after)


def _empty(cursor: str) -> dict[str, Any]:
    return {"data": [], "pagination": {"endCursor": cursor, "hasNextPage": False}}


def _undecorated(record: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for key, value in record.items():
        if isinstance(value, list):
            value = [
                {k: v for k, v in p.items() if k != "decorations"} if isinstance(p, dict) else p
                for p in value
            ]
        result[key] = value
    return result


@contextlib.asynccontextmanager
async def serving(fake: FakeSamsara) -> AsyncIterator[str]:
    """The fake on a free port of 127.0.0.1, in this event loop; yields its base URL."""
    config = uvicorn.Config(
        fake.app(), host="127.0.0.1", port=0, log_config=None, timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        assert server.started, "the fake Samsara did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)
