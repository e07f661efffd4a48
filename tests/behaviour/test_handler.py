"""Driving events through the real ingest pipeline and PostgreSQL: recorded with the road's
limit, the driver at the time, an event-log row and an alert; a restart mid-drive, resent and
late records never duplicate; two tenants never see each other's events."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta

from fleetyard.auth.principal import Principal
from fleetyard.db import Database, set_tenant
from fleetyard.drivers.schemas import DriverCreate
from fleetyard.drivers.service import DriverService
from fleetyard.geofences.index import Fence, TenantFences
from fleetyard.geofences.shapes import from_geojson
from fleetyard.kit.ids import TenantId
from tests.behaviour.feeding import Feeder
from tests.behaviour.tracks import HELSINKI, accelerate, brake, cruise, generate, stand
from tests.telematics.conftest import Tracked, register_tracked

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
# On the 50 km/h test road: a harsh stop, then 68 km/h for 20 s, then 7 minutes idling.
DRIVE = [
    stand(5),
    accelerate(0, 50, 0.2),
    cruise(20, 50),
    brake(50, 0, 0.45),
    stand(5),
    accelerate(0, 68, 0.2),
    cruise(20, 68),
    brake(68, 0, 0.25),
    stand(420),
    accelerate(0, 30, 0.2),
    cruise(10, 30),
]


def summary(rows: list) -> list[tuple[str, str, datetime]]:  # type: ignore[type-arg]
    return [(r["kind"], r["source"], r["started_at"]) for r in rows]


async def test_events_are_recorded_with_limit_driver_event_and_alert(
    feeder: Feeder, tracked: Tracked, app_database: Database
) -> None:
    async with app_database.sessionmaker() as session:
        await set_tenant(session, TenantId(tracked.tenant.id))
        actor = Principal.system(TenantId(tracked.tenant.id))
        driver = await DriverService(session, actor).create(
            DriverCreate(name="Aino Virtanen", assigned_vehicle_id=tracked.vehicle_id)
        )
        await session.commit()
    await feeder.feed(tracked, generate(T0, DRIVE))
    rows = await feeder.events_of(tracked)
    assert [r["kind"] for r in rows] == ["harsh_braking", "speeding", "idling"]
    braking, speeding, idling = rows
    assert braking["peak_g"] > 0.42 and braking["driver_id"] == driver.id
    assert speeding["limit_kmh"] == 50 and speeding["limit_source"] == "road"
    assert speeding["excess_kmh"] == 18.0 and speeding["duration_s"] >= 20
    assert json.loads(speeding["details"])["where"] == "Test Road"
    assert idling["duration_s"] >= 420
    assert all(len(json.loads(r["fixes"])) >= 2 for r in rows)
    logged = await feeder.fetch(
        tracked.tenant.id,
        "select entity_id, changes from events where type = 'driving_event_recorded'",
    )
    assert {r["entity_id"] for r in logged} == {r["id"] for r in rows}
    alerts = await feeder.fetch(
        tracked.tenant.id,
        "select kind, code, cleared_at from alerts where vehicle_id = $1 order by opened_at",
        tracked.vehicle_id,
    )
    assert [(a["kind"], a["code"]) for a in alerts] == [
        ("harsh_event", "harsh_braking"),
        ("speeding", "road"),
        ("idling", ""),
    ]
    assert all(a["cleared_at"] is not None for a in alerts)  # records, not open conditions


async def test_a_restart_mid_drive_and_resent_records_duplicate_nothing(
    feeder: Feeder, tracked: Tracked, app_database: Database
) -> None:
    fixes = generate(T0, DRIVE)
    other = await register_tracked(app_database, "behaviour-whole")
    await feeder.feed(other, fixes)
    whole = summary(await feeder.events_of(other))
    for cut in (37, 60):  # mid-braking, mid-speeding
        tracked_now = await register_tracked(app_database, f"behaviour-cut-{cut}")
        await feeder.feed(tracked_now, fixes[:cut])
        feeder.restart()
        await feeder.feed(tracked_now, fixes[cut:])
        await feeder.feed(tracked_now, fixes)  # the device resends everything
        assert summary(await feeder.events_of(tracked_now)) == whole
    assert len(whole) == 3


async def test_a_restart_without_checkpoint_replays_nothing_twice(
    feeder: Feeder, tracked: Tracked
) -> None:
    fixes = generate(T0, DRIVE)
    await feeder.feed(tracked, fixes[:120])
    first = summary(await feeder.events_of(tracked))
    feeder.restart()
    await feeder.feed(tracked, fixes[120:])
    assert summary(await feeder.events_of(tracked))[: len(first)] == first
    assert len(await feeder.events_of(tracked)) == 3


async def test_late_records_with_a_device_report_still_count(
    feeder: Feeder, tracked: Tracked
) -> None:
    fixes = generate(T0, [cruise(60, 40)])
    late = fixes[10:20]
    late[3] = dataclasses.replace(late[3], reported=("harsh_acceleration",))
    await feeder.feed(tracked, fixes[:10] + fixes[20:])
    await feeder.feed(tracked, late)
    assert summary(await feeder.events_of(tracked)) == [
        ("harsh_acceleration", "device", late[3].time)
    ]


async def test_two_tenants_never_see_each_others_events(
    feeder: Feeder, tracked: Tracked, app_database: Database
) -> None:
    other = await register_tracked(app_database, "behaviour-other")
    await feeder.feed(tracked, generate(T0, [cruise(20, 50), brake(50, 0, 0.45), stand(5)]))
    await feeder.feed(other, generate(T0, [cruise(20, 40)]))
    assert len(await feeder.events_of(tracked)) == 1
    mine = await feeder.fetch(tracked.tenant.id, "select tenant_id from driving_events")
    assert {r["tenant_id"] for r in mine} == {tracked.tenant.id}
    theirs = await feeder.fetch(other.tenant.id, "select id from driving_events")
    assert theirs == []


async def test_a_geofence_limit_below_the_roads_applies(feeder: Feeder, tracked: Tracked) -> None:
    school = Fence(
        uuid.uuid4(),
        "School zone",
        from_geojson({"type": "Point", "coordinates": [HELSINKI[1], HELSINKI[0]]}, 2_000.0),
        speed_limit_kmh=30,
    )

    async def fences(_: uuid.UUID) -> TenantFences:
        return TenantFences([school])

    feeder.behaviour.fences = fences
    await feeder.feed(
        tracked, generate(T0, [stand(5), accelerate(0, 45, 0.2), cruise(30, 45), brake(45, 0, 0.2)])
    )
    [speeding] = await feeder.events_of(tracked)
    assert speeding["kind"] == "speeding" and speeding["limit_source"] == "geofence"
    assert speeding["limit_kmh"] == 30 and speeding["excess_kmh"] == 15
    assert json.loads(speeding["details"])["where"] == "School zone"
    alerts = await feeder.fetch(tracked.tenant.id, "select kind from alerts")
    assert alerts == []  # the geofences alert speeding over their own limits


async def test_a_batch_logs_each_event_then_its_alert_opened_and_cleared(
    feeder: Feeder, tracked: Tracked
) -> None:
    await feeder.feed(tracked, generate(T0, DRIVE))
    logged = await feeder.fetch(
        tracked.tenant.id,
        "select type from events where type in "
        "('driving_event_recorded', 'alert_opened', 'alert_cleared') order by id",
    )
    assert [r["type"] for r in logged] == [
        "driving_event_recorded",
        "alert_opened",
        "alert_cleared",
    ] * 3


async def test_an_alert_of_these_kinds_already_open_is_seen_and_cleared_one_by_one(
    feeder: Feeder, tracked: Tracked
) -> None:
    await feeder.fetch(
        tracked.tenant.id,
        "insert into alerts (tenant_id, id, vehicle_id, kind, code, severity, message, "
        "opened_at, last_seen_at) values ($1, $2, $3, 'idling', '', 'info', 'left open', "
        "$4, $4) returning id",
        tracked.tenant.id,
        uuid.uuid4(),
        tracked.vehicle_id,
        T0 - timedelta(hours=1),
    )
    await feeder.feed(tracked, generate(T0, DRIVE))
    assert [r["kind"] for r in await feeder.events_of(tracked)] == [
        "harsh_braking",
        "speeding",
        "idling",
    ]
    alerts = await feeder.fetch(
        tracked.tenant.id,
        "select kind, message, cleared_at from alerts where vehicle_id = $1 order by opened_at",
        tracked.vehicle_id,
    )
    assert (alerts[0]["kind"], alerts[0]["message"]) == ("idling", "left open")
    assert len(alerts) == 3  # the open idling alert was marked seen and cleared, not doubled
    assert all(a["cleared_at"] is not None for a in alerts)
