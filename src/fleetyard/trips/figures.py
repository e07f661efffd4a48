"""A trip's figures from the detector's running totals: which distance counts, the average
speed, the fuel used. Pure, so the rules are tested without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from fleetyard.kit.geo import MPS_TO_KMH
from fleetyard.trips.detector import StopDraft, TripDraft

MAX_ODOMETER_KMH: Final = 250.0  # an odometer advancing faster than this is wrong, not fast
ODOMETER_SLACK_M: Final = 1_000.0

DistanceSource = Literal["gps", "odometer"]


@dataclass(frozen=True, slots=True)
class TripFigures:
    distance_m: float
    distance_source: DistanceSource
    duration_s: float
    driving_s: float
    idle_s: float
    max_speed_kmh: float
    avg_speed_kmh: float | None  # over the driving time
    fuel_used_l: float | None
    fuel_used_pct: float | None  # of the tank, from the fuel level


def trip_figures(trip: TripDraft, now: datetime | None = None) -> TripFigures:
    end = trip.ended_at or now or trip.started_at
    duration = max(0.0, (end - trip.started_at).total_seconds())
    distance, source = _distance(trip, duration)
    driving = trip.driving_s
    return TripFigures(
        distance_m=round(distance, 1),
        distance_source=source,
        duration_s=round(duration, 3),
        driving_s=round(driving, 3),
        idle_s=round(trip.idle_s, 3),
        max_speed_kmh=round(trip.max_speed_kmh, 1),
        avg_speed_kmh=round(distance / driving * MPS_TO_KMH, 1) if driving > 0 else None,
        fuel_used_l=_used(trip.start_fuel_used_l, trip.end_fuel_used_l),
        fuel_used_pct=_used(trip.end_fuel_level_pct, trip.start_fuel_level_pct),
    )


def _distance(trip: TripDraft, duration_s: float) -> tuple[float, DistanceSource]:
    """The odometer's advance when both ends have one and it is believable, else the track."""
    start, end = trip.start_odometer_m, trip.end_odometer_m
    if start is not None and end is not None:
        advance = end - start
        ceiling = MAX_ODOMETER_KMH / MPS_TO_KMH * duration_s + ODOMETER_SLACK_M
        if 0 <= advance <= ceiling:
            return advance, "odometer"
    return trip.gps_distance_m, "gps"


def _used(first: float | None, then: float | None) -> float | None:
    """``then - first`` when both are known and it did not go backwards (a refuel, a reset)."""
    if first is None or then is None or then < first:
        return None
    return round(then - first, 3)


def stop_duration_s(stop: StopDraft) -> float | None:
    if stop.ended_at is None:
        return None
    return round(max(0.0, (stop.ended_at - stop.started_at).total_seconds()), 3)
