"""Driving events and scores for the API: windows checked, periods cut in the tenant's time
zone, every score computed from the events it lists (``scoring``). The detection itself runs in
the ingest pipeline (``handler``)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.behaviour.handler import zone_of
from fleetyard.behaviour.repository import BehaviourRepository, EventFilters
from fleetyard.behaviour.schemas import (
    DeductionOut,
    DrivingEvent,
    DrivingEventKind,
    EventPointsOut,
    FixOut,
    Leaderboard,
    LeaderboardEntry,
    LeaderboardPeriod,
    Scorecard,
    ScoreOut,
    ScorePeriod,
    ScorePeriodKind,
)
from fleetyard.behaviour.scoring import EventRow, Score, method, score
from fleetyard.errors import NotFound, ValidationFailed
from fleetyard.kit.pagination import decode_cursor, encode_cursor
from fleetyard.tracking.service import resolve_window

MAX_WINDOW: Final = timedelta(days=93)
DEFAULT_WINDOWS: Final = {
    ScorePeriodKind.TRIP: timedelta(days=7),
    ScorePeriodKind.DAY: timedelta(days=7),
    ScorePeriodKind.WEEK: timedelta(days=28),
}


def _window(
    start: datetime | None, end: datetime | None, default: timedelta
) -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    if start is None:
        anchor = end if end is not None and end.utcoffset() is not None else now
        start = anchor - default
    return resolve_window(start, end, now, MAX_WINDOW)


def _no_such(entity_type: str, entity_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"No such {entity_type}.", details={"entity_type": entity_type, "id": str(entity_id)}
    )


def event_out(row: RowMapping | Mapping[str, Any]) -> DrivingEvent:
    details = row["details"] if isinstance(row["details"], dict) else json.loads(row["details"])
    fixes = row["fixes"] if isinstance(row["fixes"], list) else json.loads(row["fixes"])
    return DrivingEvent(
        **{k: row[k] for k in row if k not in ("details", "fixes")},
        details=details,
        fixes=[
            FixOut(
                time=datetime.fromisoformat(f[0]),
                latitude=f[1],
                longitude=f[2],
                speed_kmh=f[3],
                course=f[4],
            )
            for f in fixes
        ],
    )


def score_out(result: Score) -> dict[str, Any]:
    return {
        "score": result.score,
        "distance_km": result.distance_km,
        "driving_s": result.driving_s,
        "deductions": [
            DeductionOut(
                kind=DrivingEventKind(d.kind),
                label=d.label,
                basis=d.basis,
                count=len(d.events),
                points=d.points,
                events=[
                    EventPointsOut(
                        id=p.event.id,
                        kind=DrivingEventKind(p.event.kind),
                        severity=p.event.severity,
                        vehicle_id=p.event.vehicle_id,
                        started_at=p.event.started_at,
                        ended_at=p.event.ended_at,
                        latitude=p.event.latitude,
                        longitude=p.event.longitude,
                        points=round(p.points, 2),
                        why=p.why,
                    )
                    for p in d.events
                ],
            )
            for d in result.deductions
        ],
    }


def local_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def buckets(
    start: datetime, end: datetime, kind: ScorePeriodKind, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """Local days or ISO weeks (from Monday) overlapping ``[start, end)``, as UTC instants."""
    day = start.astimezone(zone).date()
    if kind is ScorePeriodKind.WEEK:
        day -= timedelta(days=day.weekday())
    step = timedelta(days=7 if kind is ScorePeriodKind.WEEK else 1)
    out = []
    while local_start(day, zone) < end:
        out.append((local_start(day, zone), local_start(day + step, zone)))
        day += step
    return out


def _totals(trips: Sequence[RowMapping]) -> tuple[float, float]:
    return (
        sum(float(t["distance_m"] or 0) for t in trips),
        sum(float(t["driving_s"] or 0) for t in trips),
    )


class BehaviourService:
    def __init__(self, session: AsyncSession, actor: Principal) -> None:
        self.actor = actor
        self.repo = BehaviourRepository(session, actor.tenant_id)

    async def _zone(self) -> ZoneInfo:
        return zone_of(await self.repo.zone())

    # --- events ---------------------------------------------------------------------------
    def filters(
        self,
        vehicle_id: uuid.UUID | None,
        driver_id: uuid.UUID | None,
        kinds: Sequence[str],
        start: datetime | None,
        end: datetime | None,
    ) -> EventFilters:
        if vehicle_id is not None and driver_id is not None:
            raise ValidationFailed(
                "Give vehicle_id or driver_id, not both.",
                details={"fields": ["vehicle_id", "driver_id"]},
            )
        begin, finish = _window(start, end, timedelta(days=7))
        return EventFilters(begin, finish, vehicle_id, driver_id, tuple(sorted(set(kinds))))

    async def list_events(
        self, filters: EventFilters, cursor: str | None, limit: int
    ) -> tuple[list[DrivingEvent], str | None]:
        after = None
        if cursor is not None:
            try:
                at, row_id = decode_cursor(cursor)
                after = (datetime.fromisoformat(str(at)), row_id)
            except (ValueError, TypeError) as exc:
                raise ValidationFailed("Invalid cursor.", details={"field": "cursor"}) from exc
        rows = await self.repo.list_events(filters, after, limit)
        items = [event_out(r) for r in rows[:limit]]
        if len(rows) <= limit or not items:
            return items, None
        return items, encode_cursor(items[-1].started_at, items[-1].id)

    async def get_event(self, event_id: uuid.UUID) -> DrivingEvent:
        row = await self.repo.get_event(event_id)
        if row is None:
            raise _no_such("driving event", event_id)
        return event_out(row)

    # --- scores ---------------------------------------------------------------------------
    async def scorecard(
        self,
        driver_id: uuid.UUID,
        period: ScorePeriodKind,
        start: datetime | None,
        end: datetime | None,
    ) -> Scorecard:
        name = await self.repo.driver_name(driver_id)
        if name is None:
            raise _no_such("driver", driver_id)
        begin, finish = _window(start, end, DEFAULT_WINDOWS[period])
        zone = await self._zone()
        events = [EventRow.of(r) for r in await self.repo.driver_events(begin, finish, driver_id)]
        trips = await self.repo.driver_trips(begin, finish, driver_id)
        distance, driving = _totals(trips)
        periods = (
            _trip_periods(events, trips, finish)
            if period is ScorePeriodKind.TRIP
            else _bucket_periods(events, trips, buckets(begin, finish, period, zone))
        )
        return Scorecard(
            driver_id=driver_id,
            driver_name=name,
            period=period,
            start=begin,
            end=finish,
            time_zone=str(zone),
            periods=periods,
            method=method(),
            **score_out(score(events, distance, driving)),
        )

    async def leaderboard(self, period: LeaderboardPeriod, day: date | None) -> Leaderboard:
        zone = await self._zone()
        day = day or datetime.now(zone).date()
        if period is LeaderboardPeriod.WEEK:
            day -= timedelta(days=day.weekday())
        begin = local_start(day, zone)
        finish = local_start(
            day + timedelta(days=7 if period is LeaderboardPeriod.WEEK else 1), zone
        )
        events: dict[uuid.UUID, list[EventRow]] = defaultdict(list)
        for row in await self.repo.driver_events(begin, finish):
            events[row["driver_id"]].append(EventRow.of(row))
        trips: dict[uuid.UUID, list[RowMapping]] = defaultdict(list)
        for trip in await self.repo.driver_trips(begin, finish):
            trips[trip["driver_id"]].append(trip)
        drivers = sorted(set(events) | set(trips))
        names = await self.repo.driver_names(drivers)
        scored = []
        for driver_id in drivers:
            distance, driving = _totals(trips.get(driver_id, []))
            result = score(events.get(driver_id, []), distance, driving)
            scored.append((driver_id, result, len(events.get(driver_id, []))))
        scored.sort(key=lambda s: (-s[1].score, -s[1].distance_km, names.get(s[0], "")))
        return Leaderboard(
            period=period,
            date=day,
            start=begin,
            end=finish,
            time_zone=str(zone),
            entries=[
                LeaderboardEntry(
                    rank=rank,
                    driver_id=driver_id,
                    name=names.get(driver_id, ""),
                    score=result.score,
                    distance_km=result.distance_km,
                    driving_s=result.driving_s,
                    events=count,
                )
                for rank, (driver_id, result, count) in enumerate(scored, start=1)
            ],
        )


def _bucket_periods(
    events: list[EventRow], trips: Sequence[RowMapping], spans: list[tuple[datetime, datetime]]
) -> list[ScorePeriod]:
    periods = []
    for begin, finish in spans:
        inside = [e for e in events if begin <= e.started_at < finish]
        its_trips = [t for t in trips if begin <= t["started_at"] < finish]
        if not inside and not its_trips:
            continue
        distance, driving = _totals(its_trips)
        periods.append(
            ScorePeriod(start=begin, end=finish, **score_out(score(inside, distance, driving)))
        )
    return periods


def _trip_periods(
    events: list[EventRow], trips: Sequence[RowMapping], until: datetime
) -> list[ScorePeriod]:
    """Each trip with the events of its vehicle within its span."""
    periods = []
    for trip in trips:
        begin, finish = trip["started_at"], trip["ended_at"] or until
        inside = [
            e
            for e in events
            if e.vehicle_id == trip["vehicle_id"] and begin <= e.started_at <= finish
        ]
        result = score(inside, float(trip["distance_m"] or 0), float(trip["driving_s"] or 0))
        periods.append(
            ScorePeriod(
                start=begin,
                end=finish,
                trip_id=trip["id"],
                vehicle_id=trip["vehicle_id"],
                **score_out(result),
            )
        )
    return periods


__all__ = ["BehaviourService", "ScoreOut", "buckets", "event_out"]
