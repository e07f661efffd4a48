"""GET /fleet/summary: every figure equal to a count made directly in SQL, the other tenant's
rows never counted, sections by role, and a write dropping the cached figures at once."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from tests.conftest import Tenants
from tests.dashboard.test_router import RETIRED, Rows, add_device, now, today, tracked_vehicle
from tests.factories import TenantSetup
from tests.reservations.helpers import make_vehicle

URL = "/api/v1/fleet/summary"
IN_SHOP = {"state": "in_maintenance", "shop": "Garage Oy"}


async def summary(
    client: httpx.AsyncClient, tenant: TenantSetup, role: Role = Role.VIEWER
) -> dict[str, Any]:
    response = await client.get(URL, headers=tenant.as_(role))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def counted(session: AsyncSession, tenant: TenantSetup, sql: str) -> dict[Any, int]:
    await set_tenant(session, TenantId(tenant.id))
    rows = await session.execute(text(sql), {"tenant_id": tenant.id, "today": today()})
    return {row[0]: row[1] for row in rows}


async def fleet(client: httpx.AsyncClient, tenant: TenantSetup) -> list[str]:
    """Vehicles of several statuses, types and groups, with devices, alerts, bookings."""
    groups = []
    for name in ("North depot", "South depot"):
        made = await client.post("/api/v1/groups", json={"name": name}, headers=tenant.owner)
        groups.append(made.json()["id"])
    specs = [
        {"type": "van", "group_id": groups[0]},
        {"type": "van", "group_id": groups[0]},
        {"type": "truck", "group_id": groups[1], "status": IN_SHOP},
        {"type": "car", "status": RETIRED},
        {"type": "car"},
    ]
    vehicles = []
    for spec in specs:
        vehicle_id, _ = await tracked_vehicle(client, tenant, **spec)
        vehicles.append(vehicle_id)
    await add_device(client, tenant)  # a device on no vehicle, never reported
    return vehicles


async def test_every_figure_equals_a_direct_count(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    a, b = tenants.a, tenants.b
    vehicles = await fleet(client, a)
    await fleet(client, b)  # never counted for a
    rows = Rows(db_session, a)
    devices = (await client.get("/api/v1/devices", headers=a.owner)).json()["items"]
    on_vehicle = [d for d in devices if d["vehicle_id"]]
    await rows.fix(on_vehicle[0]["id"], on_vehicle[0]["vehicle_id"], now() - timedelta(seconds=30))
    await rows.fix(on_vehicle[1]["id"], on_vehicle[1]["vehicle_id"], now() - timedelta(minutes=30))
    await rows.alert(vehicles[0], "critical")
    await rows.alert(vehicles[1], "warning", acknowledged=True)
    await rows.alert(vehicles[1], "info", cleared=True)
    booking = {
        "vehicle_id": vehicles[0],
        "starts_at": (now() + timedelta(minutes=5)).isoformat(),
        "ends_at": (now() + timedelta(minutes=65)).isoformat(),
    }
    made = await client.post("/api/v1/reservations", json=booking, headers=a.owner)
    assert made.status_code == 201, made.text

    body = await summary(client, a, Role.FLEET_MANAGER)
    sql_status = await counted(
        db_session, a, "select status, count(*) from vehicles group by status"
    )
    sql_type = await counted(db_session, a, "select type, count(*) from vehicles group by type")
    sql_depot = await counted(
        db_session, a, "select group_id, count(*) from vehicles group by group_id"
    )
    sql_alerts = await counted(
        db_session,
        a,
        "select severity, count(*) from alerts where cleared_at is null group by severity",
    )
    sql_reservations = await counted(
        db_session,
        a,
        "select status, count(*) from reservations"
        " where starts_at < CAST(:today AS timestamptz) + interval '1 day'"
        " and ends_at > :today group by status",
    )
    sql_devices = await counted(db_session, a, "select 'all', count(*) from devices")

    v = body["vehicles"]
    assert v["total"] == sum(sql_status.values()) == 5
    assert (
        v["by_status"]
        == {"active": 3, "in_maintenance": 1, "retired": 1}
        == {s: sql_status.get(s, 0) for s in ("active", "in_maintenance", "retired")}
    )
    assert v["by_type"] == sql_type
    by_depot = {(d["group_id"] and uuid.UUID(d["group_id"])): d["vehicles"] for d in v["by_depot"]}
    assert by_depot == sql_depot
    assert [d["name"] for d in v["by_depot"]] == ["North depot", None, "South depot"]
    assert v["by_activity"]["total"] == 4 and v["by_activity"]["retired"] == 1
    assert body["alerts"]["by_severity"] == {"critical": 1, "warning": 1, "info": 0}
    assert body["alerts"]["open"] == sum(sql_alerts.values())
    assert body["devices"]["total"] == sql_devices["all"] == 6
    assert (body["devices"]["online"], body["devices"]["offline"]) == (1, 1)
    assert body["devices"]["never_reported"] == 4
    assert body["reservations_today"]["by_status"] == sql_reservations
    assert body["reservations_today"]["total"] == 1
    assert body["distance_today"] == {"km": 0.0, "vehicles": 0}


async def test_sections_a_role_cannot_read_are_null(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    await fleet(client, tenants.a)
    driver = await summary(client, tenants.a, Role.DRIVER)
    manager = await summary(client, tenants.a, Role.FLEET_MANAGER)
    assert driver["devices"] is None
    assert manager["devices"] is not None and manager["reservations_today"] is not None
    assert driver["vehicles"] == manager["vehicles"]


async def test_a_committed_change_is_counted_at_the_next_read(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    first = await summary(client, tenants.a)
    etag = (await client.get(URL, headers=tenants.a.as_(Role.VIEWER))).headers["etag"]
    unchanged = await client.get(URL, headers={**tenants.a.as_(Role.VIEWER), "If-None-Match": etag})
    assert unchanged.status_code == 304
    await make_vehicle(client, tenants.a.owner, type="bus")
    second = await summary(client, tenants.a)
    assert second["vehicles"]["total"] == first["vehicles"]["total"] + 1
    assert second["vehicles"]["by_type"]["bus"] == 1


async def test_anonymous_callers_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
