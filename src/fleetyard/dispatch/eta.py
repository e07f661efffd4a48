"""Estimated arrivals for a route's remaining stops: pure arithmetic over one leg's travel
time after another, from where the vehicle is now.

A vehicle at a stop it arrived at (not yet completed) leaves it once the stop's service time
has passed since the arrival (or now, whichever is later); from there each remaining stop is
reached after the leg's travel time, waits for its window to open, and is left after its
service time. A stop is late when its estimated arrival is past its window's end by more
than the tenant's tolerance."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class StopPlan:
    id: uuid.UUID
    latitude: float
    longitude: float
    service_s: int
    window_start_at: datetime | None
    window_end_at: datetime | None
    arrived_at: datetime | None = None  # started: at the stop, not done yet


@dataclass(frozen=True, slots=True)
class StopEta:
    stop_id: uuid.UUID
    eta_at: datetime
    departure_at: datetime
    late_s: int  # seconds past the window's end (0: on time or no window)


def estimate(now: datetime, stops: Sequence[StopPlan], leg_s: Sequence[float]) -> list[StopEta]:
    """ETAs of ``stops`` in order; ``leg_s[i]`` is the travel time into ``stops[i]`` (from
    the vehicle's position for the first, from the previous stop after that)."""
    assert len(leg_s) == len(stops)
    out: list[StopEta] = []
    clock = now
    for stop, leg in zip(stops, leg_s, strict=True):
        if stop.arrived_at is not None:
            arrival = stop.arrived_at
            begin = arrival
        else:
            arrival = clock + timedelta(seconds=max(leg, 0.0))
            begin = max(arrival, stop.window_start_at) if stop.window_start_at else arrival
        departure = max(begin + timedelta(seconds=stop.service_s), now)
        late = 0
        if stop.window_end_at is not None and arrival > stop.window_end_at:
            late = int((arrival - stop.window_end_at).total_seconds())
        out.append(StopEta(stop.id, arrival, departure, late))
        clock = departure
    return out


def is_late(eta: StopEta, tolerance_s: int) -> bool:
    return eta.late_s > tolerance_s
