"""What the driving-behaviour detector works on and keeps: a fix with its limit, what an event
keeps of a fix (``Sample``), a detected event, and the detector's state (a harsh run, an open
episode, the last fixes), every one of them serialisable to JSON for the checkpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from fleetyard.behaviour import thresholds as t

BRAKING: Final = "harsh_braking"
ACCELERATION: Final = "harsh_acceleration"
CORNERING: Final = "harsh_cornering"
SPEEDING: Final = "speeding"
IDLING: Final = "idling"
NIGHT: Final = "night_driving"
HARSH_KINDS: Final = (ACCELERATION, BRAKING, CORNERING)
KINDS: Final = (*HARSH_KINDS, SPEEDING, IDLING, NIGHT)


@dataclass(frozen=True, slots=True)
class Limit:
    limit_kmh: float
    source: str  # road | road_class | geofence
    where: str | None = None  # the road's or the geofence's name


@dataclass(slots=True)  # not frozen: a frozen dataclass is slow to build, and one per record
class Fix:
    time: datetime
    latitude: float
    longitude: float
    speed_kmh: float | None = None
    course: float | None = None
    ignition: bool | None = None
    hdop: float | None = None
    accuracy_m: float | None = None
    satellites: int | None = None
    reported: tuple[str, ...] = ()  # harsh kinds the device itself reported with this fix
    limit: Limit | None = None
    reported_g: float | None = None  # the force the device measured (Teltonika IO 254)

    @property
    def trusted(self) -> bool:
        """Accurate enough to measure an acceleration or a speed against a limit."""
        return not (
            (self.hdop is not None and self.hdop > t.MAX_HDOP)
            or (self.accuracy_m is not None and self.accuracy_m > t.MAX_ACCURACY_M)
            or (self.satellites is not None and self.satellites < t.MIN_SATELLITES)
        )


@dataclass(slots=True)
class Sample:
    """What an event keeps of a fix: the proof on the map."""

    time: datetime
    latitude: float
    longitude: float
    speed_kmh: float | None
    course: float | None

    @classmethod
    def of(cls, fix: Fix) -> Sample:
        return cls(fix.time, fix.latitude, fix.longitude, fix.speed_kmh, fix.course)

    def to_json(self) -> list[Any]:
        return [self.time.isoformat(), self.latitude, self.longitude, self.speed_kmh, self.course]

    @classmethod
    def from_json(cls, raw: list[Any]) -> Sample:
        return cls(datetime.fromisoformat(raw[0]), raw[1], raw[2], raw[3], raw[4])

    @property
    def speed(self) -> float:
        return self.speed_kmh or 0.0


@dataclass(frozen=True, slots=True)
class Detected:
    """A driving event as detected (the row it becomes, less ids)."""

    kind: str
    source: str  # fixes | device
    severity: str
    started_at: datetime
    ended_at: datetime
    latitude: float
    longitude: float
    fixes: tuple[Sample, ...]
    duration_s: float = 0.0
    speed_kmh: float | None = None
    peak_g: float | None = None
    delta_kmh: float | None = None
    limit_kmh: float | None = None
    limit_source: str | None = None
    max_speed_kmh: float | None = None
    excess_kmh: float | None = None
    mean_excess_kmh: float | None = None
    distance_m: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Run:
    """Consecutive pairs of fixes over a harsh threshold (one kind)."""

    kind: str
    before: Sample | None
    samples: list[Sample]
    peak_g: float
    turn_deg: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "before": self.before.to_json() if self.before else None,
            "samples": [s.to_json() for s in self.samples],
            "peak_g": self.peak_g,
            "turn_deg": self.turn_deg,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Run:
        before = raw.get("before")
        return cls(
            raw["kind"],
            Sample.from_json(before) if before else None,
            [Sample.from_json(s) for s in raw["samples"]],
            raw["peak_g"],
            raw.get("turn_deg", 0.0),
        )


@dataclass(slots=True)
class Episode:
    """A speeding, idling or night-driving stretch while it lasts."""

    first: Sample
    last: Sample
    samples: list[Sample]
    limit_kmh: float | None = None  # speeding: the limit where the excess peaked
    limit_source: str | None = None
    where: str | None = None
    max_speed_kmh: float = 0.0
    max_excess_kmh: float = 0.0
    sum_excess_kmh: float = 0.0
    count: int = 1
    distance_m: float = 0.0

    def keep(self, sample: Sample) -> None:
        if len(self.samples) < t.SPEEDING_FIXES_KEPT:
            self.samples.append(sample)
        else:
            self.samples[-1] = sample

    def to_json(self) -> dict[str, Any]:
        return {
            "first": self.first.to_json(),
            "last": self.last.to_json(),
            "samples": [s.to_json() for s in self.samples],
            "limit_kmh": self.limit_kmh,
            "limit_source": self.limit_source,
            "where": self.where,
            "max_speed_kmh": self.max_speed_kmh,
            "max_excess_kmh": self.max_excess_kmh,
            "sum_excess_kmh": self.sum_excess_kmh,
            "count": self.count,
            "distance_m": self.distance_m,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Episode:
        return cls(
            Sample.from_json(raw["first"]),
            Sample.from_json(raw["last"]),
            [Sample.from_json(s) for s in raw["samples"]],
            raw["limit_kmh"],
            raw["limit_source"],
            raw["where"],
            raw["max_speed_kmh"],
            raw["max_excess_kmh"],
            raw["sum_excess_kmh"],
            raw["count"],
            raw["distance_m"],
        )


def _optional(raw: Any, kind: type[Run] | type[Episode]) -> Any:
    return kind.from_json(raw) if raw else None


@dataclass(slots=True)
class DetectorState:
    last: Sample | None = None
    last_trusted: bool = False
    before_last: Sample | None = None
    longitudinal: Run | None = None
    lateral: Run | None = None
    last_harsh: dict[str, datetime] = field(default_factory=dict)
    speeding: Episode | None = None
    idling: Episode | None = None
    night: Episode | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "last": self.last.to_json() if self.last else None,
            "last_trusted": self.last_trusted,
            "before_last": self.before_last.to_json() if self.before_last else None,
            "longitudinal": self.longitudinal.to_json() if self.longitudinal else None,
            "lateral": self.lateral.to_json() if self.lateral else None,
            "last_harsh": {k: v.isoformat() for k, v in self.last_harsh.items()},
            "speeding": self.speeding.to_json() if self.speeding else None,
            "idling": self.idling.to_json() if self.idling else None,
            "night": self.night.to_json() if self.night else None,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> DetectorState:
        last, before = raw.get("last"), raw.get("before_last")
        return cls(
            Sample.from_json(last) if last else None,
            bool(raw.get("last_trusted")),
            Sample.from_json(before) if before else None,
            _optional(raw.get("longitudinal"), Run),
            _optional(raw.get("lateral"), Run),
            {k: datetime.fromisoformat(v) for k, v in (raw.get("last_harsh") or {}).items()},
            _optional(raw.get("speeding"), Episode),
            _optional(raw.get("idling"), Episode),
            _optional(raw.get("night"), Episode),
        )
