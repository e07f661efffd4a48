"""Vehicle health end to end: a crafted week of fixes through a real IngestPipeline with the
alert rules registered, then ``GET /vehicles/{id}/health`` over committed data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from fleetyard.auth.roles import Role
from fleetyard.db import Database
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.position import Position
from tests.alerts.feeding import Feeder, fix
from tests.conftest import Tenants
from tests.telematics.conftest import Tracked, register_tracked

NOW = datetime.now(UTC).replace(microsecond=0)


class Week:
    """Fixes one minute apart from a start time, creeping north ~11 m per fix."""

    def __init__(self, tracked: Tracked) -> None:
        self.tracked = tracked
        self.step = 0

    def day(
        self, days_ago: float, *readings: dict[str, Any], speed: float = 40.0
    ) -> list[Position]:
        start = NOW - timedelta(days=days_ago)
        fixes = []
        for i, reading in enumerate(readings):
            position = fix(self.tracked, start + timedelta(minutes=i), speed=speed, **reading)
            position.latitude += self.step * 0.0001
            self.step += 1
            fixes.append(position)
        return fixes


async def test_health_of_a_crafted_week(
    feeder: Feeder, tracked: Tracked, live_client: httpx.AsyncClient
) -> None:
    week = Week(tracked)
    c, f, d = attr.COOLANT_TEMP_C, attr.FUEL_LEVEL_PCT, attr.DTCS
    # before the window: opens a DTC alert that a later list clears; counts for nothing
    await feeder.feed(tracked, week.day(8, {d: ["P0171"], attr.HARSH_BRAKING: True, c: 130}))
    await feeder.feed(tracked, week.day(8 - 1 / 24, {c: 90}))
    # day -6: one overheating (108 is inside the hysteresis band), one low-fuel episode
    await feeder.feed(
        tracked,
        week.day(6, {c: 100}, {c: 112}, {c: 108}, {c: 111}, {c: 100})
        + week.day(6 - 1 / 24, {f: 20}, {f: 8}, {f: 12}, {f: 9}, {f: 20}),
    )
    # day -5: two codes that come and go, and hard revving while moving (not while parked)
    await feeder.feed(
        tracked, week.day(5, {d: ["P0301", "P0420"]}, {d: ["P0420", "P0301"]}, {d: []})
    )
    await feeder.feed(tracked, week.day(5 - 1 / 24, *[{attr.RPM: 3500}] * 12, speed=60))
    await feeder.feed(tracked, week.day(5 - 2 / 24, *[{attr.RPM: 900}] * 3, speed=0))
    # day -4: sixty harsh brakings over a short distance, three harsh accelerations
    await feeder.feed(
        tracked,
        week.day(4, *[{attr.HARSH_BRAKING: True}] * 60, *[{attr.HARSH_ACCELERATION: True}] * 3),
    )
    # an invalid fix inside the window: ignored
    island = Position(
        tracked.unique_id, "teltonika", NOW - timedelta(days=2), 0.0, 0.0,
        attributes={d: ["P0300"], c: 140, attr.HARSH_BRAKING: True},
    )  # fmt: skip
    await feeder.feed(tracked, [island])
    # an hour ago: overheating now (open critical) and a new code (open warning)
    await feeder.feed(tracked, week.day(1 / 24, {c: 113}, {d: ["P0128"]}))

    response = await live_client.get(
        f"/api/v1/vehicles/{tracked.vehicle_id}/health", headers=tracked.tenant.as_(Role.VIEWER)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    points = {item["code"]: item["points"] for item in body["deductions"]}
    assert points == {
        "open_critical_alerts": 25,
        "open_warning_alerts": 10,
        "dtcs_seen": 15,
        "coolant_overheating": 20,
        "low_fuel": 3,
        "high_rpm": 10,
        "harsh_braking": 10,
    }
    assert body["score"] == 100 - sum(points.values()) == 7
    evidence = {item["code"]: item["evidence"] for item in body["deductions"]}
    assert evidence["dtcs_seen"] == {"codes": ["P0128", "P0301", "P0420"]}
    assert evidence["coolant_overheating"]["episodes"] == 2
    assert evidence["low_fuel"]["episodes"] == 1
    assert evidence["high_rpm"]["avg_rpm"] == 3500.0
    assert evidence["harsh_braking"]["events"] == 60
    assert evidence["harsh_braking"]["unit"] == "per_driving_day"
    assert evidence["harsh_braking"]["distance_km"] < 100
    assert [a["kind"] for a in evidence["open_critical_alerts"]["alerts"]] == ["coolant_high"]
    assert [a["code"] for a in evidence["open_warning_alerts"]["alerts"]] == ["P0128"]
    assert all(item["reason"] for item in body["deductions"])
    assert [r["code"] for r in body["recommendations"]] == [
        "resolve_critical_alerts",
        "diagnose_dtcs",
        "inspect_cooling_system",
        "refuel_earlier",
        "driver_training",
        "check_brakes",
    ]
    window = body["window"]
    start, end = (datetime.fromisoformat(window[k]) for k in ("from", "to"))
    assert end - start == timedelta(days=7)
    assert abs(end - datetime.now(UTC)) < timedelta(minutes=1)


async def test_a_vehicle_without_data_is_healthy_and_the_standard_scenarios(
    tracked: Tracked, live_client: httpx.AsyncClient, live_tenants: Tenants
) -> None:
    url = f"/api/v1/vehicles/{tracked.vehicle_id}/health"
    assert (await live_client.get(url)).status_code == 401
    healthy = await live_client.get(url, headers=tracked.tenant.as_(Role.DRIVER))
    assert healthy.status_code == 200
    assert healthy.json()["score"] == 100
    assert healthy.json()["deductions"] == healthy.json()["recommendations"] == []
    assert (await live_client.get(url, headers=live_tenants.b.owner)).status_code == 404
    unknown = await live_client.get(
        f"/api/v1/vehicles/{uuid.uuid4()}/health", headers=tracked.tenant.owner
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"


async def test_another_tenants_fixes_never_count(
    feeder: Feeder, tracked: Tracked, app_database: Database, live_client: httpx.AsyncClient
) -> None:
    neighbour = await register_tracked(app_database, "health-b")
    await feeder.feed(neighbour, Week(neighbour).day(1, {attr.DTCS: ["P0420"]}))
    response = await live_client.get(
        f"/api/v1/vehicles/{tracked.vehicle_id}/health", headers=tracked.tenant.owner
    )
    assert response.json()["score"] == 100
    theirs = await live_client.get(
        f"/api/v1/vehicles/{neighbour.vehicle_id}/health", headers=neighbour.tenant.owner
    )
    assert {d["code"] for d in theirs.json()["deductions"]} == {"dtcs_seen", "open_warning_alerts"}


async def test_harsh_braking_per_100_km_from_the_odometer(
    feeder: Feeder, tracked: Tracked, live_client: httpx.AsyncClient
) -> None:
    fixes = Week(tracked).day(2, *[{attr.HARSH_BRAKING: True}] * 10, *[{}] * 20)
    for i, position in enumerate(fixes):
        position.odometer_m = 1_000_000 + i * 5_000  # 145 km over the day
    await feeder.feed(tracked, fixes)
    response = await live_client.get(
        f"/api/v1/vehicles/{tracked.vehicle_id}/health", headers=tracked.tenant.owner
    )
    (deduction,) = response.json()["deductions"]
    assert deduction["code"] == "harsh_braking"
    evidence = deduction["evidence"]
    assert evidence.pop("driving_days") in (1, 2)  # two if the half hour spans UTC midnight
    assert evidence == {
        "events": 10,
        "rate": 6.9,
        "unit": "per_100_km",
        "threshold": 5.0,
        "distance_km": 145.0,
    }
    assert [r["code"] for r in response.json()["recommendations"]] == ["check_brakes"]


async def test_absurd_readings_are_left_out_not_a_500(
    feeder: Feeder, tracked: Tracked, live_client: httpx.AsyncClient
) -> None:
    c, f, r = attr.COOLANT_TEMP_C, attr.FUEL_LEVEL_PCT, attr.RPM
    # numbers no float8 holds, and readings that are no numbers, beside a real overheating
    await feeder.feed(
        tracked,
        Week(tracked).day(
            1, {c: 10**400, f: -(10**400), r: 10**400}, {c: "hot", f: [1]}, {c: 112}, {c: 100}
        ),
    )
    response = await live_client.get(
        f"/api/v1/vehicles/{tracked.vehicle_id}/health", headers=tracked.tenant.owner
    )
    assert response.status_code == 200, response.text
    codes = {d["code"] for d in response.json()["deductions"]}
    assert "coolant_overheating" in codes
    assert "low_fuel" not in codes
