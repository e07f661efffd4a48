"""Unknown devices: recorded by the gateway's directory, listed for device admins, claimed into
the caller's tenant through the device service (identity, event log)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from fleetyard.auth.roles import Role
from fleetyard.db import with_user
from fleetyard.telematics.ingest.directory import DeviceDirectory
from tests.conftest import Tenants
from tests.devices.test_router import create_vehicle

URL = "/api/v1/devices/unknown"


@pytest.fixture
async def directory(database_url: str) -> AsyncIterator[DeviceDirectory]:
    pool = await asyncpg.create_pool(
        with_user(database_url, "fleetyard_app"), min_size=1, max_size=2
    )
    yield DeviceDirectory(pool)
    await pool.close()


def new_id(prefix: str = "UNK") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def seen_days_ago(directory: DeviceDirectory, unique_id: str, days: int) -> None:
    async with directory.pool.acquire() as conn:
        await conn.execute(
            "update unknown_devices set last_seen_at = now() - make_interval(days => $2)"
            " where unique_id = $1",
            unique_id,
            days,
        )


async def test_recent_unknown_devices_newest_first(
    client: httpx.AsyncClient, tenants: Tenants, directory: DeviceDirectory
) -> None:
    prefix = f"L{uuid.uuid4().hex[:6]}"
    first, second, stale = new_id(prefix), new_id(prefix), new_id(prefix)
    await directory.record_unknown(first, "teltonika", "203.0.113.5:40000")
    await directory.record_unknown(first, "teltonika", "203.0.113.5:40001")
    await directory.record_unknown(stale, "h02", None)
    await seen_days_ago(directory, stale, 10)
    await directory.record_unknown(second, "gt06", "203.0.113.6:40000")

    response = await client.get(URL, params={"q": prefix}, headers=tenants.a.as_(Role.ADMIN))
    assert response.status_code == 200, response.text
    items = response.json()
    assert [i["unique_id"] for i in items] == [second, first]
    assert items[1]["protocol"] == "teltonika"
    assert items[1]["attempts"] == 2
    assert set(items[1]) == {"unique_id", "protocol", "first_seen_at", "last_seen_at", "attempts"}

    month = await client.get(URL, params={"q": prefix, "days": 30}, headers=tenants.b.owner)
    assert [i["unique_id"] for i in month.json()] == [second, first, stale]
    one = await client.get(URL, params={"q": prefix, "limit": 1}, headers=tenants.b.owner)
    assert [i["unique_id"] for i in one.json()] == [second]


async def test_claim_registers_the_device_in_the_callers_tenant(
    client: httpx.AsyncClient, tenants: Tenants, directory: DeviceDirectory
) -> None:
    unique_id = new_id()
    await directory.record_unknown(unique_id, "gt06", "203.0.113.7:1000")
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    vehicle_id = await create_vehicle(client, headers, "CLM-1")

    body = {"name": "Found it", "vehicle_id": vehicle_id}
    claimed = await client.post(f"{URL}/{unique_id}/claim", json=body, headers=headers)
    assert claimed.status_code == 201, claimed.text
    device = claimed.json()
    assert device["unique_id"] == unique_id
    assert device["protocol"] == "gt06"  # as the device spoke it
    assert (device["name"], device["vehicle_id"]) == ("Found it", vehicle_id)

    assert (await client.get(f"/api/v1/devices/{device['id']}", headers=headers)).json() == device
    listed = await client.get(URL, params={"q": unique_id}, headers=headers)
    assert listed.json() == []
    events = await client.get(
        "/api/v1/events",
        params={"entity_type": "device", "entity_id": device["id"]},
        headers=headers,
    )
    assert [e["type"] for e in events.json()["items"]] == ["device_created"]
    # the other tenant can't see it, and can't claim it any more
    assert (
        await client.get(f"/api/v1/devices/{device['id']}", headers=tenants.b.owner)
    ).status_code == 404
    again = await client.post(f"{URL}/{unique_id}/claim", json={}, headers=tenants.b.owner)
    assert again.status_code == 404


async def test_claim_with_protocol_and_unknown_protocol(
    client: httpx.AsyncClient, tenants: Tenants, directory: DeviceDirectory
) -> None:
    given, odd = new_id(), new_id()
    await directory.record_unknown(given, "gt06", None)
    await directory.record_unknown(odd, "meitrack", None)
    chosen = await client.post(
        f"{URL}/{given}/claim", json={"protocol": "teltonika"}, headers=tenants.a.owner
    )
    assert chosen.json()["protocol"] == "teltonika"
    fallback = await client.post(f"{URL}/{odd}/claim", json={}, headers=tenants.a.owner)
    assert fallback.status_code == 201
    assert fallback.json()["protocol"] == "other"


async def test_claiming_a_registered_id_is_409(
    client: httpx.AsyncClient, tenants: Tenants, directory: DeviceDirectory
) -> None:
    unique_id = new_id()
    await directory.record_unknown(unique_id, "teltonika", None)
    registered = await client.post(
        "/api/v1/devices",
        json={"unique_id": unique_id, "protocol": "teltonika"},
        headers=tenants.b.owner,
    )
    assert registered.status_code == 201
    for headers in (tenants.a.owner, tenants.b.owner):
        refused = await client.post(f"{URL}/{unique_id}/claim", json={}, headers=headers)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "device_already_registered"


async def test_claiming_an_id_never_seen_is_404(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    response = await client.post(f"{URL}/{new_id()}/claim", json={}, headers=tenants.a.owner)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_claim_with_another_tenants_vehicle_is_refused(
    client: httpx.AsyncClient, tenants: Tenants, directory: DeviceDirectory
) -> None:
    unique_id = new_id()
    await directory.record_unknown(unique_id, "teltonika", None)
    theirs = await create_vehicle(client, tenants.b.owner, "THEIRS-1")
    response = await client.post(
        f"{URL}/{unique_id}/claim", json={"vehicle_id": theirs}, headers=tenants.a.owner
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "vehicle_id"}


async def test_anonymous_is_refused(client: httpx.AsyncClient) -> None:
    assert (await client.get(URL)).status_code == 401
    assert (await client.post(f"{URL}/{new_id()}/claim", json={})).status_code == 401


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DISPATCHER, Role.MECHANIC, Role.DRIVER])
async def test_roles_without_devices_write_are_refused(
    client: httpx.AsyncClient, tenants: Tenants, directory: DeviceDirectory, role: Role
) -> None:
    unique_id = new_id()
    await directory.record_unknown(unique_id, "teltonika", None)
    headers = tenants.a.as_(role)
    listed = await client.get(URL, headers=headers)
    assert listed.status_code == 403
    assert listed.json()["error"]["code"] == "permission_denied"
    claimed = await client.post(f"{URL}/{unique_id}/claim", json={}, headers=headers)
    assert claimed.status_code == 403


@pytest.mark.parametrize(
    ("path", "params", "body"),
    [
        ("", {"days": "0"}, None),
        ("", {"days": "31"}, None),
        ("", {"limit": "0"}, None),
        ("/ID/claim", {}, {"protocol": "nokia"}),
        ("/ID/claim", {}, {"colour": "red"}),
        ("/ID/claim", {}, {"vehicle_id": "van-1"}),
        ("/ID/claim", {}, {"name": ""}),
        ("/bad!id/claim", {}, {}),
    ],
)
async def test_bad_input_is_422(
    client: httpx.AsyncClient,
    tenants: Tenants,
    directory: DeviceDirectory,
    path: str,
    params: dict[str, str],
    body: dict[str, str] | None,
) -> None:
    unique_id = new_id()
    await directory.record_unknown(unique_id, "teltonika", None)
    url = URL + path.replace("ID", unique_id)
    if body is None:
        response = await client.get(url, params=params, headers=tenants.a.owner)
    else:
        response = await client.post(url, json=body, headers=tenants.a.owner)
    assert response.status_code == 422, response.text
