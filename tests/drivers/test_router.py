from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from fleetyard.auth.roles import Role
from tests.conftest import Tenants

URL = "/api/v1/drivers"


async def create_driver(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    response = await client.post(URL, json=fields, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def create_vehicle(client: httpx.AsyncClient, headers: dict[str, str], plate: str) -> str:
    response = await client.post("/api/v1/vehicles", json={"plate": plate}, headers=headers)
    assert response.status_code == 201, response.text
    vehicle_id: str = response.json()["id"]
    return vehicle_id


async def owner_user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    members = (await client.get("/api/v1/members", headers=headers)).json()
    user_id: str = next(m["user_id"] for m in members if m["role"] == "owner")
    return user_id


async def test_create_get_list_update_delete(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.as_(Role.DISPATCHER)
    vehicle_id = await create_vehicle(client, tenants.a.owner, "DRV-1")
    group = await client.post("/api/v1/groups", json={"name": "Depot"}, headers=tenants.a.owner)
    user_id = await owner_user_id(client, tenants.a.owner)
    driver = await create_driver(
        client,
        headers,
        name=" Ada Lovelace ",
        email="ada@Example.COM",
        phone="+44 20-7946 0018",
        licence_number="LOVEL512345AB9CD",
        licence_class="C1",
        licence_expiry="2030-05-01",
        assigned_vehicle_id=vehicle_id,
        group_id=group.json()["id"],
        user_id=user_id,
    )
    assert driver["name"] == "Ada Lovelace"
    assert driver["email"] == "ada@example.com"
    assert driver["phone"] == "+44 20-7946 0018"
    assert driver["status"] == "active"
    assert driver["licence_expiry"] == "2030-05-01"
    assert driver["assigned_vehicle_id"] == vehicle_id
    assert driver["user_id"] == user_id
    assert driver["version"] == 1

    got = await client.get(f"{URL}/{driver['id']}", headers=tenants.a.as_(Role.VIEWER))
    assert got.status_code == 200
    assert got.json() == driver

    listed = await client.get(URL, headers=headers)
    assert [d["id"] for d in listed.json()["items"]] == [driver["id"]]

    updated = await client.patch(
        f"{URL}/{driver['id']}",
        json={"version": 1, "status": "suspended", "phone": None},
        headers=headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["status"] == "suspended"
    assert updated.json()["phone"] is None
    assert updated.json()["version"] == 2

    assert (await client.delete(f"{URL}/{driver['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"{URL}/{driver['id']}", headers=headers)).status_code == 404

    events = await client.get(
        "/api/v1/events",
        params={"entity_type": "driver", "entity_id": driver["id"]},
        headers=headers,
    )
    items = events.json()["items"]
    assert [e["type"] for e in items] == ["driver_deleted", "driver_updated", "driver_created"]
    assert items[1]["changes"] == {
        "phone": {"before": "+44 20-7946 0018", "after": None},
        "status": {"before": "active", "after": "suspended"},
    }
    assert items[2]["changes"]["licence_number"] == {"before": None, "after": "LOVEL512345AB9CD"}


async def test_anonymous_is_refused(client: httpx.AsyncClient, tenants: Tenants) -> None:
    driver = await create_driver(client, tenants.a.owner, name="Ada")
    assert (await client.get(URL)).status_code == 401
    assert (await client.post(URL, json={"name": "X"})).status_code == 401
    assert (await client.get(f"{URL}/{driver['id']}")).status_code == 401
    assert (await client.patch(f"{URL}/{driver['id']}", json={"name": "Y"})).status_code == 401
    assert (await client.delete(f"{URL}/{driver['id']}")).status_code == 401


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MECHANIC])
async def test_readers_cannot_change_drivers(
    client: httpx.AsyncClient, tenants: Tenants, role: Role
) -> None:
    driver = await create_driver(client, tenants.a.owner, name="Ada")
    headers = tenants.a.as_(role)
    assert (await client.get(f"{URL}/{driver['id']}", headers=headers)).status_code == 200
    created = await client.post(URL, json={"name": "X"}, headers=headers)
    assert created.status_code == 403
    assert created.json()["error"]["details"] == {"required": "drivers:write"}
    patched = await client.patch(f"{URL}/{driver['id']}", json={"name": "Y"}, headers=headers)
    assert patched.status_code == 403
    assert (await client.delete(f"{URL}/{driver['id']}", headers=headers)).status_code == 403


async def test_driver_role_cannot_read_drivers(client: httpx.AsyncClient, tenants: Tenants) -> None:
    driver = await create_driver(client, tenants.a.owner, name="Ada")
    headers = tenants.a.as_(Role.DRIVER)
    assert (await client.get(URL, headers=headers)).status_code == 403
    assert (await client.get(f"{URL}/{driver['id']}", headers=headers)).status_code == 403


async def test_other_tenant_sees_nothing(client: httpx.AsyncClient, tenants: Tenants) -> None:
    driver = await create_driver(client, tenants.a.owner, name="Ada")
    other = tenants.b.owner
    assert (await client.get(f"{URL}/{driver['id']}", headers=other)).status_code == 404
    patched = await client.patch(f"{URL}/{driver['id']}", json={"name": "Bob"}, headers=other)
    assert patched.status_code == 404
    assert (await client.delete(f"{URL}/{driver['id']}", headers=other)).status_code == 404
    assert (await client.get(URL, headers=other)).json()["items"] == []
    assert (await client.get(f"{URL}/{driver['id']}", headers=tenants.a.owner)).json() == driver


async def test_list_by_ids(client: httpx.AsyncClient, tenants: Tenants) -> None:
    """The web's list asks for a page of search hits by id."""
    ada, bob, _ = [
        await create_driver(client, tenants.a.owner, name=n) for n in ("Ada", "Bob", "Cy")
    ]
    params = {"id": [ada["id"], bob["id"]], "sort": "-name"}
    listed = await client.get(URL, headers=tenants.a.owner, params=params)
    assert [d["name"] for d in listed.json()["items"]] == ["Bob", "Ada"]
    other = await client.get(URL, headers=tenants.b.owner, params=params)
    assert other.json()["items"] == []
    too_many = {"id": [str(uuid.uuid4()) for _ in range(101)]}
    assert (await client.get(URL, headers=tenants.a.owner, params=too_many)).status_code == 422


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": ""},
        {"name": "Ada", "email": "not-an-email"},
        {"name": "Ada", "phone": "1234"},
        {"name": "Ada", "phone": "+1 (555) 123456"},
        {"name": "Ada", "phone": "call me"},
        {"name": "Ada", "phone": "+123456789012345678901"},
        {"name": "Ada", "phone": "++12345"},
        {"name": "Ada", "phone": "-12345"},
        {"name": "Ada", "status": "retired"},
        {"name": "Ada", "licence_expiry": "next year"},
        {"name": "Ada", "licence_number": ""},
        {"name": "Ada", "licence_number": "x" * 65},
        {"name": "Ada", "assigned_vehicle_id": "42"},
        {"name": "Ada", "nickname": "A"},
    ],
)
async def test_invalid_create_is_422(
    client: httpx.AsyncClient, tenants: Tenants, payload: dict[str, Any]
) -> None:
    response = await client.post(URL, json=payload, headers=tenants.a.owner)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize(
    "payload", [{"name": None}, {"status": None}, {"phone": "12"}, {"version": "one"}]
)
async def test_invalid_update_is_422(
    client: httpx.AsyncClient, tenants: Tenants, payload: dict[str, Any]
) -> None:
    driver = await create_driver(client, tenants.a.owner, name="Ada")
    response = await client.patch(f"{URL}/{driver['id']}", json=payload, headers=tenants.a.owner)
    assert response.status_code == 422


@pytest.mark.parametrize("phone", ["+44 20 7946 0018", "020-7946-0018", "12345", "+1 555 0100"])
async def test_phone_numbers_people_type(
    client: httpx.AsyncClient, tenants: Tenants, phone: str
) -> None:
    driver = await create_driver(client, tenants.a.owner, name="Ada", phone=f"  {phone} ")
    assert driver["phone"] == phone


async def test_references_must_belong_to_the_tenant(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    foreign_vehicle = await create_vehicle(client, tenants.b.owner, "B-1")
    foreign_group = await client.post("/api/v1/groups", json={"name": "B"}, headers=tenants.b.owner)
    foreign_user = await owner_user_id(client, tenants.b.owner)
    cases = {
        "assigned_vehicle_id": [foreign_vehicle, str(uuid.uuid4())],
        "group_id": [foreign_group.json()["id"], str(uuid.uuid4())],
        "user_id": [foreign_user, str(uuid.uuid4())],
    }
    driver = await create_driver(client, tenants.a.owner, name="Ada")
    for field, values in cases.items():
        for value in values:
            created = await client.post(
                URL, json={"name": "X", field: value}, headers=tenants.a.owner
            )
            assert created.status_code == 422, (field, created.text)
            assert created.json()["error"]["details"] == {"field": field}
            patched = await client.patch(
                f"{URL}/{driver['id']}", json={field: value}, headers=tenants.a.owner
            )
            assert patched.status_code == 422
            assert patched.json()["error"]["details"] == {"field": field}


async def test_a_vehicle_has_at_most_one_active_driver(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    vehicle_id = await create_vehicle(client, headers, "ONE-1")
    first = await create_driver(client, headers, name="First", assigned_vehicle_id=vehicle_id)

    second = await client.post(
        URL, json={"name": "Second", "assigned_vehicle_id": vehicle_id}, headers=headers
    )
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "vehicle_already_assigned"
    assert error["details"] == {
        "field": "assigned_vehicle_id",
        "vehicle_id": vehicle_id,
        "driver_id": first["id"],
    }

    # Inactive and suspended drivers may keep the vehicle on record.
    spare = await create_driver(
        client, headers, name="Spare", status="inactive", assigned_vehicle_id=vehicle_id
    )
    reactivated = await client.patch(
        f"{URL}/{spare['id']}", json={"status": "active"}, headers=headers
    )
    assert reactivated.status_code == 409
    assert reactivated.json()["error"]["code"] == "vehicle_already_assigned"

    other = await create_driver(client, headers, name="Other")
    moved = await client.patch(
        f"{URL}/{other['id']}", json={"assigned_vehicle_id": vehicle_id}, headers=headers
    )
    assert moved.status_code == 409

    # The holder may change anything, including re-sending its own vehicle.
    renamed = await client.patch(
        f"{URL}/{first['id']}",
        json={"name": "First Driver", "assigned_vehicle_id": vehicle_id},
        headers=headers,
    )
    assert renamed.status_code == 200, renamed.text

    released = await client.patch(
        f"{URL}/{first['id']}", json={"status": "inactive"}, headers=headers
    )
    assert released.status_code == 200
    taken = await client.patch(f"{URL}/{spare['id']}", json={"status": "active"}, headers=headers)
    assert taken.status_code == 200, taken.text


async def test_deleting_the_vehicle_unassigns_the_driver(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    vehicle_id = await create_vehicle(client, headers, "GONE-1")
    driver = await create_driver(client, headers, name="Ada", assigned_vehicle_id=vehicle_id)
    assert (
        await client.delete(f"/api/v1/vehicles/{vehicle_id}", headers=headers)
    ).status_code == 204
    got = await client.get(f"{URL}/{driver['id']}", headers=headers)
    assert got.json()["assigned_vehicle_id"] is None


async def test_licence_numbers_are_unique_per_tenant(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    await create_driver(client, tenants.a.owner, name="Ada", licence_number="L-1")
    duplicate = await client.post(
        URL, json={"name": "Bob", "licence_number": "L-1"}, headers=tenants.a.owner
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "already_exists"
    assert duplicate.json()["error"]["details"] == {"field": "licence_number"}
    await create_driver(client, tenants.b.owner, name="Ada", licence_number="L-1")
    # Drivers without a licence number don't collide.
    await create_driver(client, tenants.a.owner, name="Cy")
    await create_driver(client, tenants.a.owner, name="Di")


async def test_filters(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    vehicle_id = await create_vehicle(client, headers, "F-1")
    group = (await client.post("/api/v1/groups", json={"name": "G"}, headers=headers)).json()
    await create_driver(
        client,
        headers,
        name="Ada",
        email="ada@example.com",
        licence_expiry="2026-01-31",
        group_id=group["id"],
    )
    await create_driver(
        client,
        headers,
        name="Bob 100%",
        licence_number="AB_12",
        licence_expiry="2027-06-30",
        assigned_vehicle_id=vehicle_id,
    )
    await create_driver(client, headers, name="Cy", status="suspended", licence_number="ABX12")

    async def names(**params: Any) -> list[str]:
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [d["name"] for d in response.json()["items"]]

    assert await names(status="suspended") == ["Cy"]
    assert await names(status="active") == ["Ada", "Bob 100%"]
    assert await names(group_id=group["id"]) == ["Ada"]
    assert await names(assigned_vehicle_id=vehicle_id) == ["Bob 100%"]
    assert await names(licence_expiring_before="2027-01-01") == ["Ada"]
    assert await names(licence_expiring_before="2030-01-01") == ["Ada", "Bob 100%"]
    assert await names(q="EXAMPLE") == ["Ada"]
    assert await names(q="ab") == ["Bob 100%", "Cy"]
    # LIKE wildcards in q are literal characters.
    assert await names(q="%") == ["Bob 100%"]
    assert await names(q="AB_") == ["Bob 100%"]
    assert await names(q="ab_12") == ["Bob 100%"]
    assert (await client.get(URL, params={"status": "gone"}, headers=headers)).status_code == 422
    assert (await client.get(URL, params={"sort": "email"}, headers=headers)).status_code == 422


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Ann", "Ben", "Cat", "Dan", "Eve"]),
        ("-name", ["Eve", "Dan", "Cat", "Ben", "Ann"]),
        # NULLs sort last either way.
        ("licence_expiry", ["Cat", "Ann", "Eve", "Ben", "Dan"]),
        ("-licence_expiry", ["Eve", "Ann", "Cat", "Dan", "Ben"]),
    ],
)
async def test_cursor_pagination(
    client: httpx.AsyncClient, tenants: Tenants, sort: str, expected: list[str]
) -> None:
    headers = tenants.a.owner
    expiries = {
        "Ben": None,
        "Eve": "2029-12-31",
        "Ann": "2028-01-01",
        "Dan": None,
        "Cat": "2027-02-02",
    }
    created = [
        await create_driver(client, headers, name=name, licence_expiry=expiry)
        for name, expiry in expiries.items()
    ]
    ids = {d["name"]: d["id"] for d in created}
    # Equal sort values (the two NULLs) are ordered by id in the sort's direction.
    if sort.endswith("licence_expiry"):
        ties = sorted(["Ben", "Dan"], key=ids.__getitem__, reverse=sort.startswith("-"))
        expected = [n for n in expected if n not in ties] + ties
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"sort": sort, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        seen.extend(d["name"] for d in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected

    malformed = await client.get(URL, params={"cursor": "not a cursor"}, headers=headers)
    assert malformed.status_code == 422


async def test_version_conflicts(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    driver = await create_driver(client, headers, name="Ada")
    url = f"{URL}/{driver['id']}"
    assert (await client.patch(url, json={"version": 1, "name": "Ada L"}, headers=headers)).json()[
        "version"
    ] == 2
    stale = await client.patch(url, json={"version": 1, "name": "Ada X"}, headers=headers)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert stale.json()["error"]["details"] == {"expected": 1, "current": 2}
    # If-Match wins over the body's version.
    by_header = await client.patch(
        url, json={"version": 1, "name": "Ada Y"}, headers={**headers, "If-Match": 'W/"2"'}
    )
    assert by_header.status_code == 200, by_header.text
    stale_delete = await client.delete(url, headers={**headers, "If-Match": "2"})
    assert stale_delete.status_code == 409
    assert (await client.get(url, headers=headers)).json()["name"] == "Ada Y"
