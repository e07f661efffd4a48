"""How the app runs under uvicorn: ``fleetyard serve`` and the demo use the same settings."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from fleetyard.config import Settings

DEFAULT_BACKLOG = 1024
HTTP_CONCURRENCY = 512  # requests in flight, on top of the live connections


def uvicorn_config(
    app: FastAPI,
    settings: Settings,
    *,
    host: str,
    port: int,
    limit_concurrency: int | None = None,
    backlog: int = DEFAULT_BACKLOG,
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,  # ours carries request id and tenant (FLEETYARD_ACCESS_LOG)
        proxy_headers=False,
        loop="auto",  # uvloop and httptools (uvicorn[standard]) when installed
        http="auto",
        # Overload: past this many, new work is refused at once (503) instead of queueing
        # without bound; the database pool's timeout sheds the rest (503 "overloaded").
        # Live WebSockets are connections too, so their cap is added.
        limit_concurrency=limit_concurrency or HTTP_CONCURRENCY + settings.live_max_connections,
        backlog=backlog,
        # Live frames are encoded once and sent to many clients: compressing each copy per
        # client would cost CPU and ~100 KiB of zlib state per connection (opt-in).
        ws_per_message_deflate=settings.live_compression,
        ws_max_size=1024 * 1024,  # our handler refuses past 64 KiB with 1009 itself
    )
