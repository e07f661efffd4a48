"""How the app runs under uvicorn: ``fleetyard serve`` and the demo use the same settings."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

DEFAULT_LIMIT_CONCURRENCY = 512
DEFAULT_BACKLOG = 1024


def uvicorn_config(
    app: FastAPI,
    *,
    host: str,
    port: int,
    limit_concurrency: int = DEFAULT_LIMIT_CONCURRENCY,
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
        limit_concurrency=limit_concurrency,
        backlog=backlog,
    )
