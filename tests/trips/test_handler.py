"""Trip detection in the ingest pipeline on the real database: rows and events, a restart
mid-trip, late and duplicate records, two tenants apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from fleetyard.db import Database
from fleetyard.trips.detector import Fix
from tests.telematics.conftest import Tracked, register_tracked
from tests.trips.feeding import Feeder
from tests.trips.tracks import drive, generate, idle, park, path_m

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
DAY = [park(300), idle(30), drive(600, 50, 30), park(600), drive(300, 40, 250), park(300)]


def day(*, ignition: bool = True, odometer: bool = True) -> list[Fix]:
    return generate(T0, DAY, ignition=ignition, odometer=odometer)


async def test_a_day_makes_its_trips_stops_and_events(feeder: Feeder, tracked: Tracked) -> None:
    fixes = day()
    await feeder.feed(tracked, fixes)
    first, second = await feeder.trips_of(tracked)
    assert [t["status"] for t in (first, second)] == ["completed", "completed"]
    assert first["started_at"] == T0 + timedelta(seconds=300)
    assert first["distance_m"] == pytest.approx(
        path_m(fixes, first["started_at"], first["ended_at"]), rel=0.01
    )
    assert first["distance_source"] == "odometer" and first["max_speed_kmh"] == 50
    assert first["device_id"] == tracked.device_id
    stops = await feeder.stops_of(tracked)
    assert [s["status"] for s in stops] == ["completed", "completed", "open"]
    assert stops[1]["started_at"] == first["ended_at"]
    assert stops[1]["ended_at"] == second["started_at"]
    assert await feeder.events_of(tracked) == [
        "stop_started",
        "stop_ended",
        "trip_started",
        "trip_completed",
        "stop_started",
        "stop_ended",
        "trip_started",
        "trip_completed",
        "stop_started",
    ]


async def test_a_restart_mid_trip_continues_that_trip(feeder: Feeder, tracked: Tracked) -> None:
    fixes = day(ignition=False)
    cut = 150  # inside the first trip (fix 60 starts it, it runs 120 fixes)
    await feeder.feed(tracked, fixes[:cut])
    (open_trip,) = await feeder.trips_of(tracked)
    assert open_trip["status"] == "open"
    feeder.restart()
    await feeder.feed(tracked, fixes[cut:])
    first, _ = await feeder.trips_of(tracked)
    assert first["id"] == open_trip["id"] and first["status"] == "completed"
    assert first["distance_m"] == pytest.approx(
        path_m(fixes, first["started_at"], first["ended_at"]), rel=0.01
    )
    assert feeder.trips.stats.replays == 1


async def test_a_late_record_re_derives_its_trip(feeder: Feeder, tracked: Tracked) -> None:
    fixes = day(odometer=False)
    late = 100  # within the first trip, held back and sent after everything else
    await feeder.feed(tracked, fixes[:late] + fixes[late + 1 :])
    before, _ = await feeder.trips_of(tracked)
    events_before = await feeder.events_of(tracked)
    # the held-back fix was 300 m off the route (a detour the gap hid)
    detour = replace(fixes[late], latitude=fixes[late].latitude + 0.0027)
    await feeder.feed(tracked, [detour])
    after, second = await feeder.trips_of(tracked)
    assert after["id"] == before["id"]
    with_detour = [*fixes[:late], detour, *fixes[late + 1 :]]
    expected = path_m(with_detour, after["started_at"], after["ended_at"])
    assert after["distance_m"] == pytest.approx(expected, rel=0.01)
    assert after["distance_m"] > before["distance_m"] + 400
    assert after["version"] == before["version"] + 1
    assert (await feeder.events_of(tracked))[len(events_before) :] == ["trip_updated"]
    assert second["status"] == "completed"


async def test_duplicates_change_nothing(feeder: Feeder, tracked: Tracked) -> None:
    fixes = day()
    await feeder.feed(tracked, fixes)
    trips, events = await feeder.trips_of(tracked), await feeder.events_of(tracked)
    await feeder.feed(tracked, fixes[100:200])  # a tracker resending what was acked
    assert await feeder.trips_of(tracked) == trips
    assert await feeder.events_of(tracked) == events


async def test_two_tenants_see_only_their_own_trips(feeder: Feeder, app_database: Database) -> None:
    a = await register_tracked(app_database, "trips-a")
    b = await register_tracked(app_database, "trips-b")
    await feeder.feed(a, day())
    await feeder.feed(b, generate(T0, [park(300), drive(300), park(300)]))
    assert len(await feeder.trips_of(a)) == 2
    assert len(await feeder.trips_of(b)) == 1
    seen_by_a = await feeder.fetch(a.tenant.id, "select tenant_id from trips")
    assert {row["tenant_id"] for row in seen_by_a} == {a.tenant.id}
    seen_by_b = await feeder.fetch(b.tenant.id, "select tenant_id from trip_detectors")
    assert {row["tenant_id"] for row in seen_by_b} == {b.tenant.id}


async def test_the_tenants_stop_rule_decides_what_splits_a_trip(
    feeder: Feeder, tracked: Tracked
) -> None:
    await feeder.fetch(
        tracked.tenant.id,
        "insert into trip_settings (tenant_id, stop_after_s) values ($1, 600) returning 1",
        tracked.tenant.id,
    )
    # a 5-minute wait with the engine off... and on: only ignition off ends a trip at once
    legs = [park(300), drive(300, 40), idle(300), drive(300, 40, 200), park(900)]
    await feeder.feed(tracked, generate(T0, legs))
    (trip,) = await feeder.trips_of(tracked)
    assert trip["status"] == "completed" and trip["idle_s"] == pytest.approx(300, abs=10)
