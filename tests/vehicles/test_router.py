from __future__ import annotations

import httpx

from fleetyard.auth.roles import Role
from tests.conftest import Tenants

VALID_VIN = "1HGCM82633A004352"


async def test_create_get_list_update_delete(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    created = await client.post(
        "/api/v1/vehicles", json={"vin": VALID_VIN, "plate": "ABC-123"}, headers=headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["make"] == "Honda"
    assert body["year"] == 2003
    assert body["status"] == {"state": "active"}
    vid = body["id"]

    got = await client.get(f"/api/v1/vehicles/{vid}", headers=headers)
    assert got.status_code == 200
    assert got.json()["plate"] == "ABC-123"

    listed = await client.get("/api/v1/vehicles", headers=headers, params={"status": "active"})
    assert [v["id"] for v in listed.json()["items"]] == [vid]

    updated = await client.patch(
        f"/api/v1/vehicles/{vid}",
        json={"version": 1, "status": {"state": "in_maintenance", "shop": "Main St Garage"}},
        headers=headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert updated.json()["status"] == {
        "state": "in_maintenance",
        "shop": "Main St Garage",
        "expected_return": None,
    }

    stale = await client.patch(
        f"/api/v1/vehicles/{vid}", json={"version": 1, "plate": "X"}, headers=headers
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"

    deleted = await client.delete(f"/api/v1/vehicles/{vid}", headers=headers)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/v1/vehicles/{vid}", headers=headers)).status_code == 404

    events = await client.get(
        "/api/v1/events", params={"entity_type": "vehicle", "entity_id": vid}, headers=headers
    )
    assert [e["type"] for e in events.json()["items"]] == [
        "vehicle_deleted",
        "vehicle_updated",
        "vehicle_created",
    ]


async def test_standard_scenarios(client: httpx.AsyncClient, tenants: Tenants) -> None:
    assert (await client.get("/api/v1/vehicles")).status_code == 401
    denied = await client.post("/api/v1/vehicles", json={}, headers=tenants.a.as_(Role.VIEWER))
    assert denied.status_code == 403
    created = await client.post("/api/v1/vehicles", json={"plate": "B-1"}, headers=tenants.a.owner)
    vid = created.json()["id"]
    other = await client.get(f"/api/v1/vehicles/{vid}", headers=tenants.b.owner)
    assert other.status_code == 404
    bad = await client.post(
        "/api/v1/vehicles", json={"vin": "1HGCM82633A004353"}, headers=tenants.a.owner
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "validation_failed"
