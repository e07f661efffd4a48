"""A connection's health as people and ``/metrics`` see it: its state, last success and
error, lag behind the vendor, and records in the last hour (a rolling count)."""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final, Protocol

HOUR: Final = timedelta(hours=1)


class ConnectionState(StrEnum):
    OK = "ok"
    BACKING_OFF = "backing_off"
    CREDENTIALS_REJECTED = "credentials_rejected"
    PAUSED = "paused"


class Clock(Protocol):
    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class HourlyCount:
    """Records in the last hour, in one-minute buckets (bounded memory, no per-record list)."""

    def __init__(self) -> None:
        self._buckets: deque[tuple[datetime, int]] = deque()

    def add(self, when: datetime, count: int) -> None:
        minute = when.replace(second=0, microsecond=0)
        if self._buckets and self._buckets[-1][0] == minute:
            self._buckets[-1] = (minute, self._buckets[-1][1] + count)
        else:
            self._buckets.append((minute, count))
        self._drop_before(when - HOUR)

    def total(self, now: datetime) -> int:
        self._drop_before(now - HOUR)
        return sum(count for _, count in self._buckets)

    def _drop_before(self, start: datetime) -> None:
        while self._buckets and self._buckets[0][0] <= start - timedelta(minutes=1):
            self._buckets.popleft()


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    """What a fleet manager sees of a connection (and what ``/metrics`` exports)."""

    state: ConnectionState
    last_success_at: datetime | None = None
    last_error: str | None = None  # plain words, never a secret
    vendor_time: datetime | None = None  # newest record time the vendor reported
    lag_s: float | None = None  # now − vendor_time, when known
    records_last_hour: int = 0
    records_total: int = 0  # since this loop started
    skipped: Mapping[str, int] = field(default_factory=dict)  # by reason, since start
    retry_at: datetime | None = None  # when backing off: the next try


class Health:
    """The mutable side of a connection's status, shared by both loops."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.state = ConnectionState.OK  # until a round says otherwise
        self.last_success_at: datetime | None = None
        self.last_error: str | None = None
        self.vendor_time: datetime | None = None
        self.retry_at: datetime | None = None
        self.records = HourlyCount()
        self.records_total = 0
        self.skipped: Counter[str] = Counter()

    def succeeded(self, records: int, vendor_time: datetime | None) -> None:
        now = self.clock.now()
        self.state = ConnectionState.OK
        self.last_success_at = now
        self.last_error = None
        self.retry_at = None
        if records:
            self.records.add(now, records)
            self.records_total += records
        if vendor_time is not None and (self.vendor_time is None or vendor_time > self.vendor_time):
            self.vendor_time = vendor_time

    def failed(self, state: ConnectionState, message: str, wait_s: float | None) -> None:
        self.state = state
        self.last_error = message
        self.retry_at = None if wait_s is None else self.clock.now() + timedelta(seconds=wait_s)

    def snapshot(self) -> ConnectionStatus:
        now = self.clock.now()
        lag = None if self.vendor_time is None else (now - self.vendor_time).total_seconds()
        return ConnectionStatus(
            state=self.state,
            last_success_at=self.last_success_at,
            last_error=self.last_error,
            vendor_time=self.vendor_time,
            lag_s=None if lag is None else max(lag, 0.0),
            records_last_hour=self.records.total(now),
            records_total=self.records_total,
            skipped=dict(self.skipped),
            retry_at=self.retry_at,
        )
