"""The demo's maintenance: seeded through the services, believable (a mix of statuses, work
orders in every state, stock drawn by the completed ones), and made once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.config import Settings
from fleetyard.demo.plan import demo_fleet_plan
from fleetyard.demo.seed import seed_tenant
from fleetyard.kit.sealing import Keyring
from fleetyard.simulator.fleet import FleetConfig


async def test_demo_maintenance(db_session: AsyncSession, settings: Settings) -> None:
    plan = demo_fleet_plan(FleetConfig(vehicles=12, seed=3), datetime.now(UTC))
    keyring = Keyring.from_settings(settings)
    first = await seed_tenant(db_session, plan, keyring)
    assert first.created["maintenance"] == first.planned["maintenance"] > 20

    async def rows(sql: str, **params: object) -> list:
        return list((await db_session.execute(text(sql), params)).all())

    names = Counter(r.name for r in await rows("select name from service_schedules"))
    vehicles = len(await rows("select id from vehicles where status <> 'retired'"))
    assert names["Oil service"] == names["Tyre swap (season)"] == vehicles
    assert names["Brake check"] >= 1
    statuses = Counter(r.status for r in await rows("select status from service_schedule_vehicles"))
    assert statuses["ok"] and statuses["due_soon"] and statuses["overdue"], statuses
    # other demo steps (inspections, the prediction history) add work orders of their own
    mine = [
        "Oil and filter change (15,000 km service)",
        "Front brake pads worn to 3 mm",
        "Battery fails to hold charge overnight",
        "Stone chip in windscreen, driver's side",
        "Replace wiper blades and cabin filter",
    ]
    orders = Counter(
        r.status for r in await rows("select status from work_orders where title = any(:t)", t=mine)
    )
    assert orders == {"completed": 2, "in_progress": 1, "open": 2}
    [(oil,)] = await rows("select quantity_on_hand from parts where part_number = 'CASTROL-5W30-L'")
    assert str(oil) == "56.500"  # 62 litres less the completed oil service's 5.5
    in_shop = await rows("select status_detail from vehicles where status = 'in_maintenance'")
    assert "Own workshop, Vantaa" in [r.status_detail.get("shop") for r in in_shop]
    totals = await rows(
        "select total from work_orders where status = 'completed' and title = any(:t) "
        "order by total",
        t=mine,
    )
    assert [str(t.total) for t in totals] == ["121.15", "202.50"]

    second = await seed_tenant(db_session, plan, keyring)
    assert second.created["maintenance"] == 0
