"""``fleetyard serve`` with several workers: how many, when it is refused, and a real run in
which the device gateway runs in one worker only while each serves the API."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import httpx
import psutil
import pytest

from fleetyard.config import Environment, Settings
from fleetyard.server import WorkersRefused, worker_count
from tests.cache.redis_process import RedisProcess
from tests.processes import ServeProcess, free_port

DB = "postgresql://postgres@127.0.0.1:5432/x"
REDIS = "redis://127.0.0.1:6379/0"


def settings(database_url: str | None, redis_url: str | None) -> Settings:
    return Settings(env=Environment.DEVELOPMENT, database_url=database_url, redis_url=redis_url)


def test_one_worker_per_core_only_with_a_database_server_and_redis() -> None:
    cores = os.cpu_count() or 1
    assert worker_count(settings(DB, REDIS), None, serves_api=True) == cores
    assert worker_count(settings(DB, None), None, serves_api=True) == 1
    assert worker_count(settings(None, REDIS), None, serves_api=True) == 1
    assert worker_count(settings(DB, REDIS), None, serves_api=False) == 1
    assert worker_count(settings(DB, REDIS), 3, serves_api=True) == 3


def test_several_workers_are_refused_where_they_would_be_wrong() -> None:
    for shared in (settings(None, REDIS), settings(DB, None)):
        with pytest.raises(WorkersRefused, match="FLEETYARD_REDIS_URL"):
            worker_count(shared, 2, serves_api=True)
    with pytest.raises(WorkersRefused, match="roles that serve the API"):
        worker_count(settings(DB, REDIS), 2, serves_api=False)


@pytest.mark.slow
async def test_two_workers_serve_the_api_and_one_runs_the_gateway(
    database_url: str, own_redis: RedisProcess, tmp_path: Path
) -> None:
    osmand = free_port()
    serve = ServeProcess(
        "all",
        database_url,
        free_port(),
        tmp_path,
        settings={"redis_url": own_redis.url, "osmand_port": str(osmand)},
    )
    await serve.start()
    try:
        assert serve.process is not None
        supervisor = psutil.Process(serve.process.pid)
        workers = [
            p
            for p in supervisor.children(recursive=True)
            if "multiprocessing" in " ".join(p.cmdline())
            and "resource_tracker" not in " ".join(p.cmdline())
        ]
        assert len(workers) == (os.cpu_count() or 1)
        listening = [
            w.pid
            for w in workers
            if any(c.laddr.port == osmand and c.status == "LISTEN" for c in w.net_connections())
        ]
        assert len(listening) == 1  # the gateway's port is bound by one worker only
        async with httpx.AsyncClient() as http:
            answers = await asyncio.gather(
                *(http.get(f"http://127.0.0.1:{serve.http_port}/readyz") for _ in range(20))
            )
        assert {a.status_code for a in answers} == {200}
        with socket.create_connection(("127.0.0.1", osmand), timeout=2):
            pass
        assert "address already in use" not in serve.log_tail(400).lower()
        assert [w.is_running() for w in workers] == [True] * len(workers)
    finally:
        await serve.stop()
