from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.models import DeviceIdentity
from tests.conftest import Tenants

URL = "/api/v1/devices"
IMEI = "352099001761481"


async def create_device(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    fields.setdefault("protocol", "teltonika")
    response = await client.post(URL, json=fields, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def create_vehicle(client: httpx.AsyncClient, headers: dict[str, str], plate: str) -> str:
    response = await client.post("/api/v1/vehicles", json={"plate": plate}, headers=headers)
    assert response.status_code == 201, response.text
    vehicle_id: str = response.json()["id"]
    return vehicle_id


async def identities(session: AsyncSession, tenant_id: uuid.UUID) -> list[tuple[str, uuid.UUID]]:
    """The tenant's rows in the platform-wide hardware id table, as RLS lets the tenant see."""
    await set_tenant(session, TenantId(tenant_id))
    rows = await session.execute(
        select(DeviceIdentity.unique_id, DeviceIdentity.device_id).order_by(
            DeviceIdentity.unique_id
        )
    )
    return [(unique_id, device_id) for unique_id, device_id in rows]


async def test_create_get_list_update_delete(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    vehicle_id = await create_vehicle(client, headers, "DEV-1")
    device = await create_device(
        client,
        headers,
        unique_id=" 35 2099 0017 6148 1 ",
        protocol="gt06",
        name="Van tracker",
        phone="+44 7700 900123",
        vehicle_id=vehicle_id,
    )
    assert device["unique_id"] == IMEI
    assert device["protocol"] == "gt06"
    assert device["vehicle_id"] == vehicle_id
    assert device["version"] == 1
    assert await identities(db_session, tenants.a.id) == [(IMEI, uuid.UUID(device["id"]))]

    got = await client.get(f"{URL}/{device['id']}", headers=tenants.a.as_(Role.VIEWER))
    assert got.status_code == 200
    assert got.json() == device
    listed = await client.get(URL, headers=headers)
    assert [d["id"] for d in listed.json()["items"]] == [device["id"]]

    updated = await client.patch(
        f"{URL}/{device['id']}",
        json={"version": 1, "unique_id": "AB-12_c", "vehicle_id": None},
        headers=headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["unique_id"] == "AB-12_c"
    assert updated.json()["vehicle_id"] is None
    assert updated.json()["version"] == 2
    assert await identities(db_session, tenants.a.id) == [("AB-12_c", uuid.UUID(device["id"]))]

    assert (await client.delete(f"{URL}/{device['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"{URL}/{device['id']}", headers=headers)).status_code == 404
    assert await identities(db_session, tenants.a.id) == []

    events = await client.get(
        "/api/v1/events",
        params={"entity_type": "device", "entity_id": device["id"]},
        headers=headers,
    )
    items = events.json()["items"]
    assert [e["type"] for e in items] == ["device_deleted", "device_updated", "device_created"]
    assert items[1]["changes"] == {
        "unique_id": {"before": IMEI, "after": "AB-12_c"},
        "vehicle_id": {"before": vehicle_id, "after": None},
    }


async def test_anonymous_is_refused(client: httpx.AsyncClient, tenants: Tenants) -> None:
    device = await create_device(client, tenants.a.owner, unique_id=IMEI)
    assert (await client.get(URL)).status_code == 401
    assert (await client.post(URL, json={"unique_id": "1", "protocol": "h02"})).status_code == 401
    assert (await client.get(f"{URL}/{device['id']}")).status_code == 401
    assert (await client.patch(f"{URL}/{device['id']}", json={"name": "Y"})).status_code == 401
    assert (await client.delete(f"{URL}/{device['id']}")).status_code == 401


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DISPATCHER, Role.MECHANIC])
async def test_roles_without_devices_write_cannot_change(
    client: httpx.AsyncClient, tenants: Tenants, role: Role
) -> None:
    device = await create_device(client, tenants.a.owner, unique_id=IMEI)
    headers = tenants.a.as_(role)
    assert (await client.get(f"{URL}/{device['id']}", headers=headers)).status_code == 200
    created = await client.post(URL, json={"unique_id": "1", "protocol": "h02"}, headers=headers)
    assert created.status_code == 403
    assert created.json()["error"]["code"] == "permission_denied"
    patched = await client.patch(f"{URL}/{device['id']}", json={"name": "Y"}, headers=headers)
    assert patched.status_code == 403
    assert (await client.delete(f"{URL}/{device['id']}", headers=headers)).status_code == 403


async def test_driver_role_cannot_read_devices(client: httpx.AsyncClient, tenants: Tenants) -> None:
    assert (await client.get(URL, headers=tenants.a.as_(Role.DRIVER))).status_code == 403


async def test_other_tenant_sees_nothing(client: httpx.AsyncClient, tenants: Tenants) -> None:
    device = await create_device(client, tenants.a.owner, unique_id=IMEI)
    other = tenants.b.owner
    assert (await client.get(f"{URL}/{device['id']}", headers=other)).status_code == 404
    patched = await client.patch(f"{URL}/{device['id']}", json={"name": "Mine"}, headers=other)
    assert patched.status_code == 404
    assert (await client.delete(f"{URL}/{device['id']}", headers=other)).status_code == 404
    assert (await client.get(URL, headers=other)).json()["items"] == []
    assert (await client.get(f"{URL}/{device['id']}", headers=tenants.a.owner)).json() == device


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"unique_id": IMEI},
        {"protocol": "teltonika"},
        {"unique_id": "", "protocol": "teltonika"},
        {"unique_id": "   ", "protocol": "teltonika"},
        {"unique_id": "x" * 65, "protocol": "teltonika"},
        {"unique_id": "imei:123", "protocol": "teltonika"},
        {"unique_id": "12345é", "protocol": "teltonika"},
        {"unique_id": 352099001761481, "protocol": "teltonika"},
        {"unique_id": IMEI, "protocol": "nmea"},
        {"unique_id": IMEI, "protocol": "teltonika", "phone": "phone"},
        {"unique_id": IMEI, "protocol": "teltonika", "vehicle_id": "nope"},
        {"unique_id": IMEI, "protocol": "teltonika", "tenant_id": str(uuid.uuid4())},
    ],
)
async def test_invalid_create_is_422(
    client: httpx.AsyncClient, tenants: Tenants, payload: dict[str, Any]
) -> None:
    response = await client.post(URL, json=payload, headers=tenants.a.owner)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize(
    "payload", [{"unique_id": None}, {"protocol": None}, {"unique_id": "a b/c"}, {"id": "x"}]
)
async def test_invalid_update_is_422(
    client: httpx.AsyncClient, tenants: Tenants, payload: dict[str, Any]
) -> None:
    device = await create_device(client, tenants.a.owner, unique_id=IMEI)
    response = await client.patch(f"{URL}/{device['id']}", json=payload, headers=tenants.a.owner)
    assert response.status_code == 422


async def test_unique_id_is_unique_across_the_platform(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    mine = await create_device(client, tenants.a.owner, unique_id=IMEI)

    expected = {
        "code": "device_already_registered",
        "message": "A device with this unique_id is already registered.",
        "details": {"field": "unique_id"},
    }
    for headers in (tenants.b.owner, tenants.a.owner):
        taken = await client.post(
            URL, json={"unique_id": f" {IMEI}", "protocol": "gt06"}, headers=headers
        )
        assert taken.status_code == 409
        assert taken.json() == {"error": expected}
    # The refusal to tenant b names nothing of tenant a.
    leaked = (
        await client.post(
            URL, json={"unique_id": IMEI, "protocol": "gt06"}, headers=tenants.b.owner
        )
    ).text
    assert str(tenants.a.id) not in leaked
    assert tenants.a.slug not in leaked
    assert mine["id"] not in leaked

    theirs = await create_device(client, tenants.b.owner, unique_id="B-1")
    renamed = await client.patch(
        f"{URL}/{theirs['id']}", json={"unique_id": IMEI}, headers=tenants.b.owner
    )
    assert renamed.status_code == 409
    assert renamed.json() == {"error": expected}
    assert (await client.get(f"{URL}/{theirs['id']}", headers=tenants.b.owner)).json() == theirs

    # Nothing of the refused attempts is left behind in tenant b.
    listed = await client.get(URL, headers=tenants.b.owner)
    assert [d["unique_id"] for d in listed.json()["items"]] == ["B-1"]


async def test_deleting_or_renaming_a_device_frees_its_unique_id(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    first = await create_device(client, tenants.a.owner, unique_id=IMEI)
    renamed = await client.patch(
        f"{URL}/{first['id']}", json={"unique_id": "NEW-1"}, headers=tenants.a.owner
    )
    assert renamed.status_code == 200
    moved = await create_device(client, tenants.b.owner, unique_id=IMEI)
    taken = await client.post(
        URL, json={"unique_id": "NEW-1", "protocol": "h02"}, headers=tenants.b.owner
    )
    assert taken.status_code == 409

    assert (await client.delete(f"{URL}/{moved['id']}", headers=tenants.b.owner)).status_code == 204
    again = await create_device(client, tenants.a.owner, unique_id=IMEI, protocol="osmand")
    assert again["protocol"] == "osmand"


async def test_unchanged_unique_id_is_no_conflict(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    device = await create_device(client, tenants.a.owner, unique_id=IMEI)
    same = await client.patch(
        f"{URL}/{device['id']}",
        json={"unique_id": IMEI, "name": "Tracker"},
        headers=tenants.a.owner,
    )
    assert same.status_code == 200, same.text
    assert same.json()["name"] == "Tracker"


async def test_vehicle_must_belong_to_the_tenant(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    foreign = await create_vehicle(client, tenants.b.owner, "B-1")
    device = await create_device(client, tenants.a.owner, unique_id=IMEI)
    for vehicle_id in (foreign, str(uuid.uuid4())):
        created = await client.post(
            URL,
            json={"unique_id": "X1", "protocol": "h02", "vehicle_id": vehicle_id},
            headers=tenants.a.owner,
        )
        assert created.status_code == 422
        assert created.json()["error"]["details"] == {"field": "vehicle_id"}
        patched = await client.patch(
            f"{URL}/{device['id']}", json={"vehicle_id": vehicle_id}, headers=tenants.a.owner
        )
        assert patched.status_code == 422
        assert patched.json()["error"]["details"] == {"field": "vehicle_id"}


async def test_filters(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    vehicle_id = await create_vehicle(client, headers, "F-1")
    await create_device(client, headers, unique_id="100", protocol="gt06", vehicle_id=vehicle_id)
    await create_device(client, headers, unique_id="200", protocol="gt06", name="Spare_unit")
    await create_device(client, headers, unique_id="300", protocol="osmand", phone="+1 555 0100")

    async def unique_ids(**params: Any) -> list[str]:
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [d["unique_id"] for d in response.json()["items"]]

    assert await unique_ids(protocol="gt06") == ["100", "200"]
    assert await unique_ids(vehicle_id=vehicle_id) == ["100"]
    assert await unique_ids(q="00") == ["100", "200", "300"]
    assert await unique_ids(q="spare") == ["200"]
    assert await unique_ids(q="555") == ["300"]
    assert await unique_ids(q="e_u") == ["200"]
    assert await unique_ids(q="_") == ["200"]
    assert await unique_ids(q="%") == []
    assert (await client.get(URL, params={"protocol": "x"}, headers=headers)).status_code == 422
    assert (await client.get(URL, params={"sort": "phone"}, headers=headers)).status_code == 422


@pytest.mark.parametrize("sort", ["unique_id", "-unique_id", "name", "-created_at", "id"])
async def test_cursor_pagination(client: httpx.AsyncClient, tenants: Tenants, sort: str) -> None:
    headers = tenants.a.owner
    names = {"D4": "delta", "A1": None, "C3": "charlie", "E5": "alpha", "B2": None}
    created = [
        await create_device(client, headers, unique_id=uid, name=name)
        for uid, name in names.items()
    ]
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"sort": sort, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        seen.extend(d["unique_id"] for d in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    field, descending = sort.lstrip("-"), sort.startswith("-")
    present = [d for d in created if d[field] is not None]
    missing = [d for d in created if d[field] is None]  # NULLs last, ties by id
    expected = sorted(present, key=lambda d: (d[field], d["id"]), reverse=descending)
    expected += sorted(missing, key=lambda d: d["id"], reverse=descending)
    assert seen == [d["unique_id"] for d in expected]


async def test_version_conflicts(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    device = await create_device(client, headers, unique_id=IMEI)
    url = f"{URL}/{device['id']}"
    ok = await client.patch(url, json={"name": "T1"}, headers={**headers, "If-Match": "1"})
    assert ok.status_code == 200
    stale = await client.patch(
        url, json={"unique_id": "OTHER"}, headers={**headers, "If-Match": "1"}
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    stale_delete = await client.delete(url, headers={**headers, "If-Match": "1"})
    assert stale_delete.status_code == 409
    # The refused rename left the identity alone: OTHER is still free.
    await create_device(client, tenants.b.owner, unique_id="OTHER")
