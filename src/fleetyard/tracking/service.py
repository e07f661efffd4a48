"""Tracking rules: one subject per query, a bounded time window, keyset pages on fix time,
exports capped in size; a vehicle's readings downsampled into at most so many buckets; the
fleet's latest state per vehicle."""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.errors import NotFound, ValidationFailed
from fleetyard.kit.pagination import decode_cursor, encode_cursor
from fleetyard.models import Vehicle, VehicleState
from fleetyard.tracking.repository import (
    Bucket,
    Fix,
    FleetFilters,
    PositionRepository,
    Subject,
    Track,
    VehicleStateRepository,
)

DEFAULT_WINDOW = timedelta(hours=24)
MAX_WINDOW = timedelta(days=31)
MAX_EXPORT = 100_000  # fixes in one GeoJSON / CSV / GPX answer
# Telemetry aggregates every fix of the window in one statement per request (and the charts
# ask again every 30 s): a week of a 1 Hz tracker is already ~600,000 rows, so the window is
# kept shorter than the positions' 31 days; longer spans belong in a report.
TELEMETRY_MAX_WINDOW = timedelta(days=7)
DEFAULT_BUCKETS = 120
MAX_BUCKETS = 1000


class TooManyPositions(ValidationFailed):
    code = "too_many_positions"
    message = f"More than {MAX_EXPORT} positions in this window; ask for a narrower one."


@dataclass(frozen=True, slots=True)
class PositionQuery:
    """What the caller asked for, before defaults and checks."""

    device_id: uuid.UUID | None = None
    vehicle_id: uuid.UUID | None = None
    start: datetime | None = None
    end: datetime | None = None
    valid_only: bool = False


@dataclass(frozen=True, slots=True)
class Export:
    subject: Subject
    track: Track
    batches: AsyncIterator[Sequence[Fix]]


@dataclass(frozen=True, slots=True)
class Telemetry:
    """A vehicle's readings in ``[start, end)``, in buckets of ``width`` counted from start."""

    vehicle_id: uuid.UUID
    start: datetime
    end: datetime
    width: timedelta
    buckets: list[Bucket]


def resolve_window(
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    max_window: timedelta = MAX_WINDOW,
) -> tuple[datetime, datetime]:
    """``[start, end)``: ``end`` defaults to now, ``start`` to 24 h before ``end``."""
    for name, value in (("from", start), ("to", end)):
        if value is not None and value.utcoffset() is None:
            raise ValidationFailed("Times need a UTC offset.", details={"field": name})
    end = end or now
    start = start or end - DEFAULT_WINDOW
    if start >= end:
        raise ValidationFailed("'from' must be before 'to'.", details={"field": "from"})
    if end - start > max_window:
        raise ValidationFailed(
            f"The window may span at most {max_window.days} days.",
            details={"field": "from", "max_days": max_window.days},
        )
    return start, end


def bucket_width(start: datetime, end: datetime, buckets: int) -> timedelta:
    """The window split in ``buckets``, rounded up to whole seconds (at least one), so that
    ``[start, end)`` never needs more than ``buckets`` buckets."""
    window_us = (end - start) // timedelta(microseconds=1)
    return timedelta(seconds=max(1, math.ceil(window_us / (buckets * 1_000_000))))


def _parse_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    raw, device_id = decode_cursor(cursor)
    try:
        fix_time = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        fix_time = None
    if fix_time is None or fix_time.utcoffset() is None:
        raise ValidationFailed("Malformed cursor.", details={"cursor": cursor[:100]})
    return fix_time, device_id


class PositionService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.repo = PositionRepository(session, actor.tenant_id)

    async def list(
        self, query: PositionQuery, *, cursor: str | None, limit: int
    ) -> tuple[list[Fix], str | None]:
        _, track = await self._track(query)
        after = _parse_cursor(cursor) if cursor else None
        rows = await self.repo.list_after(track, after, limit + 1)
        items = rows[:limit]
        if len(rows) <= limit:
            return items, None
        return items, encode_cursor(items[-1].fix_time, items[-1].device_id)

    async def export(self, query: PositionQuery, *, valid_only: bool = False) -> Export:
        """The whole window for a file format; refused beyond ``MAX_EXPORT`` fixes."""
        subject, track = await self._track(query)
        if valid_only:
            track = replace(track, valid_only=True)
        if await self.repo.count_up_to(track, MAX_EXPORT + 1) > MAX_EXPORT:
            raise TooManyPositions(
                details={"limit": MAX_EXPORT, "from": track.start.isoformat()},
            )
        return Export(subject, track, self.repo.stream(track))

    async def _track(self, query: PositionQuery) -> tuple[Subject, Track]:
        if (query.device_id is None) == (query.vehicle_id is None):
            raise ValidationFailed(
                "Give exactly one of device_id and vehicle_id.",
                details={"fields": ["device_id", "vehicle_id"]},
            )
        start, end = resolve_window(query.start, query.end, datetime.now(UTC))
        track = Track(query.device_id, query.vehicle_id, start, end, query.valid_only)
        return await subject_of(self.repo, track), track


def _no_such(entity_type: str, entity_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"No such {entity_type}.", details={"entity_type": entity_type, "id": str(entity_id)}
    )


async def subject_of(repo: PositionRepository, track: Track) -> Subject:
    """The device or vehicle the track follows; NotFound outside the tenant."""
    if track.device_id is not None:
        found = await repo.get_device(track.device_id)
        if found is None:
            raise _no_such("device", track.device_id)
        return found
    assert track.vehicle_id is not None
    found = await repo.get_vehicle(track.vehicle_id)
    if found is None:
        raise _no_such("vehicle", track.vehicle_id)
    return found


class TelemetryService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.repo = PositionRepository(session, actor.tenant_id)

    async def for_vehicle(
        self,
        vehicle_id: uuid.UUID,
        start: datetime | None = None,
        end: datetime | None = None,
        buckets: int = DEFAULT_BUCKETS,
    ) -> Telemetry:
        """Speed and engine readings per bucket, at most ``buckets`` (1..``MAX_BUCKETS``, checked
        by the route) over a window of at most ``TELEMETRY_MAX_WINDOW``; buckets without fixes
        are left out."""
        start, end = resolve_window(start, end, datetime.now(UTC), TELEMETRY_MAX_WINDOW)
        track = Track(None, vehicle_id, start, end)
        await subject_of(self.repo, track)
        width = bucket_width(start, end, buckets)
        return Telemetry(vehicle_id, start, end, width, await self.repo.buckets(track, width))


class VehicleStateService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.repo = VehicleStateRepository(session, actor.tenant_id)

    async def get(self, vehicle_id: uuid.UUID) -> tuple[Vehicle, VehicleState | None]:
        found = await self.repo.get(vehicle_id)
        if found is None:
            raise _no_such("vehicle", vehicle_id)
        return found

    async def list(
        self, filters: FleetFilters, *, cursor: str | None, limit: int
    ) -> tuple[list[tuple[Vehicle, VehicleState | None]], str | None]:
        after = decode_cursor(cursor)[1] if cursor else None
        rows = await self.repo.list_after(filters, after, limit + 1)
        items = rows[:limit]
        if len(rows) <= limit:
            return items, None
        last_id = items[-1][0].id
        return items, encode_cursor(last_id, last_id)
