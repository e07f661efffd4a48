"""The detector on generated drives with known trips and stops (distance checked against an
independent haversine within 1 %), on a real phone track, across a restart, and with outliers."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fleetyard.telematics.ingest.validation import LastFix, invalid_reason
from fleetyard.telematics.position import Position
from fleetyard.trips.detector import (
    Change,
    Detector,
    DetectorState,
    Fix,
    Rules,
    StopEnded,
    StopStarted,
    TripDraft,
    TripEnded,
    TripStarted,
)
from fleetyard.trips.figures import trip_figures
from tests.trips.tracks import drive, generate, idle, independent_haversine_m, park, path_m

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
REAL_TRACK = Path("/work/shared/testdata/tracks/posmo_neuchatel_lausanne.csv")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ended(changes: list[Change]) -> list[TripDraft]:
    return [c.trip for c in changes if isinstance(c, TripEnded)]


def run(fixes: list[Fix], rules: Rules | None = None) -> tuple[Detector, list[Change]]:
    detector = Detector(rules or Rules())
    return detector, detector.feed(fixes)


# park 10 min · ignition on, idle 1 min · drive 10 min · idle 1 min at a light · drive 5 min ·
# park 10 min (ignition off) · drive 8 min · park 5 min
IGNITION_DAY = [
    park(600), idle(60), drive(600, 50, 45), idle(60), drive(300, 60, 120),
    park(600), drive(480, 40, 300), park(300),
]  # fmt: skip


def test_ignition_drives_make_two_trips_with_their_figures() -> None:
    fixes = generate(T0, IGNITION_DAY)
    _, changes = run(fixes)
    first, second = ended(changes)
    assert first.started_at == at(600)  # ignition on
    assert first.ended_at == at(600 + 60 + 600 + 60 + 300)  # the ignition-off fix
    assert second.started_at == at(2220) and second.ended_at == at(2220 + 480)
    for trip in (first, second):
        assert trip.ended_at is not None
        expected = path_m(fixes, trip.started_at, trip.ended_at)
        figures = trip_figures(trip)
        assert figures.distance_source == "odometer"
        assert figures.distance_m == pytest.approx(expected, rel=0.01)
        assert trip.gps_distance_m == pytest.approx(expected, rel=0.01)
    one = trip_figures(first)
    assert one.duration_s == 1020
    assert one.driving_s == pytest.approx(900, abs=10)  # two legs, 600 + 300 s
    assert one.idle_s == pytest.approx(120, abs=10)  # warming up, and the light
    assert one.max_speed_kmh == 60
    assert one.avg_speed_kmh == pytest.approx(one.distance_m / one.driving_s * 3.6, rel=1e-3)
    stops = [c.stop for c in changes if isinstance(c, StopStarted)]
    assert [s.started_at for s in stops] == [at(0), first.ended_at, second.ended_at]
    closed = [c.stop for c in changes if isinstance(c, StopEnded)]
    assert [(s.started_at, s.ended_at) for s in closed] == [
        (at(0), first.started_at),
        (first.ended_at, second.started_at),
    ]


def test_motion_alone_splits_at_a_stop_longer_than_the_rule() -> None:
    legs = [park(300), drive(300), park(120), drive(300), park(300), drive(240), park(300)]
    fixes = generate(T0, legs, ignition=False)
    trips = ended(run(fixes)[1])
    assert len(trips) == 2  # the 2-minute wait is part of the first trip
    first = trips[0]
    assert first.started_at == at(300)  # the first moving fix
    assert first.ended_at == at(300 + 300 + 120 + 300)  # where it stopped, not 3 min later
    expected = path_m(fixes, first.started_at, first.ended_at)
    assert trip_figures(first).distance_m == pytest.approx(expected, rel=0.01)
    assert trip_figures(first).idle_s == pytest.approx(120, abs=10)
    # a longer rule keeps the 5-minute stop inside one trip (ended by a 10-minute one)
    longer = generate(T0, [*legs[:-1], park(600)], ignition=False)
    assert len(ended(run(longer, Rules(stop_after_s=400))[1])) == 1


def test_a_device_without_speed_or_ignition_still_makes_its_trips() -> None:
    legs = [park(300), drive(600, 40), park(400), drive(300, 30, 200), park(400)]
    fixes = generate(T0, legs, every_s=2, speed=False, ignition=False)
    first, second = ended(run(fixes)[1])
    for trip in (first, second):
        assert trip.ended_at is not None
        expected = path_m(fixes, trip.started_at, trip.ended_at)
        assert trip.gps_distance_m == pytest.approx(expected, rel=0.01)
    assert trip_figures(first).max_speed_kmh == pytest.approx(40, rel=0.02)
    assert abs((first.started_at - at(300)).total_seconds()) <= 10


def test_an_engine_warming_up_is_no_trip() -> None:
    fixes = generate(T0, [park(300), idle(400), park(300)])
    _, changes = run(fixes)
    assert not [c for c in changes if isinstance(c, TripStarted | TripEnded)]


def test_a_lone_outlier_adds_no_distance() -> None:
    fixes = generate(T0, [park(60), drive(600, 50), park(300)])
    clean = ended(run(fixes)[1])[0]
    middle = len(fixes) // 2
    wild = replace(fixes[middle], latitude=fixes[middle].latitude + 0.05)  # 5.5 km away
    noisy = ended(run([*fixes[:middle], wild, *fixes[middle + 1 :]])[1])[0]
    assert noisy.gps_distance_m == pytest.approx(clean.gps_distance_m, rel=0.01)


def test_a_restart_mid_trip_continues_the_trip_from_the_saved_state() -> None:
    fixes = generate(T0, IGNITION_DAY, ignition=False)
    _, whole = run(fixes)
    cut = len(fixes) // 3  # inside the first trip
    before = Detector(Rules())
    changes = before.feed(fixes[:cut])
    saved = json.loads(json.dumps(before.state.to_json()))
    after = Detector(Rules(), DetectorState.from_json(saved))
    changes += after.feed(fixes[cut:])
    assert ended(changes) == ended(whole)
    assert [type(c) for c in changes] == [type(c) for c in whole]


def test_duplicates_and_older_fixes_are_skipped() -> None:
    fixes = generate(T0, [park(60), drive(300), park(300)])
    detector, first = run(fixes)
    assert detector.feed(fixes[:10] + fixes[-1:]) == []
    assert len(ended(first)) == 1


def _real_track() -> list[Fix]:
    """The real phone track as the pipeline keeps it: only fixes the ingest rules trust."""
    now = datetime.now(UTC)
    previous: LastFix | None = None
    trusted: list[Fix] = []
    with REAL_TRACK.open() as rows:
        for row in csv.DictReader(rows):
            when = datetime.fromisoformat(row["time_utc"].replace("Z", "+00:00"))
            lat, lon = float(row["lat"]), float(row["lon"])
            if invalid_reason(Position("phone", "osmand", when, lat, lon), previous, now) is None:
                previous = LastFix(when, lat, lon)
                trusted.append(Fix(when, lat, lon))
    return trusted


def test_the_real_phone_track_from_neuchatel_to_lausanne() -> None:
    """52 minutes, ~70 km by road (67 km as the crow flies), no speed, no ignition, with
    cached fixes replayed and jumps of kilometres. A raw sum of every step is ~199 km."""
    fixes = _real_track()
    detector, changes = run(fixes)
    trips = [*ended(changes)]
    still_open, newest = detector.state.trip, detector.state.last
    if still_open is not None and still_open.confirmed and newest is not None:
        still_open.reached(newest)  # where it would end now
        trips.append(still_open)
    total = sum(t.gps_distance_m for t in trips)
    crow = independent_haversine_m(fixes[0], fixes[-1])
    assert crow == pytest.approx(67_200, rel=0.01)
    # the trips cover the journey (road ≥ crow) without the outliers' kilometres
    assert crow < total < 85_000
    assert trips[0].started_at - fixes[0].time < timedelta(minutes=1)  # leaves at once
    assert (
        independent_haversine_m(
            Fix(T0, trips[0].start_latitude, trips[0].start_longitude), fixes[0]
        )
        < 500
    )
    last = trips[-1]
    assert last.end_latitude is not None and last.end_longitude is not None
    assert independent_haversine_m(Fix(T0, last.end_latitude, last.end_longitude), fixes[-1]) < 500
    # nothing on the way stood still long enough to be a stop, except where the phone
    # replayed one cached fix for minutes while its real fixes were refused as jumps
    assert 1 <= len(trips) <= 2
    assert sum(t.driving_s for t in trips) > 30 * 60
