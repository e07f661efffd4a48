"""Sanity rules for a fix. An impossible fix is stored, flagged invalid, and kept out of the
vehicle's state and alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fleetyard.kit.geo import MPS_TO_KMH, haversine_m
from fleetyard.telematics.position import Position

MAX_SPEED_KMH = 350.0  # nothing on a road reports faster; a bad fix does
MAX_FUTURE = timedelta(minutes=10)  # device clocks drift; beyond this the time is wrong
MIN_FIX_TIME = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class LastFix:
    fix_time: datetime
    latitude: float
    longitude: float


def invalid_reason(position: Position, previous: LastFix | None, now: datetime) -> str | None:
    """Why this fix can't be trusted, or None when it can."""
    if not position.valid:
        return "no_gps_fix"
    if not (-90.0 <= position.latitude <= 90.0 and -180.0 <= position.longitude <= 180.0):
        return "out_of_range"
    if position.latitude == 0.0 and position.longitude == 0.0:
        return "null_island"
    if position.fix_time > now + MAX_FUTURE:
        return "future_time"
    if position.fix_time < MIN_FIX_TIME:
        return "ancient_time"
    if position.speed_kmh is not None and position.speed_kmh > MAX_SPEED_KMH:
        return "implausible_speed"
    if previous is not None and _teleported(position, previous):
        return "teleport"
    return None


def _teleported(position: Position, previous: LastFix) -> bool:
    """Moving faster than any vehicle between two fixes (with slack for GPS jitter)."""
    seconds = abs((position.fix_time - previous.fix_time).total_seconds())
    distance = haversine_m(
        previous.latitude, previous.longitude, position.latitude, position.longitude
    )
    if distance < 1_000:  # jitter and short hops are never teleports
        return False
    allowed = (MAX_SPEED_KMH / MPS_TO_KMH) * max(seconds, 1.0) + 500.0
    return distance > allowed
