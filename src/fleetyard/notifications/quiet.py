"""Quiet hours: a daily window of local times in the tenant's zone (22:00–06:00 crosses
midnight). Pure, over an aware ``now``; a time a DST change skips or repeats is read as
``zoneinfo`` reads it (fold 0)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str) -> ZoneInfo:
    """The tenant's zone; UTC for a name this machine doesn't know (never an error here)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def quiet_until(now: datetime, start: time, end: time, time_zone: str) -> datetime | None:
    """When the quiet window ``now`` falls in ends (UTC), or None outside quiet hours."""
    tz = zone(time_zone)
    local = now.astimezone(tz)
    today = local.date()
    for day in (today - timedelta(days=1), today):
        opens = datetime.combine(day, start, tz)
        closes_day = day if end > start else day + timedelta(days=1)
        closes = datetime.combine(closes_day, end, tz)
        if opens <= local < closes:
            return closes.astimezone(UTC)
    return None
