"""Live endpoints: WebSocket ``/api/v1/ws``, Server-Sent Events ``/api/v1/stream`` (the
same messages, for clients behind proxies that block WebSockets) and the protocol's schema."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request, WebSocket
from fastapi.responses import StreamingResponse
from starlette.websockets import WebSocketState

from fleetyard.auth.principal import Principal
from fleetyard.errors import (
    FleetyardError,
    NotFound,
    PermissionDenied,
    TooManyConnections,
    ValidationFailed,
    error_json,
    responses,
)
from fleetyard.kit.ids import TenantId
from fleetyard.realtime.access import authenticate_live
from fleetyard.realtime.connection import Closed, LiveConnection
from fleetyard.realtime.frames import Frame, encode_frame
from fleetyard.realtime.messages import (
    CLOSE_CODES,
    MAX_INTERVAL_MS,
    MAX_SEQ,
    MAX_SUBSCRIBED_GROUPS,
    Subscribe,
    protocol_schema,
)
from fleetyard.realtime.repository import LiveRepository
from fleetyard.realtime.runtime import LiveRuntime
from fleetyard.realtime.service import LiveSession

router = APIRouter(tags=["live"])

MAX_INBOUND_BYTES = 64 * 1024
SEND_TIMEOUT_S = 10.0
STREAM_PATH = "/api/v1/stream"


@router.get(
    "/live/schema",
    summary="The live protocol's messages as JSON Schema",
    responses=responses(),
)
async def live_schema() -> dict[str, Any]:
    """Client messages (``client``), server messages (``server``) and close codes."""
    return protocol_schema()


# WebSocket ----------------------------------------------------------------------------------
@router.websocket("/ws")
async def live_socket(websocket: WebSocket) -> None:
    """Live updates over WebSocket. Authenticate with the session cookie (from an allowed
    origin) or ``Authorization: Bearer <api key>``; then send ``subscribe`` messages."""
    live: LiveRuntime = websocket.app.state.live
    try:
        principal = await authenticate_live(websocket)
        live.admit(principal)
    except FleetyardError as refused:
        await _deny(websocket, refused)
        return
    try:
        await websocket.accept()
        connection = LiveConnection(principal, live.outbox)
        session = LiveSession.for_connection(live.hub, connection, websocket.app.state.sessionmaker)
        await session.open()
        try:
            await _serve_socket(websocket, session, connection)
        finally:
            session.close()
            await session.wait_closed()
    finally:
        live.release(principal)


async def _deny(websocket: WebSocket, refused: FleetyardError) -> None:
    """Refuse with our error: where the server can answer the handshake itself, an HTTP
    401/403/429 with the error body; otherwise (browsers can't read a refused handshake's
    status anyway) accept, send an ``error`` message and close with the matching code."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(
            error_json(
                refused.status_code, refused.code, refused.message, refused.details, refused.headers
            )
        )
        return
    await websocket.accept()
    error = {"code": refused.code, "message": refused.message, "details": refused.details}
    await websocket.send_text(encode_frame("error", 0, error).text)
    await websocket.close(code=CLOSE_CODES.get(refused.code, 1008), reason=refused.code)


async def _serve_socket(
    websocket: WebSocket, session: LiveSession, connection: LiveConnection
) -> None:
    sender = asyncio.create_task(_send_frames(websocket, connection))
    receiver = asyncio.create_task(_receive_messages(websocket, session, connection))
    try:
        await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (sender, receiver):
            task.cancel()
        for task in (sender, receiver):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    if connection.closed and websocket.client_state is WebSocketState.CONNECTED:
        with contextlib.suppress(Exception):
            code = CLOSE_CODES.get(connection.closed, 1000)
            await websocket.close(code=code, reason=connection.closed)


async def _send_frames(websocket: WebSocket, connection: LiveConnection) -> None:
    try:
        while True:
            for frame in await connection.take():
                await asyncio.wait_for(websocket.send_text(frame.text), SEND_TIMEOUT_S)
    except Closed:
        return
    except TimeoutError:
        connection.close("slow_consumer")


async def _receive_messages(
    websocket: WebSocket, session: LiveSession, connection: LiveConnection
) -> None:
    while connection.closed is None:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            connection.close("client_closed")
            return
        data: str | bytes | None = message.get("text")
        if data is None:
            data = message.get("bytes")
        if data is None:
            continue
        if len(data) > MAX_INBOUND_BYTES:
            connection.close("message_too_big")
            return
        await session.receive(data)


# Server-Sent Events -------------------------------------------------------------------------
def _sse(frame: Frame) -> str:
    return f"id: {frame.seq}\nevent: {frame.type}\ndata: {frame.text}\n\n"


def _resume_point(header: str | None, query: int | None) -> int | None:
    if query is not None:
        return query
    if header is None:
        return None
    try:
        seq = int(header.strip())
    except ValueError:
        seq = -1
    if not 0 <= seq <= MAX_SEQ:
        raise ValidationFailed(
            "Last-Event-ID must be a seq number.", details={"value": header[:40]}
        )
    return seq


@router.get(
    "/stream",
    summary="Live updates as Server-Sent Events",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The live stream."},
        **responses(PermissionDenied, NotFound, TooManyConnections),
    },
)
async def live_stream(
    request: Request,
    fleet: bool = False,
    vehicle: Annotated[list[uuid.UUID], Query(max_length=1000)] = [],  # noqa: B006
    group: Annotated[list[uuid.UUID], Query(max_length=MAX_SUBSCRIBED_GROUPS)] = [],  # noqa: B006
    min_interval_ms: Annotated[int | None, Query(ge=0, le=MAX_INTERVAL_MS)] = None,
    last_event_id: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """The WebSocket's messages as ``text/event-stream``: each event's ``id`` is its
    ``seq`` and its ``event`` its ``type``. A reconnecting EventSource sends
    ``Last-Event-ID`` and gets what it missed (or ``resync_required``)."""
    since = _resume_point(last_event_id_header, last_event_id)
    live: LiveRuntime = request.app.state.live
    principal = await authenticate_live(request)
    await _check_exist(request, principal, vehicle, group)
    live.admit(principal)
    try:
        connection = LiveConnection(principal, live.outbox, listens_only=True)
        session = LiveSession.for_connection(live.hub, connection, request.app.state.sessionmaker)
        await session.open()
        subscribe = Subscribe(
            type="subscribe",
            fleet=fleet or not (vehicle or group),
            vehicles=vehicle,
            groups=group,
            min_interval_ms=min_interval_ms,
            since_seq=since,
        )
        await session.subscribe(subscribe)
    except BaseException:
        live.release(principal)
        raise
    return StreamingResponse(
        _event_stream(live, principal, session, connection),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _check_exist(
    request: Request, principal: Principal, vehicles: list[uuid.UUID], groups: list[uuid.UUID]
) -> None:
    """Before the stream starts, naming a vehicle or group the tenant lacks is a 404."""
    repo = LiveRepository(request.app.state.sessionmaker, TenantId(principal.tenant_id))
    missing_vehicles = set(vehicles) - await repo.existing_vehicles(set(vehicles))
    missing_groups = set(groups) - await repo.existing_groups(set(groups))
    if missing_vehicles or missing_groups:
        raise NotFound(
            "No such vehicles or groups.",
            details={
                "vehicles": sorted(str(v) for v in missing_vehicles),
                "groups": sorted(str(g) for g in missing_groups),
            },
        )


async def _event_stream(
    live: LiveRuntime, principal: Principal, session: LiveSession, connection: LiveConnection
) -> AsyncIterator[str]:
    try:
        yield "retry: 2000\n\n"
        while True:
            try:
                frames = await connection.take()
            except Closed as closed:
                reason = orjson.dumps({"reason": closed.reason}).decode()
                yield f"event: closing\ndata: {reason}\n\n"
                return
            yield "".join(_sse(frame) for frame in frames)
    finally:
        session.close()
        live.release(principal)
