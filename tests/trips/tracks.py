"""Generated drives with known trips and stops, and an independent distance to check them by.

A drive is a list of legs: parked (ignition off, speed 0), idling (ignition on, speed 0) or
driving (a speed and a heading). Fixes come every ``every_s`` seconds; each leg's last fix is
the next leg's first moment. The distance a trip should have is summed here with a haversine
written out again (not the product's), over the fixes the trip spans.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from fleetyard.kit.geo import step
from fleetyard.trips.detector import Fix

HELSINKI = (60.1699, 24.9384)


@dataclass(frozen=True)
class Leg:
    kind: Literal["park", "idle", "drive"]
    seconds: int
    speed_kmh: float = 0.0
    heading: float = 0.0


def park(seconds: int) -> Leg:
    return Leg("park", seconds)


def idle(seconds: int) -> Leg:
    return Leg("idle", seconds)


def drive(seconds: int, speed_kmh: float = 50.0, heading: float = 45.0) -> Leg:
    return Leg("drive", seconds, speed_kmh, heading)


def generate(
    start: datetime,
    legs: list[Leg],
    *,
    every_s: int = 5,
    speed: bool = True,
    ignition: bool = True,
    odometer: bool = True,
    origin: tuple[float, float] = HELSINKI,
) -> list[Fix]:
    """The fixes of a drive, one every ``every_s`` seconds (``speed``, ``ignition`` or
    ``odometer`` False: a device that does not report it)."""
    lat, lon = origin
    t = 0
    fixes: list[Fix] = []
    travelled = 0.0
    for leg in legs:
        for _ in range(leg.seconds // every_s):
            moving = leg.kind == "drive"
            fixes.append(
                Fix(
                    start + timedelta(seconds=t),
                    lat,
                    lon,
                    (leg.speed_kmh if moving else 0.0) if speed else None,
                    (leg.kind != "park") if ignition else None,
                    round(travelled, 1) if odometer else None,
                )
            )
            if moving:
                metres = leg.speed_kmh / 3.6 * every_s
                lat, lon = step(lat, lon, leg.heading, metres)
                travelled += metres
            t += every_s
    last_odometer = round(travelled, 1) if odometer else None
    fixes.append(
        Fix(
            start + timedelta(seconds=t),
            lat,
            lon,
            0.0 if speed else None,
            False if ignition else None,
            last_odometer,
        )
    )
    return fixes


def independent_haversine_m(a: Fix, b: Fix) -> float:
    """Great-circle distance, written out on its own (mean earth radius 6,371 km)."""
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp = p2 - p1
    dl = math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def path_m(fixes: list[Fix], start: datetime, end: datetime) -> float:
    inside = [f for f in fixes if start <= f.time <= end]
    return sum(independent_haversine_m(a, b) for a, b in itertools.pairwise(inside))
