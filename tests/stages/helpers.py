"""What the stage worker tests share: a gateway-side pipeline that queues its batches, the
worker as a real ``fleetyard stages`` process (or in this process), a drive with known trips
through a geofence, and what the stages made of it, read back per tenant."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from fleetyard.config import Settings
from fleetyard.db import Database, libpq_dsn
from fleetyard.stages.chain import StageChain
from fleetyard.stages.worker import StageWorker
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from tests.feeding import PipelineFeeder
from tests.geofences.feeding import make_fence
from tests.processes import FLEETYARD, fleetyard_env
from tests.telematics.conftest import Tracked
from tests.trips.feeding import position
from tests.trips.tracks import HELSINKI, drive, generate, park

DEADLINE_S = 90.0
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=6)
# two trips (a stop of more than 3 minutes between them): out of the yard and back in, slow
# enough that no speed limit applies (road limits load in the background: timing-dependent)
LEGS = [park(60), drive(300, 24, 45), park(400), drive(300, 24, 225), park(400)]


def the_drive(start: datetime = T0) -> list[Any]:
    return generate(start, LEGS)


async def yard(database: Database, tenant_id: uuid.UUID) -> uuid.UUID:
    """A 300 m circle where the drive starts and ends."""
    geometry = {"type": "Point", "coordinates": [HELSINKI[1], HELSINKI[0]]}
    return await make_fence(
        database, tenant_id, name="Yard", geometry=geometry, radius_m=300, alert_on=["enter"]
    )


@asynccontextmanager
async def queued_pipeline(pool: asyncpg.Pool) -> AsyncIterator[PipelineFeeder]:
    """The gateway's side: batches stored with their stage_queue row, no stage here."""
    pipeline = IngestPipeline(pool, max_delay_s=0.001, stage_queue=True)
    await pipeline.start()
    try:
        yield PipelineFeeder(pool, pipeline, DeviceDirectory(pool))
    finally:
        await pipeline.stop()


async def feed(feeder: PipelineFeeder, tracked: Tracked, fixes: list[Any], batch: int = 20) -> None:
    await feeder.submit(tracked, [position(tracked, f) for f in fixes], batch=batch)


@dataclass
class WorkerProcess:
    """``fleetyard stages`` as a child process."""

    database_url: str
    log_dir: Path
    data_dir: Path
    args: list[str] = field(default_factory=list)  # more ``fleetyard stages`` options
    process: subprocess.Popen[bytes] | None = None
    runs: int = 0

    def start(self) -> None:
        self.runs += 1
        log = (self.log_dir / f"stages-{id(self)}-{self.runs}.log").open("wb")
        env = fleetyard_env(
            env="development",
            database_url=self.database_url,
            data_dir=str(self.data_dir.resolve()),
            log_level="WARNING",
        )
        self.process = subprocess.Popen(
            [str(FLEETYARD), "stages", *self.args], env=env, stdout=log, stderr=subprocess.STDOUT
        )

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@asynccontextmanager
async def worker_processes(
    database_url: str,
    log_dir: Path,
    settings: Settings,
    count: int = 1,
    args: Callable[[int], list[str]] = lambda _: [],
) -> AsyncIterator[list[WorkerProcess]]:
    workers = [
        WorkerProcess(database_url, log_dir, settings.data_dir, args(n)) for n in range(count)
    ]
    for worker in workers:
        worker.start()
    try:
        yield workers
    finally:
        for worker in workers:
            worker.stop()


async def queued(database_url: str) -> tuple[int, int]:
    """(stored batches waiting, of which claimed by a worker right now)."""
    conn = await asyncpg.connect(libpq_dsn(database_url))
    try:
        async with conn.transaction():
            total = await conn.fetchval("select count(*) from stage_queue")
            free = await conn.fetchval(
                "select count(*) from (select 1 from stage_queue for update skip locked) q"
            )
            return int(total), int(total - free)
    finally:
        await conn.close()


async def drained(database_url: str, deadline_s: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + deadline_s
    while (await queued(database_url))[0]:
        assert time.monotonic() < deadline, "the stage worker did not empty the queue"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def in_process_worker(
    database_url: str, pool: asyncpg.Pool, settings: Settings
) -> AsyncIterator[StageWorker]:
    chain = StageChain.build(pool, settings, None, None)
    worker = StageWorker(libpq_dsn(database_url), pool, chain)
    try:
        yield worker
    finally:
        await chain.close()
        await worker.close()


def chain_records(metrics_port: int) -> int:
    """Records a worker's rounds went through, from its /metrics."""
    text = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith("fleetyard_stage_chain_records_total "):
            return int(float(line.split()[1]))
    return 0


async def outcome(feeder: PipelineFeeder, tracked: Tracked) -> dict[str, list[tuple[Any, ...]]]:
    """What the stages made of a tenant's drive, without ids: comparable across tenants."""
    tenant = tracked.tenant.id
    trips = await feeder.fetch(
        tenant,
        "select started_at, ended_at, status, round(distance_m::numeric, 1) as m from trips "
        "order by started_at",
    )
    stops = await feeder.fetch(tenant, "select started_at, ended_at from stops order by started_at")
    driving = await feeder.fetch(
        tenant, "select kind, started_at, ended_at from driving_events order by started_at, kind"
    )
    # what happened, each once: a replay may restate an unchanged row (``*_updated``), never
    # start, end, enter, record or open anything twice
    events = await feeder.fetch(
        tenant,
        "select type, count(*) as n from events where type not like '%\\_created' "
        "and type not like '%\\_updated' group by type order by type",
    )
    return {
        "trips": [tuple(r) for r in trips],
        "stops": [tuple(r) for r in stops],
        "driving": [tuple(r) for r in driving],
        "events": [tuple(r) for r in events],
    }
