"""What a vehicle is doing now, from its latest fix: one rule for the dashboard's counts, the
vehicle lists and their filters. The web app's map colours its markers by the same rule
(``web/src/features/map/status.ts``), with an open alert drawn over any of these states.

The first that holds: no fix yet → ``no_position``; last fix older than ``OFFLINE_AFTER`` →
``offline`` (the tracker went quiet); ignition off → ``parked``; faster than ``MOVING_KMH``
→ ``moving``; otherwise (ignition on or unknown, standing still) → ``idle``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final


class Activity(StrEnum):
    MOVING = "moving"
    IDLE = "idle"
    PARKED = "parked"
    OFFLINE = "offline"
    NO_POSITION = "no_position"


OFFLINE_AFTER: Final = timedelta(minutes=10)
MOVING_KMH: Final = 3.0


def activity_of(
    fix_time: datetime | None,
    ignition: bool | None,
    speed_kmh: float | None,
    now: datetime,
) -> Activity:
    if fix_time is None:
        return Activity.NO_POSITION
    if now - fix_time > OFFLINE_AFTER:
        return Activity.OFFLINE
    if ignition is False:
        return Activity.PARKED
    if (speed_kmh or 0.0) >= MOVING_KMH:
        return Activity.MOVING
    return Activity.IDLE


def activity_sql(fix_time: str, ignition: str, speed_kmh: str, now: str = "now()") -> str:
    """The same rule as a SQL ``CASE`` over the named columns, for counting and filtering in
    the database (``now`` is a SQL expression or a bound parameter's name)."""
    return (
        f"CASE WHEN {fix_time} IS NULL THEN '{Activity.NO_POSITION}'"
        f" WHEN {now} - {fix_time} > interval '{int(OFFLINE_AFTER.total_seconds())} seconds'"
        f" THEN '{Activity.OFFLINE}'"
        f" WHEN {ignition} IS FALSE THEN '{Activity.PARKED}'"
        f" WHEN coalesce({speed_kmh}, 0) >= {MOVING_KMH} THEN '{Activity.MOVING}'"
        f" ELSE '{Activity.IDLE}' END"
    )
