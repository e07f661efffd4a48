"""Active hours: weekday windows on the tenant's wall clock. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FALLBACK_ZONE = "UTC"


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    """The tenant's zone; an unknown name (never written by the API) reads as UTC."""
    try:
        return ZoneInfo(name or FALLBACK_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(FALLBACK_ZONE)


@dataclass(frozen=True, slots=True)
class Window:
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time

    def covers(self, local: datetime) -> bool:
        clock = local.time()
        weekday = local.weekday()
        if self.start < self.end:
            return weekday in self.days and self.start <= clock < self.end
        # past midnight: the evening of a listed day, or the small hours after it
        if weekday in self.days and clock >= self.start:
            return True
        return (weekday - 1) % 7 in self.days and clock < self.end


@dataclass(frozen=True, slots=True)
class ActiveHours:
    """``None`` windows: always active."""

    windows: tuple[Window, ...] | None
    zone: ZoneInfo

    def active(self, moment: datetime) -> bool:
        if self.windows is None:
            return True
        local = moment.astimezone(self.zone)
        return any(w.covers(local) for w in self.windows)


ALWAYS = ActiveHours(None, ZoneInfo(FALLBACK_ZONE))


def _clock(text: str) -> time:
    hours, minutes = text.split(":")[:2]
    return time(int(hours), int(minutes))


def parse(stored: Sequence[Mapping[str, Any]] | None, zone_name: str | None) -> ActiveHours:
    """Stored windows (``[{"days": ["mon"], "start": "07:00", "end": "17:00"}]``)."""
    if not stored:
        return ALWAYS
    windows = tuple(
        Window(
            frozenset(WEEKDAYS.index(d) for d in w["days"] if d in WEEKDAYS),
            _clock(w["start"]),
            _clock(w["end"]),
        )
        for w in stored
    )
    return ActiveHours(windows, zone(zone_name))
