"""When a schedule is due and which period its report covers, in the tenant's zone.

A daily report at 07:00 covers yesterday, a weekly one (due Mondays) the week before, a
monthly one (due on the 1st) the month before: whole local days, so a report that spans a
DST change covers 23 or 25 hours, as a person reading local times expects. The due time is
the hour's wall-clock time in the zone; an hour that does not exist that day (spring forward)
is taken as the first instant after the gap, an hour that exists twice as its first time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Cadence = Literal["daily", "weekly", "monthly"]


def _local_instant(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """fold=0 reads a wall time with the offset in force before a change: a repeated hour's
    first occurrence, and an hour in a spring-forward gap the instant the clocks jump."""
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def _period_start_day(cadence: Cadence, day: date) -> date:
    """The first day of the period that starts on or before ``day`` and is due at its end."""
    if cadence == "daily":
        return day
    if cadence == "weekly":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_boundary(cadence: Cadence, day: date) -> date:
    """The first day of the period after the one holding ``day``."""
    if cadence == "daily":
        return day + timedelta(days=1)
    if cadence == "weekly":
        return day - timedelta(days=day.weekday()) + timedelta(days=7)
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def next_due(cadence: Cadence, hour: int, zone_name: str, after: datetime) -> datetime:
    """The first due time strictly after ``after`` (UTC)."""
    zone = ZoneInfo(zone_name)
    day = _period_start_day(cadence, after.astimezone(zone).date())
    while True:
        due = _local_instant(day, hour, zone)
        if due > after:
            return due
        day = _next_boundary(cadence, day)


def period_for(cadence: Cadence, zone_name: str, due: datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` of the whole local days a run due at ``due`` reports on."""
    zone = ZoneInfo(zone_name)
    end_day = due.astimezone(zone).date()
    if cadence == "daily":
        start_day = end_day - timedelta(days=1)
    elif cadence == "weekly":
        start_day = end_day - timedelta(days=7)
    else:
        start_day = (end_day.replace(day=1) - timedelta(days=1)).replace(day=1)
    start = datetime.combine(start_day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(end_day, time(0), tzinfo=zone).astimezone(UTC)
    return start, end
