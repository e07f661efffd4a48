"""Trips and stops from one device's fixes, in fix-time order: a pure state machine.

    parked ──ignition on, or moving──► candidate ──≥ min_trip_m from its start──► trip
       ▲                                   │ still ≥ stop_after / ignition off      │
       └───────────────────────────────────┴──── still ≥ stop_after, ignition off ◄─┘

- A fix is *moving* when its speed (reported, else derived over the last ~10 s) is at least
  ``moving_kmh``; *still* when it is not moving and stays within ``stop_radius_m`` of where the
  still run began (so a parked phone's jitter is still, a crawl in a queue is not).
- A trip starts at ignition on or at the first moving fix, and counts once it has got
  ``min_trip_m`` away from that start (a yard shuffle or an engine warming up is no trip).
- It ends at ignition off (at that fix), or once the vehicle has stood still for
  ``stop_after_s`` (at the moment it stopped: the still run's first fix; what was measured since
  goes to the stop). A silence longer than ``stop_after_s`` with the vehicle where it was is a
  stop too.
- Between two trips is a stop: from the first trip's end to the next one's start.
- A fix that jumps implausibly far (faster than ``max_plausible_kmh``) is held until the next
  fix: if that one agrees with it the jump was real (a gap in the fixes), else it was a lone
  outlier and is dropped.

The state is plain data (``to_json`` / ``from_json``), so it survives restarts in the database.
Late and duplicate fixes are not this module's business: the caller feeds fixes newer than
``state.last``, and re-derives from the positions for older ones (see ``handler``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

from fleetyard.kit.geo import MPS_TO_KMH, haversine_m

SPEED_WINDOW_S: Final = 10.0  # a derived speed is measured over at least this long
OUTLIER_MIN_M: Final = 200.0  # a jump shorter than this is never an outlier
SEEN_POSITIONS: Final = 32  # exact coordinates remembered to spot a phone's cached fix


@dataclass(frozen=True, slots=True)
class Rules:
    stop_after_s: float = 180.0
    moving_kmh: float = 5.0
    stop_radius_m: float = 50.0
    min_trip_m: float = 100.0
    max_plausible_kmh: float = 250.0


@dataclass(frozen=True, slots=True)
class Fix:
    time: datetime
    latitude: float
    longitude: float
    speed_kmh: float | None = None
    ignition: bool | None = None
    odometer_m: float | None = None
    fuel_used_l: float | None = None  # the device's running total
    fuel_level_pct: float | None = None


@dataclass
class TripDraft:
    started_at: datetime
    start_latitude: float
    start_longitude: float
    start_odometer_m: float | None
    start_fuel_used_l: float | None
    start_fuel_level_pct: float | None
    ended_at: datetime | None = None
    end_latitude: float | None = None
    end_longitude: float | None = None
    end_odometer_m: float | None = None
    end_fuel_used_l: float | None = None
    end_fuel_level_pct: float | None = None
    gps_distance_m: float = 0.0
    driving_s: float = 0.0
    idle_s: float = 0.0
    max_speed_kmh: float = 0.0
    fixes: int = 1
    confirmed: bool = False

    def reached(self, fix: Fix) -> None:
        """The trip ends at ``fix``: its readings become the trip's end readings."""
        self.end_latitude, self.end_longitude = fix.latitude, fix.longitude
        self.ended_at = fix.time
        self.end_odometer_m = _first(fix.odometer_m, self.end_odometer_m)
        self.end_fuel_used_l = _first(fix.fuel_used_l, self.end_fuel_used_l)
        self.end_fuel_level_pct = _first(fix.fuel_level_pct, self.end_fuel_level_pct)


@dataclass
class StopDraft:
    started_at: datetime
    latitude: float
    longitude: float
    ended_at: datetime | None = None
    idle_s: float = 0.0  # engine on while standing
    fixes: int = 1


@dataclass
class StillRun:
    """The vehicle standing: since when, where, and what the open trip counted meanwhile."""

    since: datetime
    latitude: float
    longitude: float
    idle_s: float = 0.0
    distance_m: float = 0.0
    fixes: int = 0


Phase = Literal["parked", "candidate", "trip"]


@dataclass
class DetectorState:
    phase: Phase = "parked"
    last: Fix | None = None
    suspect: Fix | None = None
    trip: TripDraft | None = None
    stop: StopDraft | None = None
    still: StillRun | None = None
    recent: list[tuple[datetime, float, float]] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)  # "lat,lon" → when last reported
    derived: list[float] = field(default_factory=list)  # the last derived speeds, km/h

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (times as ISO text), built field by field: a checkpoint of every
        device now and then must stay cheap."""
        return {
            "phase": self.phase,
            "last": _fields(self.last),
            "suspect": _fields(self.suspect),
            "trip": _fields(self.trip),
            "stop": _fields(self.stop),
            "still": _fields(self.still),
            "recent": [[t.isoformat(), lat, lon] for t, lat, lon in self.recent],
            "seen": dict(self.seen),
            "derived": list(self.derived),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DetectorState:
        def fix(value: Any) -> Fix | None:
            return Fix(**_decode_times(value)) if value else None

        trip, stop, still = data.get("trip"), data.get("stop"), data.get("still")
        return cls(
            phase=data.get("phase", "parked"),
            last=fix(data.get("last")),
            suspect=fix(data.get("suspect")),
            trip=TripDraft(**_decode_times(trip)) if trip else None,
            stop=StopDraft(**_decode_times(stop)) if stop else None,
            still=StillRun(**_decode_times(still)) if still else None,
            recent=[(_time(t), lat, lon) for t, lat, lon in data.get("recent", [])],
            seen=dict(data.get("seen", {})),
            derived=list(data.get("derived", [])),
        )


@dataclass(frozen=True, slots=True)
class TripStarted:
    trip: TripDraft


@dataclass(frozen=True, slots=True)
class TripEnded:
    trip: TripDraft


@dataclass(frozen=True, slots=True)
class StopStarted:
    stop: StopDraft


@dataclass(frozen=True, slots=True)
class StopEnded:
    stop: StopDraft


Change = TripStarted | TripEnded | StopStarted | StopEnded


class Detector:
    """Feeds one device's fixes to its state; every change comes back as a snapshot."""

    def __init__(self, rules: Rules, state: DetectorState | None = None) -> None:
        self.rules = rules
        self.state = state or DetectorState()
        self._memo: tuple[Fix, Fix, float] | None = None

    def feed(self, fixes: list[Fix]) -> list[Change]:
        changes: list[Change] = []
        for fix in fixes:
            last = self.state.last
            if last is not None and fix.time <= last.time:
                continue  # a duplicate or a late fix: the caller re-derives for those
            for accepted in self._screen(fix):
                self._step(accepted, changes)
        return changes

    # -- outliers -------------------------------------------------------------------------

    def _screen(self, fix: Fix) -> list[Fix]:
        """The fixes to take now: none while a jump awaits its confirmation, none for a
        phone's cached fix (the very coordinates of an earlier fix, from elsewhere)."""
        state = self.state
        if self._stale(fix):
            return []
        if state.suspect is not None:
            suspect, state.suspect = state.suspect, None
            if self._plausible(suspect, fix):
                state.recent.clear()  # a real jump over a gap: no speed is measured across it
                return [suspect, fix]
        if state.last is not None and not self._plausible(state.last, fix):
            state.suspect = fix
            return []
        return [fix]

    def _stale(self, fix: Fix) -> bool:
        """Phones (which report no speed) repeat a cached fix; trackers don't."""
        if fix.speed_kmh is not None:
            return False
        seen, last = self.state.seen, self.state.last
        key = f"{fix.latitude:.7f},{fix.longitude:.7f}"
        repeated = seen.pop(key, None) is not None
        seen[key] = fix.time.isoformat()  # most recent last: the first is the one to forget
        if len(seen) > SEEN_POSITIONS:
            del seen[next(iter(seen))]
        if not repeated or last is None:
            return False
        return self._distance(last, fix) > self.rules.stop_radius_m

    def _distance(self, a: Fix, b: Fix) -> float:
        """Metres from ``a`` to ``b``; the last answer is kept, as each step asks twice."""
        memo = self._memo
        if memo is not None and memo[0] is a and memo[1] is b:
            return memo[2]
        metres = haversine_m(a.latitude, a.longitude, b.latitude, b.longitude)
        self._memo = (a, b, metres)
        return metres

    def _plausible(self, a: Fix, b: Fix) -> bool:
        metres = self._distance(a, b)
        if metres < OUTLIER_MIN_M:
            return True
        seconds = (b.time - a.time).total_seconds()
        return seconds > 0 and metres / seconds * MPS_TO_KMH <= self.rules.max_plausible_kmh

    # -- one fix ------------------------------------------------------------------------

    def _step(self, fix: Fix, changes: list[Change]) -> None:
        state, rules = self.state, self.rules
        last = state.last
        speed = self._speed(fix)
        moving = speed is not None and speed >= rules.moving_kmh
        if last is not None and state.phase != "parked" and self._silent_stop(last, fix):
            self._end_trip_at(last, changes)
        was_on = last.ignition if last is not None else None
        ignition_on = fix.ignition is True and was_on is not True
        ignition_off = fix.ignition is False and was_on is True
        if last is not None:
            self._count_interval(last, fix, moving)
        self._track_still(fix, moving)
        state.last = fix
        if state.phase == "parked":
            if moving or ignition_on:  # the stop (if any) stays open until the trip counts
                self._begin_candidate(fix)
                return
            if state.stop is None:
                state.stop = StopDraft(fix.time, fix.latitude, fix.longitude, fixes=0)
                changes.append(StopStarted(dataclasses.replace(state.stop)))
            state.stop.fixes += 1
            return
        trip = state.trip
        assert trip is not None
        trip.fixes += 1
        if moving and speed is not None:
            trip.max_speed_kmh = max(trip.max_speed_kmh, self._steady(fix, speed))
        if ignition_off:
            self._end_trip_at(fix, changes)
        elif state.still is not None and self._stood_long_enough(fix):
            self._end_trip_still(changes)
        elif state.phase == "candidate" and self._far_enough(trip, fix):
            self._confirm(changes)

    def _speed(self, fix: Fix) -> float | None:
        """Reported speed, else the straight-line speed over the last ``SPEED_WINDOW_S``."""
        if fix.speed_kmh is not None:
            return fix.speed_kmh
        recent = self.state.recent
        recent.append((fix.time, fix.latitude, fix.longitude))
        while len(recent) > 2 and (fix.time - recent[1][0]).total_seconds() >= SPEED_WINDOW_S:
            recent.pop(0)
        start_time, lat, lon = recent[0]
        seconds = (fix.time - start_time).total_seconds()
        if seconds <= 0:
            return None
        speed = haversine_m(lat, lon, fix.latitude, fix.longitude) / seconds * MPS_TO_KMH
        return speed if speed <= self.rules.max_plausible_kmh else None

    def _steady(self, fix: Fix, speed: float) -> float:
        """A reported speed as it is; a derived one as the median of the last three (one
        bad fix makes one wild derived speed, never two in three)."""
        if fix.speed_kmh is not None:
            return speed
        derived = self.state.derived
        derived.append(speed)
        del derived[:-3]
        return sorted(derived)[len(derived) // 2] if len(derived) == 3 else 0.0

    def _silent_stop(self, last: Fix, fix: Fix) -> bool:
        """No fix for longer than a stop, and the vehicle is where it was."""
        seconds = (fix.time - last.time).total_seconds()
        return (
            seconds >= self.rules.stop_after_s
            and self._distance(last, fix) <= self.rules.stop_radius_m
        )

    def _count_interval(self, last: Fix, fix: Fix, moving: bool) -> None:
        state = self.state
        seconds = (fix.time - last.time).total_seconds()
        if state.phase == "parked":
            if state.stop is not None and last.ignition is True:
                state.stop.idle_s += seconds
            return
        trip = state.trip
        assert trip is not None
        metres = self._distance(last, fix)
        trip.gps_distance_m += metres
        # over a long interval its own average says more than one fix's speed
        if seconds >= SPEED_WINDOW_S:
            moving = moving or metres / seconds * MPS_TO_KMH >= self.rules.moving_kmh
        if moving:
            trip.driving_s += seconds
        else:
            trip.idle_s += seconds
            if state.still is not None:
                state.still.idle_s += seconds
        if state.still is not None:
            state.still.distance_m += metres

    def _track_still(self, fix: Fix, moving: bool) -> None:
        state = self.state
        if moving:
            state.still = None
            return
        still = state.still
        if still is not None and (
            haversine_m(still.latitude, still.longitude, fix.latitude, fix.longitude)
            <= self.rules.stop_radius_m
        ):
            still.fixes += 1
            return
        state.still = StillRun(fix.time, fix.latitude, fix.longitude, fixes=1)

    def _stood_long_enough(self, fix: Fix) -> bool:
        assert self.state.still is not None
        return (fix.time - self.state.still.since).total_seconds() >= self.rules.stop_after_s

    def _far_enough(self, trip: TripDraft, fix: Fix) -> bool:
        away = haversine_m(trip.start_latitude, trip.start_longitude, fix.latitude, fix.longitude)
        return away >= self.rules.min_trip_m

    # -- transitions --------------------------------------------------------------------

    def _begin_candidate(self, fix: Fix) -> None:
        state = self.state
        state.phase = "candidate"
        state.trip = TripDraft(
            started_at=fix.time,
            start_latitude=fix.latitude,
            start_longitude=fix.longitude,
            start_odometer_m=fix.odometer_m,
            start_fuel_used_l=fix.fuel_used_l,
            start_fuel_level_pct=fix.fuel_level_pct,
        )
        state.trip.reached(fix)
        state.still = None

    def _confirm(self, changes: list[Change]) -> None:
        state = self.state
        trip, stop = state.trip, state.stop
        assert trip is not None
        state.phase = "trip"
        trip.confirmed = True
        if stop is not None:
            stop.ended_at = trip.started_at
            changes.append(StopEnded(dataclasses.replace(stop)))
            state.stop = None
        changes.append(TripStarted(dataclasses.replace(trip)))

    def _end_trip_at(self, fix: Fix, changes: list[Change]) -> None:
        """End at ``fix`` (ignition off, or the last fix before a silent stop)."""
        state = self.state
        trip = state.trip
        assert trip is not None
        trip.reached(fix)
        self._close(trip, StopDraft(fix.time, fix.latitude, fix.longitude, fixes=0), changes)

    def _end_trip_still(self, changes: list[Change]) -> None:
        """End where the vehicle stopped; what was counted since goes to the stop."""
        state = self.state
        trip, still = state.trip, state.still
        assert trip is not None and still is not None
        assert state.last is not None
        trip.reached(state.last)  # its readings (odometer, fuel) are the stop's
        trip.ended_at = still.since
        trip.end_latitude, trip.end_longitude = still.latitude, still.longitude
        trip.idle_s = max(0.0, trip.idle_s - still.idle_s)
        trip.gps_distance_m = max(0.0, trip.gps_distance_m - still.distance_m)
        trip.fixes = max(1, trip.fixes - still.fixes + 1)
        stop = StopDraft(still.since, still.latitude, still.longitude, fixes=still.fixes)
        stop.idle_s = still.idle_s if (state.last and state.last.ignition) else 0.0
        self._close(trip, stop, changes)

    def _close(self, trip: TripDraft, stop: StopDraft, changes: list[Change]) -> None:
        state = self.state
        if state.phase == "trip":
            changes.append(TripEnded(dataclasses.replace(trip)))
            state.stop = stop
            changes.append(StopStarted(dataclasses.replace(stop)))
        # a candidate that never got far leaves the stop it began in open, as it was
        elif state.stop is None:
            state.stop = stop
            changes.append(StopStarted(dataclasses.replace(stop)))
        state.phase = "parked"
        state.trip = None
        state.still = None


def _first(value: float | None, fallback: float | None) -> float | None:
    return value if value is not None else fallback


def _time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_TIME_FIELDS: Final = frozenset({"time", "started_at", "ended_at", "since"})


def _decode_times(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _time(v) if k in _TIME_FIELDS and v is not None else v for k, v in data.items()}


def _fields(value: Any) -> dict[str, Any] | None:
    """A flat dataclass as JSON (its times as ISO text), or None."""
    if value is None:
        return None
    return {
        f.name: v.isoformat() if isinstance(v := getattr(value, f.name), datetime) else v
        for f in dataclasses.fields(value)
    }
