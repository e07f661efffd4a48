"""``fleetyard stages``: a stage worker process, alone or as ``serve``'s child."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal

import asyncpg
from prometheus_client import CollectorRegistry, start_http_server

from fleetyard.config import Settings
from fleetyard.db import app_url, libpq_dsn
from fleetyard.realtime.bus import Bus, LocalBus, RedisBus
from fleetyard.stages.bridge import PipeBus
from fleetyard.stages.chain import StageChain
from fleetyard.stages.worker import CLAIM_ROWS, StageWorker

log = logging.getLogger(__name__)

STOP_S = 10.0


async def _parent_gone(parent_pid: int, stop: asyncio.Event, every_s: float = 0.5) -> None:
    while not stop.is_set():
        if os.getppid() != parent_pid:  # an orphan is adopted by another process
            stop.set()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)


async def serve_stages(
    settings: Settings,
    owner_url: str,
    *,
    parent_pid: int | None = None,
    metrics_port: int | None = None,
    claim: int = CLAIM_ROWS,
) -> None:
    """Rounds until SIGINT/SIGTERM (or the parent's end)."""
    from fleetyard.telematics.runtime import tune_gc

    registry = CollectorRegistry()
    if metrics_port is not None:
        start_http_server(metrics_port, addr="127.0.0.1", registry=registry)
    bus: Bus
    pipe: PipeBus | None = None
    if settings.redis_url:
        bus = RedisBus(settings.redis_url)
    elif parent_pid is not None:
        bus = pipe = PipeBus()
    else:
        log.warning("no FLEETYARD_REDIS_URL: the stages' live updates reach no hub")
        bus = LocalBus()
    await bus.start()
    owner_dsn = libpq_dsn(owner_url)
    pool = await asyncpg.create_pool(
        libpq_dsn(app_url(settings, owner_url)), min_size=1, max_size=6
    )
    chain = StageChain.build(pool, settings, bus, registry)
    worker = StageWorker(owner_dsn, pool, chain, registry, claim)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    helpers = [asyncio.create_task(worker.queue_gauges(registry).follow(owner_dsn))]
    if parent_pid is not None:
        helpers.append(asyncio.create_task(_parent_gone(parent_pid, stop)))
    if pipe is not None:
        helpers.append(asyncio.create_task(_when_set(pipe.closed, stop)))
    tune_gc()
    running = asyncio.create_task(worker.run(stop))
    try:
        await stop.wait()
        # the round under way finishes; past the wait it is cancelled and rolled back (its
        # batches are claimed again)
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(running), STOP_S)
    finally:
        for task in (running, *helpers):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await chain.close()
        await worker.close()
        await pool.close()
        await bus.stop()


async def _when_set(event: asyncio.Event, then: asyncio.Event) -> None:
    await event.wait()
    then.set()
