"""What every stateful after-store stage (trips, driving behaviour, …) shares, once:

- ``StageStats``: what it did in this process, for tests and benchmarks;
- ``StageMeter``: its cost on ``/metrics`` as ``fleetyard_<stage>_seconds`` (a histogram per
  stored batch) and ``fleetyard_<stage>_records_total``, which ``bench/ingest.py`` divides
  into a time per record;
- ``valid_by_device``: a batch's valid fixes with a vehicle, per tenant and device, in order;
- ``each_tenant``: one transaction's work per tenant of a batch, a tenant's failure logged
  and handed back (so the stage forgets what memory may hold ahead of the database) while the
  other tenants go on;
- ``stored_after``: a device's stored fixes after a moment, chunk by chunk (a replay);
- ``DeviceCheckpoints``: a per-device detector state table (``tenant_id, device_id,
  last_fix_at, state``), read for many devices in one query and written in one statement;
  ``checkpoints_of`` gathers what to write from a stage's device tracks.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol, TypeVar

import asyncpg
import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram

from fleetyard.telematics.ingest.store import Resolved

log = logging.getLogger(__name__)

T = TypeVar("T")
ByDevice = dict[uuid.UUID, list[Resolved]]
BUCKETS: Final = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


@dataclass
class StageStats:
    """What a stage did in this process (tests and benchmarks read it)."""

    batches: int = 0
    records: int = 0
    seconds: float = 0.0
    replays: int = 0  # devices whose state was rebuilt from stored positions
    failures: int = 0  # tenant batches that failed

    @property
    def microseconds_per_record(self) -> float:
        return 1e6 * self.seconds / self.records if self.records else 0.0


class StageMeter:
    def __init__(self, stage: str, what: str, registry: CollectorRegistry | None) -> None:
        self._seconds: Histogram | None = None
        self._records: Counter | None = None
        if registry is not None:
            self._seconds = Histogram(
                f"fleetyard_{stage}_seconds",
                f"{what} per stored batch",
                registry=registry,
                buckets=BUCKETS,
            )
            self._records = Counter(
                f"fleetyard_{stage}_records", f"Stored records through {what}", registry=registry
            )

    def observe(self, seconds: float, records: int) -> None:
        if self._seconds is not None and self._records is not None:
            self._seconds.observe(seconds)
            self._records.inc(records)


def valid_by_device(stored: Sequence[Resolved]) -> dict[uuid.UUID, ByDevice]:
    """tenant → device → its valid fixes with a vehicle, oldest first."""
    grouped: dict[uuid.UUID, ByDevice] = defaultdict(lambda: defaultdict(list))
    for item in stored:
        if item.invalid_reason is None and item.route.vehicle_id is not None:
            grouped[item.route.tenant_id][item.route.device_id].append(item)
    for devices in grouped.values():
        for items in devices.values():
            items.sort(key=lambda i: i.position.fix_time)
    return grouped


async def each_tenant(
    grouped: Mapping[uuid.UUID, T],
    apply: Callable[[uuid.UUID, T], Awaitable[None]],
    failed: Callable[[uuid.UUID, T], None],
    what: str,
) -> None:
    """``apply`` per tenant; a failure is logged and passed to ``failed``, and the next
    tenant still runs."""
    for tenant_id, work in grouped.items():
        try:
            await apply(tenant_id, work)
        except Exception:  # one tenant's failure must not cost the others theirs
            failed(tenant_id, work)
            log.exception(f"{what} failed for a tenant batch", extra={"tenant_id": str(tenant_id)})


_ANY_KEYS: Final = orjson.OPT_NON_STR_KEYS  # written as json.dumps would: int keys as text


class DeviceCheckpoints:
    """A stage's per-device states, on a connection scoped to the tenant."""

    def __init__(self, conn: asyncpg.Connection, tenant_id: uuid.UUID, table: str) -> None:
        assert table.replace("_", "").isalnum(), "a table name of our own"
        self.conn = conn
        self.tenant_id = tenant_id
        self._read = (
            f"select device_id, state from {table} "  # noqa: S608 - our own table name
            "where tenant_id = $1 and device_id = any($2::uuid[])"
        )
        self._write = f"""
insert into {table} (tenant_id, device_id, last_fix_at, state)
select $1, d, t, s::jsonb from unnest($2::uuid[], $3::timestamptz[], $4::text[]) as x(d, t, s)
on conflict (tenant_id, device_id) do update set
    last_fix_at = excluded.last_fix_at, state = excluded.state, updated_at = now()
"""  # noqa: S608 - our own table name

    async def states(self, device_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        rows = await self.conn.fetch(self._read, self.tenant_id, list(device_ids))
        return {device_id: orjson.loads(state) for device_id, state in rows}

    async def save(self, states: Sequence[tuple[uuid.UUID, datetime, dict[str, Any]]]) -> None:
        if not states:
            return
        await self.conn.execute(
            self._write,
            self.tenant_id,
            [device for device, _, _ in states],
            [at for _, at, _ in states],
            # orjson: a few thousand states a second; a NaN is written as null, never refused
            [orjson.dumps(state, option=_ANY_KEYS).decode() for _, _, state in states],
        )


class _Timed(Protocol):
    @property
    def time(self) -> datetime: ...


class _DetectorState(Protocol):
    @property
    def last(self) -> _Timed | None: ...

    def to_json(self) -> dict[str, object]: ...


class _Detector(Protocol):
    @property
    def state(self) -> _DetectorState: ...


class CheckpointedTrack(Protocol):
    """A stage's memory of one device: its detector and when its state was last saved."""

    checkpoint_at: datetime | None

    @property
    def detector(self) -> _Detector: ...


def checkpoints_of(
    tracks: Mapping[uuid.UUID, CheckpointedTrack], device_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, datetime, dict[str, object]]]:
    """The states to save for these devices (those with a fix), marking them saved."""
    saved = []
    for device_id in device_ids:
        track = tracks.get(device_id)
        last = track.detector.state.last if track else None
        if track is None or last is None:
            continue
        track.checkpoint_at = last.time
        saved.append((device_id, last.time, track.detector.state.to_json()))
    return saved


async def stored_after(
    conn: asyncpg.Connection,
    sql: str,
    tenant_id: uuid.UUID,
    device_id: uuid.UUID,
    after: datetime,
    chunk: int,
) -> AsyncIterator[list[asyncpg.Record]]:
    """A device's stored fixes after ``after`` in chunks, oldest first: ``sql`` takes
    (tenant, device, after), orders by ``fix_time`` and limits to ``chunk`` rows."""
    while True:
        rows = await conn.fetch(sql, tenant_id, device_id, after)
        if rows:
            yield list(rows)
        if len(rows) < chunk:
            return
        after = rows[-1]["fix_time"]
