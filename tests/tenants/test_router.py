from __future__ import annotations

import httpx

from fleetyard.auth.roles import Role
from tests.conftest import Tenants


async def test_read_and_brand_the_tenant(client: httpx.AsyncClient, tenants: Tenants) -> None:
    got = await client.get("/api/v1/tenant", headers=tenants.a.as_(Role.DRIVER))
    assert got.status_code == 200
    assert got.json()["slug"] == tenants.a.slug
    assert got.json()["limits"]["api_requests_per_minute"] == 600

    patched = await client.patch(
        "/api/v1/tenant",
        json={"branding": {"primary_color": "#0a7cff", "logo_url": "https://example.com/logo.png"}},
        headers=tenants.a.as_(Role.ADMIN),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["branding"]["primary_color"] == "#0a7cff"
    # the other tenant is untouched
    other = await client.get("/api/v1/tenant", headers=tenants.b.owner)
    assert other.json()["branding"]["primary_color"] is None

    events = await client.get(
        "/api/v1/events", params={"entity_type": "tenant"}, headers=tenants.a.owner
    )
    changes = events.json()["items"][0]["changes"]
    assert changes["branding"]["after"]["primary_color"] == "#0a7cff"


async def test_standard_scenarios(client: httpx.AsyncClient, tenants: Tenants) -> None:
    assert (await client.get("/api/v1/tenant")).status_code == 401
    denied = await client.patch(
        "/api/v1/tenant", json={"name": "X"}, headers=tenants.a.as_(Role.FLEET_MANAGER)
    )
    assert denied.status_code == 403
    invalid = await client.patch(
        "/api/v1/tenant", json={"branding": {"primary_color": "red"}}, headers=tenants.a.owner
    )
    assert invalid.status_code == 422
    unknown_field = await client.patch(
        "/api/v1/tenant", json={"max_vehicles": 10**6}, headers=tenants.a.owner
    )
    assert unknown_field.status_code == 422  # limits are the platform's, not the tenant's
