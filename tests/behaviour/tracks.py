"""Generated drives with known behaviour: a speed profile sampled every ``interval`` seconds,
positions integrated from the speeds (so reported speed and distance moved agree, as on a
real GNSS receiver), course along the heading."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from fleetyard.behaviour.detector import Fix
from fleetyard.behaviour.thresholds import G
from fleetyard.kit.geo import MPS_TO_KMH, step

HELSINKI = (60.1699, 24.9384)


@dataclass(frozen=True)
class Segment:
    """``seconds`` of driving from ``start_kmh`` to ``end_kmh`` (linear), turning by
    ``turn_deg`` over the segment; ``ignition`` as the device reports it."""

    seconds: float
    start_kmh: float
    end_kmh: float
    turn_deg: float = 0.0
    ignition: bool | None = True


def cruise(seconds: float, kmh: float) -> Segment:
    return Segment(seconds, kmh, kmh)


def brake(from_kmh: float, to_kmh: float, g: float) -> Segment:
    """Constant deceleration of ``g`` from one speed to another."""
    seconds = (from_kmh - to_kmh) / MPS_TO_KMH / (g * G)
    return Segment(seconds, from_kmh, to_kmh)


def accelerate(from_kmh: float, to_kmh: float, g: float) -> Segment:
    seconds = (to_kmh - from_kmh) / MPS_TO_KMH / (g * G)
    return Segment(seconds, from_kmh, to_kmh)


def turn(seconds: float, kmh: float, degrees: float) -> Segment:
    return Segment(seconds, kmh, kmh, degrees)


def stand(seconds: float, ignition: bool | None = True) -> Segment:
    return Segment(seconds, 0.0, 0.0, ignition=ignition)


def generate(
    start: datetime,
    segments: Iterable[Segment],
    *,
    interval: float = 1.0,
    origin: tuple[float, float] = HELSINKI,
    heading: float = 0.0,
) -> list[Fix]:
    """Fixes every ``interval`` s of the profile (whole multiples from ``start``); positions
    integrated in 0.05 s steps."""
    plan = list(segments)
    total = sum(s.seconds for s in plan)
    fixes: list[Fix] = []
    lat, lon = origin
    clock, dt = 0.0, 0.05
    next_fix = 0.0
    while True:
        speed, turning, ignition = _at(plan, clock)
        if clock >= next_fix - 1e-9:
            fixes.append(
                Fix(
                    start + timedelta(seconds=round(next_fix, 6)),
                    lat,
                    lon,
                    round(speed, 2),
                    round(heading % 360.0, 2),
                    ignition,
                    satellites=9,
                )
            )
            next_fix += interval
        if clock >= total - 1e-9:
            return fixes
        later_speed = _at(plan, clock + dt)[0]
        lat, lon = step(
            lat, lon, heading + turning * dt / 2, (speed + later_speed) / 2 / MPS_TO_KMH * dt
        )
        heading += turning * dt
        clock = round(clock + dt, 6)
        if clock > total:
            return fixes


def _at(plan: list[Segment], clock: float) -> tuple[float, float, bool | None]:
    """(speed km/h, turn rate °/s, ignition) at ``clock`` seconds into the plan."""
    passed = 0.0
    for segment in plan:
        if clock < passed + segment.seconds or segment is plan[-1]:
            share = min(1.0, (clock - passed) / segment.seconds) if segment.seconds else 1.0
            speed = segment.start_kmh + (segment.end_kmh - segment.start_kmh) * share
            rate = segment.turn_deg / segment.seconds if segment.seconds else 0.0
            return speed, rate, segment.ignition
        passed += segment.seconds
    return 0.0, 0.0, True


def jitter(fixes: list[Fix], metres: float, kmh: float, seed: int = 7) -> list[Fix]:
    """GPS noise at a standstill: positions scattered by up to ``metres``, speeds up to
    ``kmh`` with a rare lone spike, courses anywhere."""
    rng = random.Random(seed)
    out = []
    for i, fix in enumerate(fixes):
        lat, lon = step(fix.latitude, fix.longitude, rng.uniform(0, 360), rng.uniform(0, metres))
        speed = 15.0 if i % 37 == 20 else rng.uniform(0, kmh)
        out.append(
            replace(
                fix,
                latitude=lat,
                longitude=lon,
                speed_kmh=round(speed, 1),
                course=rng.uniform(0, 360),
            )
        )
    return out
