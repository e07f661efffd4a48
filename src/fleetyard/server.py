"""How the app runs under uvicorn: ``fleetyard serve`` and the demo use the same settings."""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path
from typing import IO

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from fleetyard.config import Settings

DEFAULT_BACKLOG = 1024
HTTP_CONCURRENCY = 512  # requests in flight, on top of the live connections


def uvicorn_config(
    app: FastAPI | str,
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


# Several worker processes ---------------------------------------------------------------
# Not embedded (FLEETYARD_DATABASE_URL and FLEETYARD_REDIS_URL set), ``fleetyard serve`` runs
# as many API processes as the machine has cores, on one socket. What must run once per node
# runs in one of them: the device gateway's listeners (fixed ports), its ingest pipeline and
# partition upkeep, and the integrations runner (leases would keep a second one harmless, but
# it goes where positions are ingested). The worker holding a lock file takes them; if it
# dies, uvicorn starts a new worker, which takes the lock. Every worker serves the API and
# runs a webhook and a notification dispatcher (claims are FOR UPDATE SKIP LOCKED, so none is
# sent twice).
# Redis is required: it joins the workers' live hubs, rate limits and caches.
ROLE_ENV = "FLEETYARD_SERVE_ROLE"  # the role the workers were started for (not a setting)
WORKER_APP = "fleetyard.server:worker_app"


class WorkersRefused(ValueError):
    """Several workers asked for where they would not be correct."""


def worker_count(settings: Settings, asked: int | None, serves_api: bool) -> int:
    """``asked`` (None: automatic) → how many processes to run."""
    shared = settings.database_url is not None and settings.redis_url is not None
    if asked is None:
        return (os.cpu_count() or 1) if shared and serves_api else 1
    if asked > 1 and not serves_api:
        raise WorkersRefused("only the roles that serve the API run several workers")
    if asked > 1 and not shared:
        raise WorkersRefused(
            "several workers need FLEETYARD_DATABASE_URL and FLEETYARD_REDIS_URL "
            "(the embedded database and in-process live updates, rate limits and caches "
            "belong to one process)"
        )
    return asked


def _holds_node_lock() -> bool:
    """True in the one worker (of this ``serve``) that runs the once-per-node tasks."""
    path = Path(tempfile.gettempdir()) / f"fleetyard-serve-{os.getppid()}.lock"
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return False
    _NODE_LOCK.append(handle)  # held (open) for the life of this process
    return True


_NODE_LOCK: list[IO[str]] = []


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn's factory, imported in each worker)."""
    from fleetyard.app import Role, create_app
    from fleetyard.config import get_settings
    from fleetyard.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    role = Role(os.environ.get(ROLE_ENV, Role.API.value))
    if role is Role.ALL and not _holds_node_lock():
        role = Role.API
    return create_app(settings, role=role)


def workers_config(
    settings: Settings,
    role: str,
    workers: int,
    *,
    host: str,
    port: int,
    limit_concurrency: int | None = None,
    backlog: int = DEFAULT_BACKLOG,
) -> uvicorn.Config:
    """``workers`` processes built by :func:`worker_app` from the environment (which must
    hold the settings: each worker reads them anew)."""
    os.environ[ROLE_ENV] = role
    if settings.database_url:
        os.environ["FLEETYARD_DATABASE_URL"] = settings.database_url
    config = uvicorn_config(
        WORKER_APP,  # an import string: each worker imports it
        settings,
        host=host,
        port=port,
        limit_concurrency=limit_concurrency,
        backlog=backlog,
    )
    config.factory = True
    config.workers = workers
    return config


def run_workers(config: uvicorn.Config) -> None:
    """uvicorn's supervisor: starts the workers on one socket, restarts one that dies, and
    stops them all on SIGINT/SIGTERM."""
    sock = config.bind_socket()
    Multiprocess(config, sockets=[sock]).run()
