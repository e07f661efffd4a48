"""Batches positions from every connection for a few milliseconds, writes each batch in one
transaction, and only then lets each connection send its device ack.

A failed write fails every waiter of that batch: their connections send no ack, so the devices
keep the records and resend them. After commit, the ``on_committed`` hooks (live publishing:
quick, they only hand the fixes on) run before the acks are released, so the map hears of a
fix first; then the ``on_stored`` handlers (state-derived rules, trips, geofences, driving
behaviour, which query the database) run off the ack path. A failing hook or handler is logged
and the others still run.

The ``on_stored`` handlers are independent of one another (each keeps its own per-device state
and reads only what the store committed), so they run concurrently on each stored batch: their
database round trips overlap instead of adding up. When they fall behind, the stored batches
waiting for them are taken together (up to ``after_store_batch`` records, in commit order), so
each handler's fixed cost per call (a transaction per tenant, a checkpoint read) is paid once
for many batches. If they stay behind, the queue of stored batches fills and then the writers
wait on it, which slows the acks: the rate stays bounded by the slowest handler, honestly.

With ``stage_queue`` (``fleetyard serve``'s default) the stages run in a stage worker process
instead (``fleetyard.stages``): each batch's transaction also inserts one ``stage_queue`` row
naming its new records, and ``on_stored`` stays empty here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from fleetyard.telematics.ingest.directory import DeviceRoute
from fleetyard.telematics.ingest.store import Resolved, write_batch
from fleetyard.telematics.ingest.validation import LastFix, invalid_reason
from fleetyard.telematics.position import Position

log = logging.getLogger(__name__)

StoredHandler = Callable[[Sequence[Resolved]], Awaitable[None]]


@dataclass
class _Pending:
    items: list[Resolved]
    done: asyncio.Future[None]


@dataclass
class IngestStats:
    batches: int = 0
    records: int = 0
    fresh: int = 0
    failures: int = 0
    write_seconds: float = 0.0
    after_store_records: int = 0  # fresh records the on_stored handlers have all been through
    after_store_calls: int = 0  # handler rounds (one per taken group of stored batches)


@dataclass
class IngestPipeline:
    pool: asyncpg.Pool
    max_batch: int = 2000
    max_delay_s: float = 0.005
    writers: int = 2
    max_queued: int = 100_000  # records waiting; beyond this, submit() waits (backpressure)
    on_committed: list[StoredHandler] = field(default_factory=list)  # quick: before the acks
    on_stored: list[StoredHandler] = field(default_factory=list)
    stats: IngestStats = field(default_factory=IngestStats)
    commit_lag: Histogram | None = None  # oldest fix's arrival → commit, per batch
    after_store_batch: int = 20_000  # records per handler round when stored batches wait
    registry: CollectorRegistry | None = None  # publishes the after-store backlog
    # the stages run in a stage worker process: each batch's transaction names its new
    # records in stage_queue (one row) instead of handing them to on_stored here
    stage_queue: bool = False

    def __post_init__(self) -> None:
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._queued_records = 0
        self._room = asyncio.Condition()
        self._last_fix: dict[object, LastFix] = {}
        self._tasks: list[asyncio.Task[None]] = []
        # stored batches wait here for the handlers, in order, off the ack path
        self._stored: asyncio.Queue[Sequence[Resolved]] = asyncio.Queue(maxsize=1000)
        self._stored_counter: Counter | None = None
        self._through_counter: Counter | None = None
        self._chain_seconds: Histogram | None = None
        if self.registry is not None:  # bench/ingest.py: did the after-store stages keep up?
            self._stored_counter = Counter(
                "fleetyard_ingest_fresh_records",
                "Newly stored records handed to the after-store stages",
                registry=self.registry,
            )
            self._through_counter = Counter(
                "fleetyard_ingest_after_store_records",
                "Newly stored records every after-store stage has been through",
                registry=self.registry,
            )
            self._chain_seconds = Histogram(  # bench/_stages.py reads it as a stage: the chain
                "fleetyard_ingest_after_store_seconds",
                "All after-store stages (side by side) per handler round",
                registry=self.registry,
                buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            )
            backlog = Gauge(
                "fleetyard_ingest_after_store_queue_batches",
                "Stored batches waiting for the after-store stages",
                registry=self.registry,
            )
            backlog.set_function(self._stored.qsize)

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._writer(i)) for i in range(self.writers)]
        self._tasks.append(asyncio.create_task(self._after_store()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def assess(self, route: DeviceRoute, positions: Sequence[Position]) -> list[Resolved]:
        """Validate in device order against the device's last trusted fix."""
        now = datetime.now(UTC)
        items = []
        for position in sorted(positions, key=lambda p: p.fix_time):
            previous = self._last_fix.get(route.device_id)
            reason = invalid_reason(position, previous, now)
            if reason is None:
                self._last_fix[route.device_id] = LastFix(
                    position.fix_time, position.latitude, position.longitude
                )
            items.append(Resolved(route, position, now, reason))
        return items

    async def submit(self, route: DeviceRoute, positions: Sequence[Position]) -> None:
        """Returns once the positions are durable; raises if they could not be stored."""
        await self._enqueue(self.assess(route, positions))

    async def submit_many(self, groups: Sequence[tuple[DeviceRoute, Sequence[Position]]]) -> None:
        """Many devices' positions as one submission (a vendor's page): each device's checked
        against its own last fix, all written in one batch, durable when this returns; if they
        could not be stored it raises, for all of them."""
        await self._enqueue([item for route, group in groups for item in self.assess(route, group)])

    async def _enqueue(self, items: list[Resolved]) -> None:
        if not items:
            return
        async with self._room:
            await self._room.wait_for(lambda: self._queued_records < self.max_queued)
            self._queued_records += len(items)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending(items, done))
        await done

    async def _writer(self, number: int) -> None:
        while True:
            first = await self._queue.get()
            await asyncio.sleep(self.max_delay_s)  # let concurrent devices join the batch
            pending = [first]
            count = len(first.items)
            while count < self.max_batch and not self._queue.empty():
                more = self._queue.get_nowait()
                pending.append(more)
                count += len(more.items)
            try:
                await self._write(pending)
            finally:
                async with self._room:
                    self._queued_records -= count
                    self._room.notify_all()
                for _ in pending:
                    self._queue.task_done()

    async def _write(self, pending: list[_Pending]) -> None:
        items = [item for p in pending for item in p.items]
        started = time.perf_counter()
        try:
            async with self.pool.acquire() as conn:
                fresh = await write_batch(conn, items, queue=self.stage_queue)
        except Exception as exc:
            if len(pending) > 1:  # one bad submission must not fail its neighbours
                for one in pending:
                    await self._write([one])
                return
            self.stats.failures += 1
            log.exception("positions not stored; no ack", extra={"records": len(items)})
            if not pending[0].done.done():  # the device keeps its records and resends
                pending[0].done.set_exception(exc)
            return
        self.stats.batches += 1
        self.stats.records += len(items)
        self.stats.fresh += len(fresh)
        self.stats.write_seconds += time.perf_counter() - started
        if self.commit_lag is not None:
            oldest = min(item.server_time for item in items)
            self.commit_lag.observe((datetime.now(UTC) - oldest).total_seconds())
        if fresh and self.on_committed:
            await self._run_handlers(self.on_committed, fresh)
        for p in pending:
            if not p.done.done():
                p.done.set_result(None)
        if fresh and self.stage_queue and self._stored_counter is not None:
            self._stored_counter.inc(len(fresh))
        if fresh and self.on_stored:
            if self._stored_counter is not None:
                self._stored_counter.inc(len(fresh))
            await self._stored.put(fresh)

    async def _after_store(self) -> None:
        while True:
            taken = [await self._stored.get()]
            records = len(taken[0])
            while records < self.after_store_batch and not self._stored.empty():
                more = self._stored.get_nowait()
                taken.append(more)
                records += len(more)
            fresh = taken[0] if len(taken) == 1 else [i for batch in taken for i in batch]
            started = time.perf_counter()
            try:
                await self._run_concurrently(self.on_stored, fresh)
            finally:
                self.stats.after_store_calls += 1
                self.stats.after_store_records += records
                if self._through_counter is not None and self._chain_seconds is not None:
                    self._chain_seconds.observe(time.perf_counter() - started)
                    self._through_counter.inc(records)
                for _ in taken:
                    self._stored.task_done()

    async def drain(self) -> None:
        """Wait until every stored batch has been through the handlers (tests, shutdown)."""
        await self._queue.join()
        await self._stored.join()

    @classmethod
    async def _run_concurrently(
        cls, handlers: list[StoredHandler], fresh: Sequence[Resolved]
    ) -> None:
        if len(handlers) == 1:
            await cls._run_handlers(handlers, fresh)
            return
        await asyncio.gather(*(cls._run_handlers([handler], fresh) for handler in handlers))

    @staticmethod
    async def _run_handlers(handlers: list[StoredHandler], fresh: Sequence[Resolved]) -> None:
        for handler in handlers:
            try:
                await handler(fresh)
            except Exception:  # one failing handler must not stop the others
                log.exception(
                    "post-store handler failed",
                    extra={"handler": getattr(handler, "__qualname__", repr(handler))},
                )
