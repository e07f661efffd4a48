"""When a service is due, from the schedule, when it was last done and today's meters: pure.

Each meter a schedule has an interval for is judged alone, by what remains until its due
point (``r``) against its "due soon" margin (``s``): ``r > s`` ok; ``0 < r <= s`` due soon;
reached (``r <= 0``) but not past by the margin yet, due; past by the margin or more (or past
at all with no margin), overdue. The schedule's status is the worst of its meters — whichever
comes first. A meter whose reading is unknown is left out.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from fleetyard.maintenance.schemas import DueStatus

MeterName = Literal["km", "hours", "date"]
RANK = {DueStatus.OK: 0, DueStatus.DUE_SOON: 1, DueStatus.DUE: 2, DueStatus.OVERDUE: 3}


@dataclass(frozen=True, slots=True)
class Intervals:
    km: Decimal | None = None
    hours: Decimal | None = None
    days: int | None = None
    months: int | None = None
    soon_km: Decimal = Decimal(0)
    soon_hours: Decimal = Decimal(0)
    soon_days: int = 0


@dataclass(frozen=True, slots=True)
class Done:
    km: Decimal | None
    hours: Decimal | None
    on: date


@dataclass(frozen=True, slots=True)
class Readings:
    km: Decimal | None
    hours: Decimal | None
    today: date


@dataclass(frozen=True, slots=True)
class Due:
    status: DueStatus
    due_by: tuple[MeterName, ...]
    next_km: Decimal | None = None
    next_hours: Decimal | None = None
    next_on: date | None = None
    remaining_km: Decimal | None = None
    remaining_hours: Decimal | None = None
    remaining_days: int | None = None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def judge(remaining: Decimal | int, soon: Decimal | int) -> DueStatus:
    if remaining > soon:
        return DueStatus.OK
    if remaining > 0:
        return DueStatus.DUE_SOON
    if remaining == 0 or remaining > -soon:
        return DueStatus.DUE
    return DueStatus.OVERDUE


def next_date(intervals: Intervals, done: date) -> date | None:
    if intervals.days is not None:
        return done + timedelta(days=intervals.days)
    if intervals.months is not None:
        return add_months(done, intervals.months)
    return None


def compute(intervals: Intervals, done: Done, now: Readings) -> Due:
    judged: list[tuple[MeterName, DueStatus, float]] = []
    next_km = next_hours = remaining_km = remaining_hours = None
    remaining_days = None
    if intervals.km is not None and done.km is not None:
        next_km = done.km + intervals.km
        if now.km is not None:
            remaining_km = next_km - now.km
            share = float(remaining_km / intervals.km)
            judged.append(("km", judge(remaining_km, intervals.soon_km), share))
    if intervals.hours is not None and done.hours is not None:
        next_hours = done.hours + intervals.hours
        if now.hours is not None:
            remaining_hours = next_hours - now.hours
            share = float(remaining_hours / intervals.hours)
            judged.append(("hours", judge(remaining_hours, intervals.soon_hours), share))
    next_on = next_date(intervals, done.on)
    if next_on is not None:
        remaining_days = (next_on - now.today).days
        span = max((next_on - done.on).days, 1)
        judged.append(("date", judge(remaining_days, intervals.soon_days), remaining_days / span))
    if not judged:
        return Due(DueStatus.OK, (), next_km, next_hours, next_on)
    worst = max(RANK[status] for _, status, _ in judged)
    by = tuple(
        name for name, status, _ in sorted(judged, key=lambda j: j[2]) if RANK[status] == worst
    )
    status = next(s for s, rank in RANK.items() if rank == worst)
    return Due(
        status, by, next_km, next_hours, next_on, remaining_km, remaining_hours, remaining_days
    )


def worst(statuses: list[DueStatus]) -> DueStatus:
    return max(statuses, key=lambda s: RANK[s], default=DueStatus.OK)
