"""The stage worker: claims stored batches from ``stage_queue`` and runs the after-store stages
on them.

One round, in one transaction on the owner connection (the claim's): take up to ``claim``
queued rows (``FOR UPDATE SKIP LOCKED``: other workers take others), lock their tenants'
``stage_owners`` rows (two workers never run one tenant at once; when another worker ran a
tenant since, the stages drop what they hold for it and reload it from their checkpoints),
read the positions the rows name back through the app role, run the stages, delete the rows,
commit. The stages commit their own work per tenant, each with its checkpoints, before the
claim goes; a worker that dies in between leaves the rows to be claimed again, and the stages
take records they have been through as they take any replay: trips and stops are rows keyed
by (device, start) and derived again from their checkpoint, driving events and geofence
presence are checkpointed with the last fix they saw, so a replay rewrites nothing twice.
A tenant whose stage fails is logged by the stage and dropped from its memory (the next
batch reloads it from its checkpoint); the claim is still done, so no tenant stalls others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from fleetyard.stages.chain import StageChain
from fleetyard.stages.queue import (
    CLAIM,
    DEPTH,
    DONE,
    TAKE_TENANTS,
    Spans,
    read_tenant,
    spans_by_tenant,
)
from fleetyard.telematics.ingest.stages import BUCKETS
from fleetyard.telematics.ingest.store import Resolved

log = logging.getLogger(__name__)

CLAIM_ROWS: Final = 64  # stored batches per round (a gateway batch holds up to 2,000 records)
IDLE_S: Final = 0.05  # between probes of an empty queue
ROUND_BUCKETS: Final = (0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class WorkerStats:
    rounds: int = 0
    batches: int = 0
    records: int = 0  # records the stages went through
    seconds: float = 0.0  # rounds' wall time
    failures: int = 0  # rounds rolled back (their rows are claimed again)
    forgotten: int = 0  # tenants reloaded because another worker ran them


class WorkerMetrics:
    """The worker's figures on its /metrics: the round (claim → stages → done) as a stage
    (``fleetyard_stage_chain_seconds``/``_records_total``), the read back
    (``fleetyard_stage_read_*``), how long rows waited, and the queue."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.chain_seconds = Histogram(
            "fleetyard_stage_chain_seconds",
            "A stage worker's round: claim, read back, every stage, done",
            registry=registry,
            buckets=ROUND_BUCKETS,
        )
        self.chain_records = Counter(
            "fleetyard_stage_chain_records",
            "Records every stage has been through",
            registry=registry,
        )
        self.read_seconds = Histogram(
            "fleetyard_stage_read_seconds",
            "Reading claimed batches' positions back",
            registry=registry,
            buckets=BUCKETS,
        )
        self.read_records = Counter(
            "fleetyard_stage_read_records", "Records read back for the stages", registry=registry
        )
        self.waited = Histogram(
            "fleetyard_stage_queue_wait_seconds",
            "From a batch's commit to its claim by a stage worker",
            registry=registry,
            buckets=ROUND_BUCKETS,
        )
        self.queue = QueueGauges(registry)


class QueueGauges:
    """``stage_queue`` on /metrics: batches and records waiting, and the oldest one's age."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.batches = Gauge(
            "fleetyard_stage_queue_batches",
            "Stored batches waiting for the stages",
            registry=registry,
        )
        self.records = Gauge(
            "fleetyard_stage_queue_records",
            "Stored records waiting for the stages",
            registry=registry,
        )
        self.lag = Gauge(
            "fleetyard_stage_queue_lag_seconds",
            "Age of the oldest stored batch waiting for the stages",
            registry=registry,
        )

    async def refresh(self, conn: asyncpg.Connection) -> None:
        row = await conn.fetchrow(DEPTH)
        assert row is not None
        self.batches.set(row["batches"])
        self.records.set(row["records"])
        self.lag.set(float(row["lag_s"]))

    async def follow(self, owner_dsn: str, every_s: float = 1.0) -> None:
        """Refresh every ``every_s`` until cancelled (reconnecting after a failure)."""
        while True:
            try:
                conn = await asyncpg.connect(owner_dsn)
                try:
                    while True:
                        await self.refresh(conn)
                        await asyncio.sleep(every_s)
                finally:
                    with contextlib.suppress(Exception):
                        await conn.close()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("stage queue depth not read", exc_info=True)
                await asyncio.sleep(every_s)


@dataclass
class StageWorker:
    owner_dsn: str  # claims across tenants
    pool: asyncpg.Pool  # the app role: read back and the stages, per tenant
    chain: StageChain
    registry: CollectorRegistry | None = None
    claim: int = CLAIM_ROWS
    stats: WorkerStats = field(default_factory=WorkerStats)
    worker_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def __post_init__(self) -> None:
        self._metrics = WorkerMetrics(self.registry) if self.registry is not None else None
        self._held: set[uuid.UUID] = set()  # tenants this worker has run
        self._conn: asyncpg.Connection | None = None

    def queue_gauges(self, registry: CollectorRegistry) -> QueueGauges:
        return self._metrics.queue if self._metrics is not None else QueueGauges(registry)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Rounds until ``stop`` is set or cancelled; a failed round is rolled back (its rows
        wait for the next claim) and the worker goes on after a pause."""
        stop = stop or asyncio.Event()
        pause = IDLE_S
        while not stop.is_set():
            try:
                done = await self.round()
                pause = IDLE_S
            except asyncio.CancelledError:
                raise
            except Exception:
                self.stats.failures += 1
                log.exception("stage worker round failed; its batches wait for the next claim")
                await self._reconnect()
                done = 0
                pause = min(pause * 2, 5.0)
            if not done:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)

    async def round(self) -> int:
        """One claim: returns the stored batches done (0: the queue had none for us)."""
        conn = await self._connection()
        started = time.perf_counter()
        async with conn.transaction():
            rows = await conn.fetch(CLAIM, self.claim)
            if not rows:
                return 0
            now = datetime.now(UTC)
            by_tenant = spans_by_tenant(rows)
            tenants = sorted(by_tenant)
            taken = {
                r["tenant_id"] for r in await conn.fetch(TAKE_TENANTS, tenants, self.worker_id)
            }
            stale = sorted(taken & self._held)
            if stale:
                self.stats.forgotten += len(stale)
                self.chain.forget(stale)
            self._held.update(tenants)
            stored = await self._read(by_tenant)
            await self.chain.run(stored)
            await conn.execute(DONE, [r["id"] for r in rows])
        elapsed = time.perf_counter() - started
        self.stats.rounds += 1
        self.stats.batches += len(rows)
        self.stats.records += len(stored)
        self.stats.seconds += elapsed
        if self._metrics is not None:
            self._metrics.chain_seconds.observe(elapsed)
            self._metrics.chain_records.inc(len(stored))
            for row in rows:
                self._metrics.waited.observe((now - row["stored_at"]).total_seconds())
        return len(rows)

    async def _read(self, by_tenant: dict[uuid.UUID, Spans]) -> list[Resolved]:
        started = time.perf_counter()
        stored: list[Resolved] = []
        async with self.pool.acquire() as conn:
            for tenant_id, spans in by_tenant.items():
                async with conn.transaction():
                    stored.extend(await read_tenant(conn, tenant_id, spans))
        if self._metrics is not None:
            self._metrics.read_seconds.observe(time.perf_counter() - started)
            self._metrics.read_records.inc(len(stored))
        return stored

    async def drain(self, timeout_s: float = 60.0) -> None:
        """Rounds until the queue has nothing left for this worker (tests)."""
        deadline = time.monotonic() + timeout_s
        while await self.round():
            if time.monotonic() > deadline:
                raise TimeoutError("stage queue not drained")

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(self.owner_dsn)
        return self._conn

    async def _reconnect(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
        self._conn = None

    async def close(self) -> None:
        await self._reconnect()
