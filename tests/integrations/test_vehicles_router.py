"""A connection's vendor vehicles over the API: listed (all, or those waiting for a match),
matched by a person to one of ours; the standard role and tenant scenarios."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.integrations.providers.base import VendorVehicle
from fleetyard.integrations.vendor_vehicles import VendorVehicleRepository
from tests.conftest import Tenants, set_tenant
from tests.integrations.fake_provider import FakeProvider
from tests.integrations.test_router import URL, create


async def _with_vendor_vehicles(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> dict[str, Any]:
    integration = await create(client, tenants.a.owner)
    await set_tenant(db_session, tenants.a.id)  # type: ignore[arg-type]
    await VendorVehicleRepository(db_session, tenants.a.id).upsert_seen(
        uuid.UUID(integration["id"]),
        [VendorVehicle("281", name="Van 7", vin="1HGCM82633A004352"), VendorVehicle("282")],
    )
    await db_session.commit()
    return integration


async def _vehicle(client: httpx.AsyncClient, tenants: Tenants) -> str:
    made = await client.post("/api/v1/vehicles", json={"name": "Our van"}, headers=tenants.a.owner)
    assert made.status_code == 201, made.text
    vehicle_id: str = made.json()["id"]
    return vehicle_id


async def test_list_and_match_by_hand(
    client: httpx.AsyncClient,
    tenants: Tenants,
    db_session: AsyncSession,
    fake_provider: FakeProvider,
) -> None:
    integration = await _with_vendor_vehicles(client, tenants, db_session)
    vehicles_url = f"{URL}/{integration['id']}/vehicles"
    listed = await client.get(vehicles_url, headers=tenants.a.owner)
    assert listed.status_code == 200, listed.text
    assert [v["vendor_id"] for v in listed.json()["items"]] == ["281", "282"]
    first = await client.get(vehicles_url, params={"limit": 1}, headers=tenants.a.owner)
    assert first.json()["next_cursor"] == "281"

    vehicle_id = await _vehicle(client, tenants)
    matched = await client.post(
        f"{vehicles_url}/282/match", json={"vehicle_id": vehicle_id}, headers=tenants.a.owner
    )
    assert matched.status_code == 200, matched.text
    assert matched.json()["vehicle_id"] == vehicle_id
    assert matched.json()["matched_by"] == "person"
    device = await client.get(
        f"/api/v1/devices/{matched.json()['device_id']}", headers=tenants.a.owner
    )
    assert device.status_code == 200 and device.json()["vehicle_id"] == vehicle_id

    other_vehicle = await _vehicle(client, tenants)  # matched again: the device moves
    moved = await client.post(
        f"{vehicles_url}/282/match", json={"vehicle_id": other_vehicle}, headers=tenants.a.owner
    )
    assert moved.json()["vehicle_id"] == other_vehicle
    assert moved.json()["device_id"] == matched.json()["device_id"]

    waiting = await client.get(vehicles_url, params={"unmatched": "true"}, headers=tenants.a.owner)
    assert [v["vendor_id"] for v in waiting.json()["items"]] == ["281"]
    events = await db_session.execute(
        text("select count(*) from events where type = 'device_created' and tenant_id = :t"),
        {"t": tenants.a.id},
    )
    assert events.scalar() == 1


async def test_roles_tenants_and_bad_input(
    client: httpx.AsyncClient,
    tenants: Tenants,
    db_session: AsyncSession,
    fake_provider: FakeProvider,
) -> None:
    integration = await _with_vendor_vehicles(client, tenants, db_session)
    vehicles_url = f"{URL}/{integration['id']}/vehicles"
    assert (await client.get(vehicles_url)).status_code == 401
    viewer = tenants.a.as_(Role.VIEWER)
    assert (await client.get(vehicles_url, headers=viewer)).status_code == 403
    assert (await client.get(vehicles_url, headers=tenants.b.owner)).status_code == 404
    match_url = f"{vehicles_url}/281/match"
    assert (await client.post(match_url, json={}, headers=tenants.a.owner)).status_code == 422
    unknown = {"vehicle_id": str(uuid.uuid4())}
    assert (await client.post(match_url, json=unknown, headers=tenants.a.owner)).status_code == 422
    vehicle_id = await _vehicle(client, tenants)
    body = {"vehicle_id": vehicle_id}
    assert (
        await client.post(f"{vehicles_url}/999/match", json=body, headers=tenants.a.owner)
    ).status_code == 404
    assert (await client.post(match_url, json=body, headers=tenants.b.owner)).status_code == 404
