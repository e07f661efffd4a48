"""The framework owns the transaction: one per API request, committed before the response.

The response is held back until COMMIT returns, so a 2xx always means "durable" (ack after
commit). Any error status, or an exception, rolls everything back.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fleetyard.errors import error_json
from fleetyard.kit.idempotency import PendingIdempotency

log = logging.getLogger(__name__)

SESSION_KEY = "db_session"
IDEMPOTENCY_KEY = "idempotency"


class TransactionMiddleware:
    """``exclude``: paths that stream (their responses can't be held) and open their own
    short transactions. After a commit, and once the response has left, the app's
    ``state.on_committed(session)`` hook (if any) publishes what the transaction wrote."""

    def __init__(
        self, app: ASGIApp, prefix: str = "/api/", exclude: frozenset[str] = frozenset()
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.exclude = exclude

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefix) or path in self.exclude:
            await self.app(scope, receive, send)
            return
        sessionmaker: async_sessionmaker[AsyncSession] = scope["app"].state.sessionmaker
        async with sessionmaker() as session:
            state: dict[str, Any] = scope.setdefault("state", {})
            state[SESSION_KEY] = session
            held: list[Message] = []
            status = 500

            async def hold(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                held.append(message)

            try:
                await self.app(scope, receive, hold)
            except BaseException:
                await session.rollback()
                raise
            committed = False
            if status < 400:
                held, committed = await self._commit(session, state, status, held)
            else:
                await session.rollback()
            for message in held:
                await send(message)
            on_committed = getattr(scope["app"].state, "on_committed", None)
            if committed and on_committed is not None:
                await on_committed(session)

    async def _commit(
        self, session: AsyncSession, state: dict[str, Any], status: int, held: list[Message]
    ) -> tuple[list[Message], bool]:
        pending: PendingIdempotency | None = state.get(IDEMPOTENCY_KEY)
        try:
            if pending is not None:
                body = b"".join(
                    m.get("body", b"") for m in held if m["type"] == "http.response.body"
                )
                await pending.store(session, status, body)
            await session.commit()
        except IntegrityError as exc:
            await session.rollback()
            log.info("commit refused by a constraint", extra={"error": str(exc.orig)})
            return await _as_messages(409, "conflict", "The change conflicts with another."), False
        except DBAPIError:
            await session.rollback()
            log.exception("commit failed")
            return await _as_messages(503, "database_unavailable", "Please retry shortly."), False
        return held, True


async def _as_messages(status: int, code: str, message: str) -> list[Message]:
    response = error_json(status, code, message)
    messages: list[Message] = []

    async def collect(message: Message) -> None:
        messages.append(message)

    async def no_receive() -> Message:
        return {"type": "http.disconnect"}

    await response({"type": "http", "method": "GET", "path": "/"}, no_receive, collect)
    return messages
