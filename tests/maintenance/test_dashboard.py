"""The home dashboard counts vehicles due and overdue for service, open work orders and parts
low in stock (an additive field, null without maintenance:read)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from tests.conftest import Tenants
from tests.maintenance.helpers import (
    WORK_ORDERS,
    make_part,
    make_schedule,
    make_vehicle,
    set_meters,
)


async def test_dashboard_counts_maintenance(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    headers = tenants.a.owner
    overdue, soon, fine = [await make_vehicle(client, headers) for _ in range(3)]
    for vid, km in ((overdue, 40_000), (soon, 29_500), (fine, 10_000)):
        await set_meters(db_session, tenants.a.id, vid, km=km)
        await make_schedule(
            client,
            headers,
            vehicle_id=vid,
            interval_km="15000",
            soon_km="1000",
            last_done={"odometer_km": "15000"},
        )
    await client.post(WORK_ORDERS, json={"vehicle_id": overdue, "title": "Oil"}, headers=headers)
    await make_part(client, headers, quantity_on_hand="1", reorder_level="2")
    board = (await client.get("/api/v1/dashboard", headers=headers)).json()
    assert board["maintenance"] == {
        "due_soon": 1,
        "due": 0,
        "overdue": 1,
        "open_work_orders": 1,
        "low_stock_parts": 1,
    }
    # the counts are the maintenance card's, not repeated as a generic figure
    assert "maintenance_due" not in {f["key"] for f in board["figures"]}
    # a driver reads the dashboard, not maintenance
    driver = (await client.get("/api/v1/dashboard", headers=tenants.a.as_(Role.DRIVER))).json()
    assert driver["maintenance"] is None
    # another tenant counts none of it
    other = (await client.get("/api/v1/dashboard", headers=tenants.b.owner)).json()
    assert other["maintenance"]["overdue"] == 0
