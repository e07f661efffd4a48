"""The geofence stage in the real ingest pipeline on the real database: events, presence and
alerts written together, published live, kept across a restart, deaf to late records after
it, tenants apart, and the index following geofence changes from the event log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from fleetyard.auth.roles import Role
from fleetyard.db import Database
from fleetyard.realtime.items import LiveBatch, LiveItem
from tests.geofences.feeding import fix, geofence_pipeline, make_fence, restarted
from tests.geofences.shapes_data import CENTRE, east_of_centre, point, square
from tests.telematics.conftest import register_tracked

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def drive(
    tracked: object, xs: list[float], start_s: float = 0, every_s: float = 30, speed: float = 30.0
) -> list:  # type: ignore[type-arg]
    return [
        fix(tracked, at(start_s + i * every_s), *east_of_centre(x), speed)  # type: ignore[arg-type]
        for i, x in enumerate(xs)
    ]


async def test_a_visit_writes_events_presence_alerts_and_goes_live(
    database_url: str, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "gf-visit")
    fence_id = await make_fence(
        app_database,
        tracked.tenant.id,
        name="Pasila depot",
        geometry=square(300),
        alert_on=["enter", "dwell"],
        dwell_minutes=1,
    )
    async with geofence_pipeline(database_url) as feeder:
        await feeder.feed(tracked, drive(tracked, [-2000, -1000, 0, 50, 60]))
        assert await feeder.event_types(tracked) == ["geofence_entered", "geofence_dwell"]
        [inside] = await feeder.presence(tracked)
        assert inside["geofence_id"] == fence_id
        assert inside["entered_at"] == at(60)
        assert inside["dwell_reported_at"] == at(120)
        opened = await feeder.alerts(tracked)
        assert [(a["kind"], a["cleared_at"]) for a in opened] == [("geofence", None)] * 2
        assert opened[0]["message"].endswith("entered Pasila depot")
        assert opened[0]["details"] is not None

        await feeder.feed(tracked, drive(tracked, [1000, 2000], start_s=150))
        assert await feeder.event_types(tracked) == [
            "geofence_entered",
            "geofence_dwell",
            "geofence_exited",
        ]
        assert await feeder.presence(tracked) == []
        assert all(a["cleared_at"] == at(150) for a in await feeder.alerts(tracked))
        exited = (await feeder.events(tracked))[-1]
        assert exited["entity_id"] == fence_id
        assert exited["actor_type"] == "system"
        assert json.loads(exited["changes"])["duration_s"] == {"before": None, "after": 90}
    kinds = [item.kind for item in feeder.heard]
    assert kinds.count("geofence_entered") == 1
    assert kinds.count("geofence_exited") == 1
    assert kinds.count("alert.opened") == 2
    entered = next(i for i in feeder.heard if i.kind == "geofence_entered")
    assert entered.vehicle_ids == (tracked.vehicle_id,)
    assert entered.entity_type == "geofence"
    assert feeder.rules.stats.records == 7
    registry = feeder.rules.registry
    assert registry is not None  # the stage's cost, as /metrics shows it
    assert registry.get_sample_value("fleetyard_geofence_evaluation_records_total") == 7
    assert registry.get_sample_value("fleetyard_geofence_evaluation_seconds_count") == 2


async def test_a_restart_keeps_who_is_inside_and_ignores_late_records(
    database_url: str, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "gf-restart")
    await make_fence(app_database, tracked.tenant.id, name="Yard", geometry=square(300))
    async with geofence_pipeline(database_url) as feeder:
        await feeder.feed(tracked, drive(tracked, [-2000, -1000, 0, 10, 20, 30]))
        assert await feeder.event_types(tracked) == ["geofence_entered"]
        [before] = await feeder.presence(tracked)
        assert before["last_fix_at"] == at(150)  # written: 90 s of fix time since the entry
        async with restarted(feeder) as again:
            await again.feed(tracked, drive(tracked, [40, 50], start_s=180))
            assert await again.event_types(tracked) == ["geofence_entered"]  # not entered twice
            # a buffered record from before the restart, from outside: no false exit
            await again.feed(tracked, [fix(tracked, at(100), *east_of_centre(-5000))])
            assert await again.event_types(tracked) == ["geofence_entered"]
            assert len(await again.presence(tracked)) == 1
            await again.feed(tracked, drive(tracked, [1000, 2000], start_s=240))
            assert await again.event_types(tracked) == ["geofence_entered", "geofence_exited"]


async def test_tenants_geofences_never_mix(database_url: str, app_database: Database) -> None:
    a = await register_tracked(app_database, "gf-a")
    b = await register_tracked(app_database, "gf-b")
    await make_fence(app_database, b.tenant.id, name="B's depot", geometry=point(), radius_m=400)
    async with geofence_pipeline(database_url) as feeder:
        await feeder.feed(a, drive(a, [-2000, -1000, 0, 1000, 2000]))
        assert await feeder.event_types(a) == []
        assert await feeder.event_types(b) == []
        assert await feeder.alerts(a) == []
        assert await feeder.presence(a) == []
        await feeder.feed(b, drive(b, [-2000, -1000, 0, 1000, 2000]))
        assert await feeder.event_types(b) == ["geofence_entered", "geofence_exited"]
        assert await feeder.event_types(a) == []
    assert {item.kind for item in feeder.heard} == {"geofence_entered", "geofence_exited"}


async def test_speeding_in_a_low_speed_zone_is_an_event_and_an_alert(
    database_url: str, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "gf-speed")
    await make_fence(
        app_database,
        tracked.tenant.id,
        name="Centre 30 zone",
        geometry=square(2000),
        speed_limit_kmh=30,
        alert_on=["speeding"],
    )
    async with geofence_pipeline(database_url) as feeder:
        track = drive(tracked, [-5000, -3000, -1000, -500, 0, 500])
        for position, speed in zip(track, [50, 50, 28, 48, 55, 25], strict=True):
            position.speed_kmh = speed
        await feeder.feed(tracked, track)
        events = await feeder.events(tracked)
        assert [e["type"] for e in events] == ["geofence_entered", "geofence_speeding"]
        changes = json.loads(events[1]["changes"])
        assert changes["excess_kmh"]["after"] == 25
        assert changes["duration_s"]["after"] == 60
        assert changes["limit_kmh"]["after"] == 30
        [alert] = await feeder.alerts(tracked)
        assert alert["kind"] == "speeding"
        assert alert["opened_at"] == at(90)
        assert alert["cleared_at"] == at(150)
        assert "55 km/h in Centre 30 zone (limit 30) for 60 s" in alert["message"]


async def test_the_index_follows_geofence_changes_from_the_event_log(
    database_url: str, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "gf-change")
    async with geofence_pipeline(database_url) as feeder:
        await feeder.feed(tracked, drive(tracked, [-3000, -2000]))
        assert len(await feeder.rules.fences(tracked.tenant.id)) == 0  # built, and cached
        fence_id = await make_fence(
            app_database, tracked.tenant.id, name="New site", geometry=square(300)
        )
        assert len(await feeder.rules.fences(tracked.tenant.id)) == 0  # not told yet
        change = LiveItem("geofence_created", "geofence", (), {"entity_id": fence_id})
        await feeder.bus.publish(tracked.tenant.id, [change])
        assert len(await feeder.rules.fences(tracked.tenant.id)) == 1
        await feeder.feed(tracked, drive(tracked, [-1000, 0], start_s=60))
        assert await feeder.event_types(tracked) == ["geofence_entered"]
        assert (await feeder.rules.geofence_at(tracked.tenant.id, *CENTRE)).name == "New site"  # type: ignore[union-attr]
        assert await feeder.rules.geofence_at(tracked.tenant.id, *east_of_centre(5000)) is None
        # a gap in the bus (Redis reconnected): every index is built again
        builds = feeder.rules.stats.index_builds
        feeder.rules._on_gap()
        await feeder.rules.fences(tracked.tenant.id)
        assert feeder.rules.stats.index_builds == builds + 1
        _ = LiveBatch  # the batch type the bus hands listeners


async def test_an_exit_alert_stays_open_until_the_vehicle_comes_back(
    database_url: str, app_database: Database
) -> None:
    tracked = await register_tracked(app_database, "gf-exit")
    await make_fence(
        app_database, tracked.tenant.id, name="Night yard", geometry=square(300), alert_on=["exit"]
    )
    async with geofence_pipeline(database_url) as feeder:
        await feeder.feed(tracked, drive(tracked, [0, 10, 1000, 2000]))
        [left] = await feeder.alerts(tracked)
        assert (left["kind"], left["cleared_at"]) == ("geofence", None)
        assert left["code"].endswith(":out")
        assert left["message"].endswith("left Night yard")
        await feeder.feed(tracked, drive(tracked, [1000, 0], start_s=120))
        [back] = await feeder.alerts(tracked)
        assert back["cleared_at"] == at(150)
        assert await feeder.event_types(tracked) == [
            "geofence_entered",
            "geofence_exited",
            "geofence_entered",
        ]


async def test_the_api_lists_who_is_inside_a_geofence_now(
    database_url: str, app_database: Database, live_client: httpx.AsyncClient
) -> None:
    tracked = await register_tracked(app_database, "gf-inside")
    fence_id = await make_fence(app_database, tracked.tenant.id, name="Yard", geometry=square(300))
    url = f"/api/v1/geofences/{fence_id}/vehicles"
    headers = tracked.tenant.as_(Role.VIEWER)
    async with geofence_pipeline(database_url) as feeder:
        await feeder.feed(tracked, drive(tracked, [-2000, -1000, 0, 10]))
        inside = (await live_client.get(url, headers=headers)).json()
        assert [(v["vehicle_id"], v["entered_at"]) for v in inside["items"]] == [
            (str(tracked.vehicle_id), at(60).isoformat().replace("+00:00", "Z"))
        ]
        await feeder.feed(tracked, drive(tracked, [1000], start_s=120))
        assert (await live_client.get(url, headers=headers)).json()["items"] == []
    other = await register_tracked(app_database, "gf-inside-other")
    assert (await live_client.get(url, headers=other.tenant.owner)).status_code == 404
