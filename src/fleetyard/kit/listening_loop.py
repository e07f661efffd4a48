"""A background loop on the owner connection that polls and, given a channel, also wakes on
``NOTIFY``.

The webhook and notification dispatchers share it (with a channel), and the report and
maintenance schedulers (polling only): each round runs on a small pool, a
separate connection LISTENs (reconnected when it drops; polling covers the gap), a failed
round is logged and the next one backs off, and work handed to tasks in flight is cancelled
on stop (its leases expire, so another round picks it up again). A database that is away only
delays the work, never the process that runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from abc import ABC, abstractmethod
from typing import Any, Final

import asyncpg

CONNECT_TIMEOUT_S: Final = 5.0
MAX_BACKOFF_S: Final = 30.0  # between rounds while the database is unreachable


class ListeningLoop(ABC):
    """Subclasses set ``task_name`` (and ``channel`` to wake on its notifications, and
    ``pool_size``), write ``_round`` and may override ``_nap`` (to wake earlier than the
    poll) and ``stop`` (to close their own clients)."""

    channel: str | None = None  # None: polling only, no listening connection
    task_name: str
    pool_size: int = 4

    def __init__(self, owner_dsn: str, *, poll_interval_s: float) -> None:
        self.owner_dsn = owner_dsn
        self.poll_interval_s = poll_interval_s
        self._pool: asyncpg.Pool | None = None
        self._listener: asyncpg.Connection | None = None
        self._wake = asyncio.Event()
        self._in_flight: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._task: asyncio.Task[None] | None = None
        self.rounds = 0  # completed rounds, for tests

    async def open(self) -> None:
        """Start the loop; it connects on its first round (and again whenever it must)."""
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        """Stop the loop, cancel the tasks in flight, close the connections."""
        tasks = [t for t in (self._task, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._listener is not None:
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await self._listener.close(timeout=CONNECT_TIMEOUT_S)
            self._listener = None
        if self._pool is not None:
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT_S):
                    await self._pool.close()
            except TimeoutError:
                self._pool.terminate()

    def wake(self) -> None:
        self._wake.set()

    @abstractmethod
    async def _round(self) -> None:
        """One pass over the work there is: after each notification, else each poll interval."""

    async def _run(self) -> None:
        failures = 0
        while True:
            self._wake.clear()
            try:
                await self._connect()
                await self._round()
                self.rounds += 1
                failures = 0
            except Exception:  # logged; the next round tries again, backing off
                logging.getLogger(type(self).__module__).exception(
                    "%s round failed", self.task_name
                )
                failures += 1
                await asyncio.sleep(min(2.0 ** (failures - 1), MAX_BACKOFF_S))
            await self._nap()

    async def _nap(self) -> None:
        """Until a notification, a finished task or the poll interval."""
        # asyncio.timeout, not wait_for: before Python 3.12, wait_for can swallow a
        # cancellation that arrives as the wait ends, and stop() would wait forever.
        await self._wait_for_wake(self.poll_interval_s)

    async def _wait_for_wake(self, timeout_s: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(timeout_s, 0.0)):
                await self._wake.wait()

    async def _connect(self) -> None:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                self.owner_dsn, min_size=1, max_size=self.pool_size, timeout=CONNECT_TIMEOUT_S
            )
        if self.channel is None or (self._listener is not None and not self._listener.is_closed()):
            return
        self._listener = None
        listener = await asyncpg.connect(self.owner_dsn, timeout=CONNECT_TIMEOUT_S)
        try:
            await listener.add_listener(self.channel, self._notified)
        except BaseException:
            listener.terminate()
            raise
        self._listener = listener

    def _notified(self, *_: Any) -> None:
        self._wake.set()


class TenantRoundLoop(ListeningLoop):
    """A loop whose round goes through the tenants ``tenants_sql`` lists (on the owner pool:
    RLS would hide them) and hands each to ``for_tenant`` on the app's sessions; one tenant's
    failure is logged and never stops the others. The maintenance scheduler and the dispatch
    monitor run on it."""

    tenants_sql: str  # selects a column tenant_id
    pool_size = 1  # the tenants are listed here; their work runs on the app's sessions

    @abstractmethod
    async def for_tenant(self, tenant_id: uuid.UUID) -> bool:
        """One tenant's work; whether there was any."""

    async def _round(self) -> None:
        await self.run_round()

    async def run_round(self) -> int:
        """Every listed tenant's work; how many had some here."""
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            tenants: list[uuid.UUID] = [r["tenant_id"] for r in await conn.fetch(self.tenants_sql)]
        done = 0
        for tenant_id in tenants:
            try:
                done += await self.for_tenant(tenant_id)
            except Exception:  # one tenant's failure never stops the others
                logging.getLogger(type(self).__module__).exception(
                    "%s failed for a tenant", self.task_name, extra={"tenant_id": str(tenant_id)}
                )
        return done
