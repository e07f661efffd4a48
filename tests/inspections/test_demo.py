"""The demo's inspections: seeded once through the services, with a van's open defect, a
signed-off one and a truck held out of service."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.db import set_tenant
from fleetyard.demo.inspections import seed_inspections
from fleetyard.demo.logins import DEMO_SLUG
from fleetyard.kit.ids import TenantId
from tests.conftest import Tenants
from tests.inspections.helpers import make_vehicle


async def test_the_demo_seeds_inspections_once(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    for kind in ("van", "van", "truck", *["car"] * 6):
        await make_vehicle(client, tenants.a.owner, type=kind)
    tenant = TenantId(tenants.a.id)
    await set_tenant(db_session, tenant)
    actor = Principal.system(tenant)
    assert await seed_inspections(db_session, actor, DEMO_SLUG) == (9, 9)
    await db_session.commit()
    await set_tenant(db_session, tenant)
    assert await seed_inspections(db_session, actor, DEMO_SLUG) == (9, 0)
    assert await seed_inspections(db_session, actor, "harbour") == (0, 0)
    await db_session.commit()

    defects = (await client.get("/api/v1/defects", headers=tenants.a.owner)).json()["items"]
    assert sorted(d["status"] for d in defects) == ["open", "open", "resolved"]
    held = [d for d in defects if d["out_of_service"] and d["signed_off_at"] is None]
    assert [d["item_id"] for d in held] == ["brakes-service"]
    truck = (
        await client.get(f"/api/v1/vehicles/{held[0]['vehicle_id']}", headers=tenants.a.owner)
    ).json()
    assert truck["status"]["state"] == "in_maintenance"
    inspections = (await client.get("/api/v1/inspections", headers=tenants.a.owner)).json()
    assert len(inspections["items"]) == 9
