"""HTTP caching for the API, once for every route.

:class:`HttpCacheMiddleware` sits just outside the transaction middleware, so it sees each
answer only once its transaction has committed:

- **GET**: a 200 JSON answer gets a weak ``ETag`` (the one the route set, else a digest of the
  body) and ``Cache-Control: private, no-cache``; a request whose ``If-None-Match`` holds
  that tag is answered ``304 Not Modified`` with no body.
- **Any other method**: before the answer of a committed change leaves, the entries its
  events make wrong are dropped (:mod:`fleetyard.cache.events`), here and on every node, so
  a client that reads right after its own write never gets the old value.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fleetyard.cache.entry import Entry, weak_etag
from fleetyard.cache.events import tags_for_events
from fleetyard.cache.store import Cache
from fleetyard.events.repository import COMMITTED_EVENTS
from fleetyard.kit.transaction import SESSION_KEY

log = logging.getLogger(__name__)

JSON = "application/json"
REVALIDATE = "private, no-cache"  # a browser may keep it, but asks (If-None-Match) each time


async def get_cache(request: Request) -> Cache:  # a coroutine: no worker thread
    cache: Cache = request.app.state.cache
    return cache


AppCache = Annotated[Cache, Depends(get_cache)]


def json_answer(entry: Entry) -> Response:
    """A cached (or just computed) entry as the answer: its bytes and its ETag as they are."""
    return Response(entry.body, media_type=JSON, headers={"ETag": entry.etag})


def _matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``W/`` is ignored on both sides."""
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class HttpCacheMiddleware:
    def __init__(self, app: ASGIApp, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
        elif scope["method"] == "GET":
            await self._conditional(scope, receive, send)
        elif scope["method"] in ("HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
        else:
            await self._invalidating(scope, receive, send)

    async def _conditional(self, scope: Scope, receive: Receive, send: Send) -> None:
        if_none_match = _header(scope, b"if-none-match")
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                if message["status"] == 200 and headers.get("content-type", "").startswith(JSON):
                    start = message
                    return
            elif start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._answer(start, b"".join(chunks), if_none_match, send)
                return
            await send(message)

        await self.app(scope, receive, capture)

    @staticmethod
    async def _answer(start: Message, body: bytes, if_none_match: str | None, send: Send) -> None:
        headers = MutableHeaders(raw=list(start.get("headers", [])))
        etag = headers.get("etag") or weak_etag(body)
        headers["etag"] = etag
        headers.setdefault("cache-control", REVALIDATE)
        if if_none_match is not None and _matches(if_none_match, etag):
            kept = [(k, v) for k, v in headers.raw if k not in (b"content-length", b"content-type")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})

    async def _invalidating(self, scope: Scope, receive: Receive, send: Send) -> None:
        done = False

        async def before_release(message: Message) -> None:
            nonlocal done
            if message["type"] == "http.response.start" and not done:
                done = True
                if message["status"] < 400:
                    await self._drop_committed(scope)
            await send(message)

        await self.app(scope, receive, before_release)

    @staticmethod
    async def _drop_committed(scope: Scope) -> None:
        state: dict[str, Any] = scope.get("state", {})
        session = state.get(SESSION_KEY)
        cache: Cache | None = getattr(scope["app"].state, "cache", None)
        if session is None or cache is None:
            return
        events = session.info.get(COMMITTED_EVENTS)
        if not events:
            return
        try:
            await cache.invalidate(tags_for_events(events))
        except Exception:  # the answer must leave; entries still expire by their ttl
            log.exception("cache: invalidation after commit failed")
