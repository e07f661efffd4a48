"""One device's driving-behaviour detector: fixes in (oldest first), driving events out. Pure: no
I/O, state serialisable to JSON so a restarted process goes on where it was.

- **Harsh acceleration and braking**: the speed change between consecutive fixes over their
  time, in g. Consecutive pairs over the vehicle type's threshold form one run (one event: its
  peak g, speed change and duration). Pairs too close or too far apart in time, fixes of poor
  accuracy, and speeds the distance moved does not back up are never used; a run whose speed
  jumps in and straight back out (one bad reading, GPS jitter at a standstill) is dropped.
- **Harsh cornering**: lateral acceleration v·ω from the course change over time, from 20 km/h.
- **Device-reported** harsh events (Teltonika green driving, GT06 alarms) are events at once;
  a device's report and the fixes' detection of the same moment are one event.
- **Speeding**: fixes over their limit (given with each fix) by more than a tolerance, one
  episode while they last (gaps under a minute), with its duration and excess.
- **Idling**: ignition on and standing, 5 minutes or more.
- **Night driving**: moving between 22:00 and 05:00 in the tenant's time zone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fleetyard.behaviour import thresholds as t
from fleetyard.behaviour.records import (
    ACCELERATION,
    BRAKING,
    CORNERING,
    HARSH_KINDS,
    IDLING,
    KINDS,
    NIGHT,
    SPEEDING,
    Detected,
    DetectorState,
    Episode,
    Fix,
    Limit,
    Run,
    Sample,
)
from fleetyard.kit.geo import MPS_TO_KMH, haversine_m, heading_change_deg


class Detector:
    def __init__(
        self,
        harsh: t.HarshThresholds,
        zone: ZoneInfo,
        state: DetectorState | None = None,
    ) -> None:
        self.harsh = harsh
        self.zone = zone
        self.state = state or DetectorState()
        self._now: Sample  # the fix being fed, as events keep it
        self._span: tuple[datetime, datetime, bool] | None = None  # night or day, and its ends

    def set_zone(self, zone: ZoneInfo) -> None:
        if zone != self.zone:
            self.zone, self._span = zone, None

    def feed(
        self, fixes: Sequence[Fix], limits: Sequence[Limit | None] | None = None
    ) -> list[Detected]:
        """Fixes oldest first (``limits``: each one's speed limit, else ``fix.limit``); one
        not newer than the last seen is skipped."""
        found: list[Detected] = []
        state = self.state
        for index, fix in enumerate(fixes):
            last = state.last
            if last is not None and fix.time <= last.time:
                continue
            self._now = now = Sample.of(fix)  # what every check keeps of this fix
            if fix.reported:
                self._reported(fix, found)
            self._pair(fix, found)
            self._speeding(fix, limits[index] if limits is not None else fix.limit, found)
            self._idling(fix, found)
            self._night(fix, found)
            state.before_last, state.last = last, now
            state.last_trusted = fix.speed_kmh is not None and fix.trusted
        return found

    # --- harsh ------------------------------------------------------------------------------
    def _reported(self, fix: Fix, found: list[Detected]) -> None:
        for kind in fix.reported:
            if self._same_as_last(kind, fix.time):
                continue
            self.state.last_harsh[kind] = fix.time
            sample = self._now
            threshold = self._threshold(kind)
            g = fix.reported_g
            found.append(
                Detected(
                    kind,
                    "device",
                    "medium" if g is None else t.severity_of(max(g, threshold), threshold),
                    fix.time,
                    fix.time,
                    fix.latitude,
                    fix.longitude,
                    (sample,),
                    speed_kmh=fix.speed_kmh,
                    peak_g=g,
                    details={"reported_by": "device", "threshold_g": threshold},
                )
            )

    def _threshold(self, kind: str) -> float:
        return {
            BRAKING: self.harsh.braking_g,
            ACCELERATION: self.harsh.acceleration_g,
            CORNERING: self.harsh.cornering_g,
        }[kind]

    def _same_as_last(self, kind: str, at: datetime) -> bool:
        previous = self.state.last_harsh.get(kind)
        return previous is not None and abs((at - previous).total_seconds()) <= t.SAME_EVENT_S

    def _pair(self, fix: Fix, found: list[Detected]) -> None:
        state = self.state
        before, prev = state.before_last, state.last
        current = self._now
        longitudinal = lateral = None
        usable = False
        if prev is not None and state.last_trusted and fix.speed_kmh is not None and fix.trusted:
            seconds = (current.time - prev.time).total_seconds()
            if t.MIN_PAIR_S <= seconds <= t.MAX_PAIR_S:
                usable = True
                longitudinal = self._longitudinal(prev, current, seconds)
                lateral = self._lateral(prev, current, seconds)
        nothing_open = state.longitudinal is None and state.lateral is None
        if nothing_open and longitudinal is None and lateral is None:
            return  # the usual case: nothing open, nothing harsh
        if usable and not _moved_as_reported(prev, current):  # only now: a distance is dear
            usable, longitudinal, lateral = False, None, None
        state.longitudinal = self._advance(
            state.longitudinal, longitudinal, before, prev, current, usable, found
        )
        state.lateral = self._advance(state.lateral, lateral, before, prev, current, usable, found)

    def _advance(
        self,
        run: Run | None,
        measured: tuple[str, float, float] | None,
        before: Sample | None,
        prev: Sample | None,
        current: Sample,
        usable: bool,
        found: list[Detected],
    ) -> Run | None:
        """Extend the run with this pair, or close it (the pair is its ``after``)."""
        if run is not None and measured is not None and measured[0] == run.kind:
            run.samples.append(current)
            run.peak_g = max(run.peak_g, measured[1])
            run.turn_deg += measured[2]
            return run
        if run is not None:
            closed = self._close(run, current if usable else None)
            if closed is not None:
                found.append(closed)
        if measured is None or prev is None:
            return None
        kind, g, turn = measured
        return Run(kind, before, [prev, current], g, turn)

    def _longitudinal(
        self, prev: Sample, current: Sample, seconds: float
    ) -> tuple[str, float, float] | None:
        g = (current.speed - prev.speed) / MPS_TO_KMH / seconds / t.G
        if -g >= self.harsh.braking_g and prev.speed >= t.MIN_BRAKING_FROM_KMH:
            return BRAKING, -g, 0.0
        if g >= self.harsh.acceleration_g and current.speed >= t.MIN_ACCELERATION_TO_KMH:
            return ACCELERATION, g, 0.0
        return None

    def _lateral(
        self, prev: Sample, current: Sample, seconds: float
    ) -> tuple[str, float, float] | None:
        if prev.course is None or current.course is None:
            return None
        mean_kmh = (prev.speed + current.speed) / 2
        if mean_kmh < t.MIN_CORNERING_KMH:
            return None
        turn = heading_change_deg(prev.course, current.course)
        g = mean_kmh / MPS_TO_KMH * math.radians(turn) / seconds / t.G
        return (CORNERING, g, turn) if g >= self.harsh.cornering_g else None

    def _close(self, run: Run, after: Sample | None) -> Detected | None:
        first, last, before = run.samples[0], run.samples[-1], run.before
        if _spike(run, before, after):
            return None
        if run.kind == CORNERING and len(run.samples) < t.MIN_CORNERING_FIXES:
            return None  # one second of course change: as likely a course reading jumping
        if run.peak_g > t.MAX_PLAUSIBLE_G:
            return None  # beyond what tyres hold: the readings are wrong, not the driver
        if self._same_as_last(run.kind, first.time):
            return None
        self.state.last_harsh[run.kind] = first.time
        threshold = self._threshold(run.kind)
        cornering = run.kind == CORNERING
        return Detected(
            run.kind,
            "fixes",
            t.severity_of(run.peak_g, threshold),
            first.time,
            last.time,
            first.latitude,
            first.longitude,
            tuple(run.samples),
            duration_s=(last.time - first.time).total_seconds(),
            speed_kmh=first.speed_kmh,
            peak_g=round(run.peak_g, 3),
            delta_kmh=None if cornering else round(abs(last.speed - first.speed), 1),
            details={"threshold_g": threshold}
            | ({"turn_deg": round(run.turn_deg, 1)} if cornering else {}),
        )

    # --- speeding -------------------------------------------------------------------------
    def _speeding(self, fix: Fix, limit: Limit | None, found: list[Detected]) -> None:
        if fix.speed_kmh is None or not fix.trusted:
            return  # neither over nor under: this fix can't tell
        state = self.state
        over = limit is not None and fix.speed_kmh > limit.limit_kmh + t.SPEEDING_TOLERANCE_KMH
        episode = state.speeding
        if episode is not None and (not over or _gap(episode.last, fix) > t.MAX_SPEEDING_GAP_S):
            self._end_speeding(episode, found)
            episode = state.speeding = None
        if not over:
            return
        assert limit is not None
        sample = self._now
        excess = fix.speed_kmh - limit.limit_kmh
        if episode is None:
            state.speeding = Episode(
                sample, sample, [sample], limit.limit_kmh, limit.source, limit.where,
                fix.speed_kmh, excess, excess,
            )  # fmt: skip
            return
        episode.last = sample
        episode.keep(sample)
        episode.count += 1
        episode.sum_excess_kmh += excess
        episode.max_speed_kmh = max(episode.max_speed_kmh, fix.speed_kmh)
        if excess > episode.max_excess_kmh:
            episode.max_excess_kmh = excess
            episode.limit_kmh, episode.limit_source = limit.limit_kmh, limit.source
            episode.where = limit.where

    @staticmethod
    def _end_speeding(episode: Episode, found: list[Detected]) -> None:
        duration = (episode.last.time - episode.first.time).total_seconds()
        if duration < t.MIN_SPEEDING_S:
            return
        found.append(
            Detected(
                SPEEDING,
                "fixes",
                t.speeding_severity(episode.max_excess_kmh),
                episode.first.time,
                episode.last.time,
                episode.first.latitude,
                episode.first.longitude,
                tuple(episode.samples),
                duration_s=duration,
                speed_kmh=episode.first.speed_kmh,
                limit_kmh=episode.limit_kmh,
                limit_source=episode.limit_source,
                max_speed_kmh=round(episode.max_speed_kmh, 1),
                excess_kmh=round(episode.max_excess_kmh, 1),
                mean_excess_kmh=round(episode.sum_excess_kmh / episode.count, 1),
                details={"where": episode.where, "fixes_over": episode.count},
            )
        )

    # --- idling ---------------------------------------------------------------------------
    def _idling(self, fix: Fix, found: list[Detected]) -> None:
        state = self.state
        idle = fix.ignition is True and (fix.speed_kmh is None or fix.speed_kmh < t.IDLE_SPEED_KMH)
        episode = state.idling
        if episode is not None:
            within = _gap(episode.last, fix) <= t.MAX_IDLE_GAP_S
            if idle and within:
                episode.last = self._now
                episode.count += 1
                return
            # the engine ran until this fix showed otherwise (if it came in time)
            end = self._now if within else episode.last
            duration = (end.time - episode.first.time).total_seconds()
            if duration >= t.MIN_IDLE_S:
                found.append(
                    Detected(
                        IDLING,
                        "fixes",
                        "high" if duration >= 4 * t.MIN_IDLE_S else "low",
                        episode.first.time,
                        end.time,
                        episode.first.latitude,
                        episode.first.longitude,
                        (episode.first, end),
                        duration_s=duration,
                        details={"idle_minutes": round(duration / 60, 1)},
                    )
                )
            state.idling = None
        if idle:
            sample = self._now
            state.idling = Episode(sample, sample, [])

    # --- night driving --------------------------------------------------------------------
    def _at_night(self, moment: datetime) -> bool:
        """Whether ``moment`` falls between 22:00 and 05:00 in the zone; the span around it is
        kept, so most fixes cost one comparison instead of a time-zone conversion."""
        span = self._span
        if span is not None and span[0] <= moment < span[1]:
            return span[2]
        local = moment.astimezone(self.zone)
        day, clock, zone = local.date(), local.time(), self.zone
        if clock < t.NIGHT_ENDS:
            bounds = (day - timedelta(days=1), t.NIGHT_STARTS, day, t.NIGHT_ENDS, True)
        elif clock < t.NIGHT_STARTS:
            bounds = (day, t.NIGHT_ENDS, day, t.NIGHT_STARTS, False)
        else:
            bounds = (day, t.NIGHT_STARTS, day + timedelta(days=1), t.NIGHT_ENDS, True)
        start = datetime.combine(bounds[0], bounds[1], zone).astimezone(UTC)
        end = datetime.combine(bounds[2], bounds[3], zone).astimezone(UTC)
        self._span = (start, end, bounds[4])
        return bounds[4]

    def _night(self, fix: Fix, found: list[Detected]) -> None:
        state = self.state
        at_night = self._at_night(fix.time)
        moving = fix.speed_kmh is not None and fix.speed_kmh >= t.MOVING_KMH
        episode = state.night
        if episode is not None:
            if at_night and moving and _gap(episode.last, fix) <= t.MAX_NIGHT_GAP_S:
                last = episode.last
                episode.distance_m += haversine_m(
                    last.latitude, last.longitude, fix.latitude, fix.longitude
                )
                episode.last = self._now
                episode.count += 1
                return
            self._end_night(episode, found)
            state.night = None
        if at_night and moving:
            sample = self._now
            state.night = Episode(sample, sample, [])

    def _end_night(self, episode: Episode, found: list[Detected]) -> None:
        duration = (episode.last.time - episode.first.time).total_seconds()
        if duration < t.MIN_NIGHT_S:
            return
        found.append(
            Detected(
                NIGHT,
                "fixes",
                "low",
                episode.first.time,
                episode.last.time,
                episode.first.latitude,
                episode.first.longitude,
                (episode.first, episode.last),
                duration_s=duration,
                distance_m=round(episode.distance_m, 1),
                details={"zone": str(self.zone)},
            )
        )


def _moved_as_reported(prev: Sample | None, current: Sample) -> bool:
    """The distance between the fixes agrees with their reported speeds (a fix that jumped
    is not an acceleration)."""
    if prev is None:
        return False
    seconds = (current.time - prev.time).total_seconds()
    moved = haversine_m(prev.latitude, prev.longitude, current.latitude, current.longitude)
    expected = (prev.speed + current.speed) / 2 / MPS_TO_KMH * seconds
    return abs(moved - expected) <= max(t.POSITION_SLACK_M, t.POSITION_SLACK_SHARE * expected)


def _gap(last: Sample, fix: Fix) -> float:
    return (fix.time - last.time).total_seconds()


def _spike(run: Run, before: Sample | None, after: Sample | None) -> bool:
    """One bad reading: the speed (or course) jumps into the run and straight back out."""
    first, last = run.samples[0], run.samples[-1]
    if run.kind == BRAKING:
        return (before is not None and before.speed < first.speed - t.SPIKE_KMH) or (
            after is not None and after.speed > last.speed + t.SPIKE_KMH
        )
    if run.kind == ACCELERATION:
        return (before is not None and before.speed > first.speed + t.SPIKE_KMH) or (
            after is not None and after.speed < last.speed - t.SPIKE_KMH
        )
    if before is None or after is None or before.course is None or after.course is None:
        return False
    net = heading_change_deg(before.course, after.course)
    return net < t.SPIKE_COURSE_SHARE * run.turn_deg


__all__ = [
    "ACCELERATION",
    "BRAKING",
    "CORNERING",
    "HARSH_KINDS",
    "IDLING",
    "KINDS",
    "NIGHT",
    "SPEEDING",
    "Detected",
    "Detector",
    "DetectorState",
    "Episode",
    "Fix",
    "Limit",
    "Run",
    "Sample",
]
