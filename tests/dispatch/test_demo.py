"""The demo's day on the road: a dispatched plan under way (stops done, a driver at a stop),
and one stop late that the monitor's first round raises one alert for; made once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.config import Settings
from fleetyard.demo.plan import demo_fleet_plan
from fleetyard.demo.seed import seed_tenant
from fleetyard.dispatch.monitor import Monitor
from fleetyard.kit.ids import TenantId
from fleetyard.kit.sealing import Keyring
from fleetyard.simulator.fleet import FleetConfig


async def test_demo_dispatch(db_session: AsyncSession, settings: Settings) -> None:
    plan = demo_fleet_plan(FleetConfig(vehicles=12, seed=3), datetime.now(UTC))
    keyring = Keyring.from_settings(settings)
    first = await seed_tenant(db_session, plan, keyring)
    assert first.created["dispatches"] == first.planned["dispatches"] == 1

    async def rows(sql: str) -> list[Any]:
        return list((await db_session.execute(text(sql))).all())

    [(tenant_id,)] = await rows("select tenant_id from dispatches")
    statuses = Counter(r.status for r in await rows("select status from dispatch_stops"))
    assert statuses == {"completed": 4, "arrived": 1, "pending": 4}
    routes = await rows("select vehicle_id, driver_id, geometry from dispatch_routes")
    assert len(routes) == 3 and all(r.driver_id and len(r.geometry) >= 2 for r in routes)
    # every van somewhere near the depot: the market's window closed ten minutes ago
    for route in routes:
        await db_session.execute(
            text(
                "insert into vehicle_state (tenant_id, vehicle_id, device_id, fix_time, "
                "server_time, latitude, longitude) values (:t, :v, gen_random_uuid(), now(), "
                "now(), 60.1706, 24.9439) on conflict (tenant_id, vehicle_id) do update set "
                "latitude = excluded.latitude, longitude = excluded.longitude"
            ),
            {"t": tenant_id, "v": route.vehicle_id},
        )
    outcome = await Monitor(db_session, TenantId(tenant_id)).run(datetime.now(UTC))
    assert outcome.routes == 3
    late = await rows("select details from alerts where kind = 'stop_late'")
    assert [r.details["stop_name"] for r in late] == ["Market Hall"]

    [(email, vehicle)] = await rows(
        "select u.email, d.assigned_vehicle_id from drivers d join users u on u.id = d.user_id"
    )
    assert email == "driver@demo.fleetyard.dev"
    assert vehicle in {r.vehicle_id for r in routes}

    second = await seed_tenant(db_session, plan, keyring)
    assert second.created["dispatches"] == 0
