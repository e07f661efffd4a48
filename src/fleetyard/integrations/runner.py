"""What drives one connection's adapter: poll, store, save the cursor; back off; report.

Exactly once, without one transaction across two systems: each round is
``poll(cursor) → deliver(positions) → save_progress(new cursor, status)``. ``deliver`` returns
only once the ingest pipeline has committed the positions, and only then is the new cursor
saved. A crash (or a failed store, or a pause) after the positions commit but before the
cursor is saved leaves the old cursor in place, so the next round reads the same page again;
storage is idempotent on (tenant, device, fix time), so the page is not stored twice. A crash
before the commit loses nothing either: the cursor never moved past records that were not
stored. So each poll's records and its cursor take effect together, exactly once.

Pacing: after a full page (``more``) the loop polls again at once; after an empty poll it waits,
doubling up to the provider's longest interval; after records, its shortest. Vendor trouble
sets the state: rate limited → ``backing_off`` until the vendor's ``retry_after``; unavailable
or unreadable → ``backing_off`` exponentially with jitter, bounded; credentials rejected →
``credentials_rejected`` and the loop ends (a person must enter new ones; whoever runs the loop
starts a new one when they change). Every adapter call runs under a timeout, and every
connection is its own task, so a vendor that hangs stalls only its own connection.

MQTT is pushed, not polled: ``ConsumeLoop`` runs the adapter's ``consume`` with the same
``deliver`` (the adapter acknowledges a batch only after ``deliver`` returns) and status.

Nothing here touches the database: storing, saving and the clock come in as small ports.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Final, Protocol, TypeVar, runtime_checkable

from fleetyard.integrations.health import (
    Clock,
    ConnectionState,
    ConnectionStatus,
    Health,
    SystemClock,
)
from fleetyard.integrations.pacing import Backoff, PollPolicy
from fleetyard.integrations.providers.base import (
    Cursor,
    PollResult,
    ProblemKind,
    ProviderClient,
    ProviderError,
    VendorVehicle,
)
from fleetyard.telematics.position import Position

log = logging.getLogger(__name__)

# Returns once the batch is committed; the number of records stored when some were not (a
# vendor vehicle not matched to ours), None when all were.
Deliver = Callable[[list[Position]], Awaitable[int | None]]
PushDeliver = Callable[[list[Position]], Awaitable[None]]
OnVehicles = Callable[[Sequence[VendorVehicle]], Awaitable[None]]

MAX_RETRY_AFTER_S: Final = 3600.0  # a vendor asking us to wait longer is waited on again
T = TypeVar("T")


class ConnectionStore(Protocol):
    """Where a connection's place and health are kept. ``save_progress`` is called only
    after the round's positions are committed."""

    async def save_progress(self, cursor: Mapping[str, str], status: ConnectionStatus) -> None: ...

    async def save_status(self, status: ConnectionStatus) -> None: ...


@runtime_checkable
class PushClient(Protocol):
    """An adapter the broker pushes to (MQTT): run until cancelled."""

    async def consume(
        self,
        deliver: PushDeliver,
        *,
        batch_max: int = ...,
        batch_delay_s: float = ...,
        on_state: Callable[[ProviderError | None], None] | None = ...,
    ) -> None: ...


def _vendor_time(result: PollResult) -> datetime | None:
    if isinstance(result.vendor_time, datetime) and result.vendor_time.tzinfo is not None:
        return result.vendor_time
    newest = max((p.fix_time for p in result.positions), default=None)
    return newest


class LoopObserver(Protocol):
    """Counts for ``/metrics``: a finished round (records stored, records skipped) and a
    failure by kind (a ``ProblemKind`` value, or ``store`` when our side failed)."""

    def polled(self, records: int, skipped: int) -> None: ...

    def failed(self, kind: str) -> None: ...


class _StoreTrouble(Exception):
    """Our side failed (storing, saving, matching): nothing to blame the vendor for."""


class _Loop(abc.ABC):
    """One connection's task. ``stop`` cancels it at once while it waits or talks to the
    vendor, and otherwise lets the round's store-then-save finish first."""

    def __init__(
        self,
        name: str,
        *,
        store: ConnectionStore,
        policy: PollPolicy,
        clock: Clock | None,
        rng: random.Random | None,
        observer: LoopObserver | None,
    ) -> None:
        self.name = name
        self.store = store
        self.policy = policy
        self.clock: Clock = clock or SystemClock()
        self.observer = observer
        self._health = Health(self.clock)
        self._errors = Backoff(policy.error_first_s, policy.error_cap_s, rng or random.Random())  # noqa: S311 (jitter)
        self._task: asyncio.Task[None] | None = None
        self._stop_requested = False
        self._interruptible = True

    @property
    def status(self) -> ConnectionStatus:
        return self._health.snapshot()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self.running:
            return
        self._stop_requested = False
        if self._health.state is ConnectionState.PAUSED:
            self._health.state = ConnectionState.OK
        self._task = asyncio.create_task(self._guarded(), name=f"integration-{self.name}")

    async def wait(self) -> None:
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def stop(self) -> None:
        self._stop_requested = True
        if self._task is not None and self._interruptible:
            self._task.cancel()
        await self.wait()

    async def pause(self) -> None:
        """Stop and say so: the state is ``paused`` until ``start`` (resume)."""
        await self.stop()
        self._health.state = ConnectionState.PAUSED
        self._health.retry_at = None
        await self._save_status()

    async def _guarded(self) -> None:
        try:
            await self._run()
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug of ours: logged, and the connection says it stopped
            log.exception("integration loop ended", extra={"integration": self.name})
            self._health.failed(ConnectionState.BACKING_OFF, "stopped by an internal error", None)
            await self._save_status()

    @abc.abstractmethod
    async def _run(self) -> None:
        """One connection's loop: polling (``ConnectionLoop``) or consuming (``ConsumeLoop``)."""

    @contextlib.asynccontextmanager
    async def _committing(self) -> AsyncIterator[None]:
        self._interruptible = False
        try:
            yield
        finally:
            self._interruptible = True

    async def _call(self, call: Awaitable[T], what: str) -> T:
        """An adapter call within the policy's timeout: a hang is the vendor unavailable."""
        try:
            async with asyncio.timeout(self.policy.call_timeout_s):
                return await call
        except TimeoutError:
            raise ProviderError(
                ProblemKind.UNAVAILABLE,
                f"the vendor did not answer the {what} within {self.policy.call_timeout_s:g} s",
            ) from None

    async def _ours(self, call: Awaitable[T], what: str) -> T:
        """Our own storing or saving, within the deliver timeout; any failure is ours."""
        try:
            async with asyncio.timeout(self.policy.deliver_timeout_s):
                return await call
        except TimeoutError:
            raise _StoreTrouble(
                f"{what} took longer than {self.policy.deliver_timeout_s:g} s"
            ) from None
        except ProviderError:
            raise
        except Exception as exc:
            log.warning(
                "integration %s failed", what, exc_info=True, extra={"integration": self.name}
            )
            raise _StoreTrouble(f"{what} failed; retrying") from exc

    async def _save_status(self) -> None:
        """Health is best effort: a database that is away must not stop the connection."""
        try:
            async with asyncio.timeout(self.policy.deliver_timeout_s):
                await self.store.save_status(self._health.snapshot())
        except Exception:
            log.warning(
                "integration status not saved", exc_info=True, extra={"integration": self.name}
            )

    async def _back_off(self, problem: ProviderError | _StoreTrouble) -> bool:
        """Record the problem and wait; False when the loop must end (a person must act)."""
        kind = problem.kind.value if isinstance(problem, ProviderError) else "store"
        message = problem.message if isinstance(problem, ProviderError) else str(problem)
        if self.observer is not None:
            self.observer.failed(kind)
        if isinstance(problem, ProviderError) and problem.kind is ProblemKind.CREDENTIALS_REJECTED:
            self._health.failed(ConnectionState.CREDENTIALS_REJECTED, message, None)
            log.warning("integration credentials rejected", extra={"integration": self.name})
            await self._save_status()
            return False
        wait = self._errors.next_delay()
        if (
            isinstance(problem, ProviderError)
            and problem.kind is ProblemKind.RATE_LIMITED
            and problem.retry_after_s is not None
            and problem.retry_after_s > 0
        ):
            wait = min(problem.retry_after_s, MAX_RETRY_AFTER_S)
        self._health.failed(ConnectionState.BACKING_OFF, message, wait)
        log.info(
            "integration backing off",
            extra={"integration": self.name, "kind": kind, "problem": message, "wait_s": wait},
        )
        await self._save_status()
        await self.clock.sleep(wait)
        return True


class ConnectionLoop(_Loop):
    """Polls one connection's adapter from its saved cursor until stopped."""

    def __init__(
        self,
        name: str,
        client: ProviderClient,
        *,
        deliver: Deliver,
        store: ConnectionStore,
        cursor: Mapping[str, str] | None,
        policy: PollPolicy | None = None,
        on_vehicles: OnVehicles | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        observer: LoopObserver | None = None,
    ) -> None:
        super().__init__(
            name,
            store=store,
            policy=policy or PollPolicy(),
            clock=clock,
            rng=rng,
            observer=observer,
        )
        self.client = client
        self.deliver = deliver
        self.on_vehicles = on_vehicles
        self._cursor: dict[str, str] | None = dict(cursor) if cursor is not None else None
        self._vehicles_due: datetime | None = None  # None: before the first poll

    @property
    def cursor(self) -> Cursor | None:
        return self._cursor

    def refresh_vehicles_soon(self) -> None:
        """The vendor sent a vehicle we have not listed: list them again before the next poll
        (at most once a minute)."""
        soonest = self.clock.now() + timedelta(minutes=1)
        if self._vehicles_due is not None and self._vehicles_due > soonest:
            self._vehicles_due = soonest

    async def _run(self) -> None:
        empties = 0  # polls in a row that brought nothing
        while not self._stop_requested:
            try:
                await self._refresh_vehicles()
                result = await self._call(self.client.poll(self._cursor), "poll")
                async with self._committing():
                    await self._store_round(result)
            except (ProviderError, _StoreTrouble) as problem:
                if not await self._back_off(problem):
                    return
                continue
            self._errors.reset()
            if self._stop_requested:
                return
            if result.more:
                continue  # more is waiting now
            empties = 0 if result.positions else empties + 1
            await self.clock.sleep(self._idle_wait(empties))

    def _idle_wait(self, empties: int) -> float:
        """The shortest interval after records; doubling after each empty poll, bounded."""
        growth = 2.0 ** min(max(empties - 1, 0), 30)
        return min(self.policy.idle_min_s * growth, self.policy.idle_max_s)

    async def _refresh_vehicles(self) -> None:
        if self.on_vehicles is None:
            return
        now = self.clock.now()
        if self._vehicles_due is not None and now < self._vehicles_due:
            return
        try:
            vehicles = await self._call(self.client.vehicles(), "vehicle list")
            await self._ours(self.on_vehicles(vehicles), "matching the vendor's vehicles")
        except (ProviderError, _StoreTrouble) as problem:
            refused = isinstance(problem, ProviderError) and problem.kind in (
                ProblemKind.CREDENTIALS_REJECTED,
                ProblemKind.RATE_LIMITED,
            )
            if refused or self._vehicles_due is None:
                raise  # no vehicle list yet: positions would have nowhere to go
            # The feed may still work: poll, and list the vehicles again in a minute.
            log.warning("vendor vehicles not listed", extra={"integration": self.name})
            self._vehicles_due = now + timedelta(minutes=1)
            return
        self._vehicles_due = now + timedelta(seconds=self.policy.vehicles_every_s)

    async def _store_round(self, result: PollResult) -> None:
        """Positions first, then the cursor: see the module's docstring."""
        stored = 0
        if result.positions:
            counted = await self._ours(self.deliver(list(result.positions)), "storing positions")
            stored = len(result.positions) if counted is None else counted
        self._health.succeeded(stored, _vendor_time(result))
        self._health.skipped.update(result.skipped_reasons or {})
        unexplained = result.skipped - sum((result.skipped_reasons or {}).values())
        if unexplained > 0:
            self._health.skipped["unreadable"] += unexplained
        cursor = dict(result.cursor)
        await self._ours(
            self.store.save_progress(cursor, self._health.snapshot()), "saving the cursor"
        )
        self._cursor = cursor
        if self.observer is not None:
            self.observer.polled(stored, result.skipped)


class ConsumeLoop(_Loop):
    """Runs a push adapter's ``consume`` (MQTT) with the same deliver and status: the adapter
    acknowledges a batch only after ``deliver`` returns, so pausing (cancelling) mid-batch
    loses nothing."""

    def __init__(
        self,
        name: str,
        client: PushClient,
        *,
        deliver: Deliver,
        store: ConnectionStore,
        policy: PollPolicy | None = None,
        batch_max: int = 500,
        batch_delay_s: float = 0.05,
        status_every_s: float = 5.0,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        observer: LoopObserver | None = None,
    ) -> None:
        super().__init__(
            name,
            store=store,
            policy=policy or PollPolicy(),
            clock=clock,
            rng=rng,
            observer=observer,
        )
        self.client = client
        self.deliver = deliver
        self.batch_max = batch_max
        self.batch_delay_s = batch_delay_s
        self.status_every_s = status_every_s
        self._status_saved_at: datetime | None = None
        self._saves: set[asyncio.Task[None]] = set()

    async def _run(self) -> None:
        while not self._stop_requested:
            try:
                await self.client.consume(
                    self._deliver_batch,
                    batch_max=self.batch_max,
                    batch_delay_s=self.batch_delay_s,
                    on_state=self._on_state,
                )
                problem: ProviderError | _StoreTrouble = _StoreTrouble("the consumer ended")
            except (ProviderError, _StoreTrouble) as raised:
                problem = raised
            if not await self._back_off(problem):
                return

    async def _deliver_batch(self, positions: list[Position]) -> None:
        counted = await self._ours(self.deliver(positions), "storing positions")
        stored = len(positions) if counted is None else counted
        newest = max((p.fix_time for p in positions), default=None)
        self._health.succeeded(stored, newest)
        self._errors.reset()
        if self.observer is not None:
            self.observer.polled(stored, 0)
        now = self.clock.now()
        due = self._status_saved_at is None or (
            (now - self._status_saved_at).total_seconds() >= self.status_every_s
        )
        if due:  # health only; MQTT's place is kept by the broker
            self._status_saved_at = now
            self._sync_skipped()
            await self._save_status()

    def _on_state(self, problem: ProviderError | None) -> None:
        if problem is None:
            self._health.state = ConnectionState.OK
            self._health.last_error = None
            self._health.retry_at = None
            self._errors.reset()
        else:
            self._health.failed(ConnectionState.BACKING_OFF, problem.message, problem.retry_after_s)
            if self.observer is not None:
                self.observer.failed(problem.kind.value)
        self._sync_skipped()
        task = asyncio.create_task(self._save_status())
        self._saves.add(task)
        task.add_done_callback(self._saves.discard)

    def _sync_skipped(self) -> None:
        counted = getattr(self.client, "skipped", None)
        if isinstance(counted, Mapping):
            self._health.skipped = Counter({str(k): int(v) for k, v in counted.items()})
