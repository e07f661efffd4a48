"""Work orders and parts are search documents: found by number, title, shop and line, read
only with maintenance:read, never across tenants."""

from __future__ import annotations

import httpx

from fleetyard.auth.roles import Role
from fleetyard.db import Database
from tests.conftest import Tenants
from tests.maintenance.helpers import WORK_ORDERS, make_part, make_vehicle
from tests.search.conftest import ids, index, search


async def test_work_orders_and_parts_are_found(
    client: httpx.AsyncClient, tenants: Tenants, rolled_back_db: Database
) -> None:
    headers = tenants.a.owner
    vid = await make_vehicle(client, headers, plate="HKL-204")
    part = await make_part(client, headers, part_number="MANN-W712/95", name="Oil filter W712")
    created = await client.post(
        WORK_ORDERS,
        json={
            "vehicle_id": vid,
            "title": "Front brake discs",
            "vendor": "Vianor Pasila",
            "lines": [
                {"kind": "labour", "hours": "1.5", "rate": "89", "description": "Replace discs"},
                {"kind": "part", "part_id": part["id"], "quantity": "1"},
            ],
        },
        headers=headers,
    )
    wo = created.json()
    await index(rolled_back_db, tenants.a.id)
    for q in ("brake discs", f"WO-{wo['number']}", "vianor", "HKL-204"):
        assert wo["id"] in ids(await search(client, headers, q)), q
    assert part["id"] in ids(await search(client, headers, "W712/95"))
    assert part["id"] in ids(await search(client, headers, "oil filter"))
    # another tenant, and a role without maintenance:read, find nothing of it
    assert ids(await search(client, tenants.b.owner, "brake discs")) == []
    assert wo["id"] not in ids(await search(client, tenants.a.as_(Role.DRIVER), "brake discs"))
