"""Telemetry thresholds are the tenant's rules: without rules the built-in set runs as it
always did; a rule changes its kind's thresholds (or turns the kind off) for the vehicles it
covers — through the real ingest pipeline."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.alerts.feeding import fix, rules_pipeline
from tests.notifications.conftest import Desk
from tests.telematics.conftest import Tracked


async def _tracked(desk: Desk, group_id: uuid.UUID | None = None) -> Tracked:
    fields = {"group_id": str(group_id)} if group_id else {}
    vehicle = await desk.vehicle(desk.a, **fields)
    unique_id = str(350000000000000 + uuid.uuid4().int % 10**14)
    response = await desk.client.post(
        "/api/v1/devices",
        json={"unique_id": unique_id, "protocol": "teltonika", "vehicle_id": str(vehicle)},
        headers=desk.a.owner,
    )
    assert response.status_code == 201, response.text
    return Tracked(desk.a, vehicle, uuid.UUID(response.json()["id"]), unique_id)


async def test_rules_set_the_telemetry_thresholds(desk: Desk, database_url: str) -> None:
    west = await desk.group(desk.a, "West")
    west_yard = await desk.group(desk.a, "West yard", parent_id=west)
    strict = await _tracked(desk, west_yard)  # fuel alert from 30 % (its group's rule)
    default = await _tracked(desk)  # the built-in 10 %
    quiet = await _tracked(desk)  # fuel alerts turned off for this one vehicle
    await desk.rule(
        desk.a,
        kind="fuel_low",
        group_ids=[str(west)],
        thresholds={"trigger_pct": 30, "release_pct": 40},
    )
    await desk.rule(desk.a, kind="fuel_low", enabled=False, vehicle_ids=[str(quiet.vehicle_id)])
    await desk.rule(desk.a, kind="coolant_high", severity="warning", group_ids=[str(west)])
    start = datetime.now(UTC) - timedelta(minutes=5)

    async with rules_pipeline(database_url) as feeder:
        for tracked in (strict, default, quiet):
            await feeder.feed(tracked, [fix(tracked, start, fuel_level_pct=25.0)])
            await feeder.feed(
                tracked, [fix(tracked, start + timedelta(seconds=1), fuel_level_pct=8.0)]
            )
        await feeder.feed(strict, [fix(strict, start + timedelta(seconds=2), coolant_temp_c=115.0)])
        await feeder.feed(
            default, [fix(default, start + timedelta(seconds=2), coolant_temp_c=115.0)]
        )
        strict_alerts = await feeder.alerts(strict)
        default_alerts = await feeder.alerts(default)
        quiet_alerts = await feeder.alerts(quiet)
        # back above the strict release value clears it
        await feeder.feed(strict, [fix(strict, start + timedelta(seconds=3), fuel_level_pct=41.0)])
        cleared = await feeder.alerts(strict)

    fuel = [a for a in strict_alerts if a["kind"] == "fuel_low"]
    assert len(fuel) == 1 and fuel[0]["opened_at"] == start  # at 25 %, under its 30 %
    assert fuel[0]["message"] == "Fuel level 25 % is below 30 %."
    [default_fuel] = [a for a in default_alerts if a["kind"] == "fuel_low"]
    assert default_fuel["opened_at"] == start + timedelta(seconds=1)  # only at 8 %
    assert quiet_alerts == []
    severities = {
        a["vehicle_id"]: a["severity"]
        for a in strict_alerts + default_alerts
        if a["kind"] == "coolant_high"
    }
    assert severities == {strict.vehicle_id: "warning", default.vehicle_id: "critical"}
    assert [a["cleared_at"] is not None for a in cleared if a["kind"] == "fuel_low"] == [True]
