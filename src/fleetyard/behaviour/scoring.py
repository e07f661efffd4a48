"""The driver score: 100 less the points of every driving event, each event's points shown.

    score = max(0, 100 − Σ points)

- Events that happen per distance (harsh acceleration, braking, cornering; speeding) weigh
  ``weight × 100 km / distance``: their rate per 100 km. The distance is at least
  ``MIN_DISTANCE_KM``, so one harsh brake on a 2 km hop does not sink a day.
- Events that happen per time (idling, night driving) weigh ``per-minute weight × minutes ×
  1 h / driving time``: their share per hour of driving, at least ``MIN_DRIVING_H``.
- A speeding episode's weight grows with its minutes over the limit (1 to 5).

Pure over plain rows, so a score can be worked out again by hand from the events it lists.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

MIN_DISTANCE_KM: Final = 50.0
MIN_DRIVING_H: Final = 1.0

# points per event at 100 km of driving, by severity
PER_DISTANCE: Final[Mapping[str, Mapping[str, float]]] = {
    "harsh_braking": {"low": 4.0, "medium": 6.0, "high": 10.0},
    "harsh_acceleration": {"low": 3.0, "medium": 5.0, "high": 8.0},
    "harsh_cornering": {"low": 4.0, "medium": 6.0, "high": 10.0},
    "speeding": {"low": 3.0, "medium": 6.0, "high": 12.0},
}
SPEEDING_MAX_MINUTES: Final = 5.0
# points per minute at one hour of driving
PER_MINUTE: Final[Mapping[str, float]] = {"idling": 0.5, "night_driving": 0.1}
LABELS: Final[Mapping[str, str]] = {
    "harsh_braking": "Harsh braking",
    "harsh_acceleration": "Harsh acceleration",
    "harsh_cornering": "Harsh cornering",
    "speeding": "Speeding",
    "idling": "Idling",
    "night_driving": "Night driving",
}
ORDER: Final = tuple(LABELS)


@dataclass(frozen=True, slots=True)
class EventRow:
    id: uuid.UUID
    kind: str
    severity: str
    started_at: datetime
    ended_at: datetime
    latitude: float
    longitude: float
    vehicle_id: uuid.UUID
    duration_s: float
    excess_kmh: float | None = None
    peak_g: float | None = None

    @classmethod
    def of(cls, row: Any) -> EventRow:
        return cls(
            row["id"],
            row["kind"],
            row["severity"],
            row["started_at"],
            row["ended_at"],
            row["latitude"],
            row["longitude"],
            row["vehicle_id"],
            row["duration_s"],
            row["excess_kmh"],
            row["peak_g"],
        )


@dataclass(frozen=True, slots=True)
class EventPoints:
    event: EventRow
    points: float
    why: str


@dataclass(frozen=True, slots=True)
class Deduction:
    kind: str
    label: str
    basis: str
    points: float
    events: tuple[EventPoints, ...]


@dataclass(frozen=True, slots=True)
class Score:
    score: float
    distance_km: float
    driving_s: float
    deductions: tuple[Deduction, ...]


def event_points(event: EventRow, distance_km: float, driving_h: float) -> EventPoints:
    """One event's points and how they were reached, in words."""
    km = max(distance_km, MIN_DISTANCE_KM)
    hours = max(driving_h, MIN_DRIVING_H)
    if event.kind in PER_MINUTE:
        minutes = event.duration_s / 60
        weight = PER_MINUTE[event.kind]
        return EventPoints(
            event,
            weight * minutes / hours,
            f"{weight} × {minutes:.1f} min / {hours:.2f} h of driving",
        )
    weight = PER_DISTANCE.get(event.kind, {}).get(event.severity, 0.0)
    if event.kind == "speeding":
        minutes = min(SPEEDING_MAX_MINUTES, max(1.0, event.duration_s / 60))
        return EventPoints(
            event,
            weight * minutes * 100 / km,
            f"{weight} ({event.severity}) × {minutes:.1f} min × 100 km / {km:.1f} km",
        )
    return EventPoints(
        event, weight * 100 / km, f"{weight} ({event.severity}) × 100 km / {km:.1f} km"
    )


def score(events: Iterable[EventRow], distance_m: float, driving_s: float) -> Score:
    distance_km = distance_m / 1000
    hours = driving_s / 3600
    by_kind: dict[str, list[EventPoints]] = {}
    for event in sorted(events, key=lambda e: (e.started_at, e.id)):
        by_kind.setdefault(event.kind, []).append(event_points(event, distance_km, hours))
    deductions = tuple(
        Deduction(
            kind,
            LABELS[kind],
            "per hour of driving" if kind in PER_MINUTE else "per 100 km",
            round(sum(p.points for p in by_kind[kind]), 2),
            tuple(by_kind[kind]),
        )
        for kind in ORDER
        if kind in by_kind
    )
    total = sum(p.points for points in by_kind.values() for p in points)
    return Score(
        round(max(0.0, 100.0 - total), 1), round(distance_km, 3), round(driving_s, 1), deductions
    )


def method() -> dict[str, Any]:
    """The weights, as the API shows them beside every scorecard."""
    return {
        "formula": "score = max(0, 100 - sum of event points)",
        "per_100_km": {k: dict(v) for k, v in PER_DISTANCE.items()},
        "per_minute_per_hour_of_driving": dict(PER_MINUTE),
        "speeding_minutes": f"weight × minutes over the limit (1 to {SPEEDING_MAX_MINUTES:g})",
        "min_distance_km": MIN_DISTANCE_KM,
        "min_driving_h": MIN_DRIVING_H,
    }
