from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from fleetyard.auth.roles import Role
from tests.conftest import Tenants

URL = "/api/v1/groups"


async def create_group(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    response = await client.post(URL, json=fields, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_create_get_list_update_delete(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    region = await create_group(client, headers, name="North", kind="region")
    assert region["kind"] == "region"
    assert region["parent_id"] is None
    assert region["version"] == 1
    depot = await create_group(client, headers, name="  Leeds depot ", parent_id=region["id"])
    assert depot["name"] == "Leeds depot"
    assert depot["kind"] == "depot"
    assert depot["parent_id"] == region["id"]

    got = await client.get(f"{URL}/{depot['id']}", headers=headers)
    assert got.status_code == 200
    assert got.json() == depot

    listed = await client.get(URL, headers=headers)
    assert [g["name"] for g in listed.json()["items"]] == ["Leeds depot", "North"]

    updated = await client.patch(
        f"{URL}/{depot['id']}", json={"version": 1, "kind": "team"}, headers=headers
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["kind"] == "team"
    assert updated.json()["version"] == 2

    deleted = await client.delete(f"{URL}/{depot['id']}", headers=headers)
    assert deleted.status_code == 204
    assert (await client.get(f"{URL}/{depot['id']}", headers=headers)).status_code == 404

    events = await client.get(
        "/api/v1/events", params={"entity_type": "group", "entity_id": depot["id"]}, headers=headers
    )
    items = events.json()["items"]
    assert [e["type"] for e in items] == ["group_deleted", "group_updated", "group_created"]
    assert items[1]["changes"] == {"kind": {"before": "depot", "after": "team"}}


async def test_anonymous_is_refused(client: httpx.AsyncClient, tenants: Tenants) -> None:
    group = await create_group(client, tenants.a.owner, name="HQ")
    assert (await client.get(URL)).status_code == 401
    assert (await client.post(URL, json={"name": "X"})).status_code == 401
    assert (await client.get(f"{URL}/{group['id']}")).status_code == 401
    assert (await client.patch(f"{URL}/{group['id']}", json={"name": "Y"})).status_code == 401
    assert (await client.delete(f"{URL}/{group['id']}")).status_code == 401


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DISPATCHER, Role.MECHANIC, Role.DRIVER])
async def test_roles_without_groups_write_cannot_change(
    client: httpx.AsyncClient, tenants: Tenants, role: Role
) -> None:
    group = await create_group(client, tenants.a.owner, name="HQ")
    headers = tenants.a.as_(role)
    assert (await client.get(f"{URL}/{group['id']}", headers=headers)).status_code == 200
    created = await client.post(URL, json={"name": "X"}, headers=headers)
    assert created.status_code == 403
    assert created.json()["error"]["code"] == "permission_denied"
    patched = await client.patch(f"{URL}/{group['id']}", json={"name": "Y"}, headers=headers)
    assert patched.status_code == 403
    assert (await client.delete(f"{URL}/{group['id']}", headers=headers)).status_code == 403


async def test_other_tenant_sees_nothing(client: httpx.AsyncClient, tenants: Tenants) -> None:
    group = await create_group(client, tenants.a.owner, name="HQ")
    other = tenants.b.owner
    got = await client.get(f"{URL}/{group['id']}", headers=other)
    assert got.status_code == 404
    assert got.json()["error"]["code"] == "not_found"
    patched = await client.patch(f"{URL}/{group['id']}", json={"name": "Mine"}, headers=other)
    assert patched.status_code == 404
    assert (await client.delete(f"{URL}/{group['id']}", headers=other)).status_code == 404
    assert (await client.get(URL, headers=other)).json()["items"] == []
    assert (await client.get(f"{URL}/{group['id']}", headers=tenants.a.owner)).json() == group


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 201},
        {"name": "A", "kind": "galaxy"},
        {"name": "A", "parent_id": "not-a-uuid"},
        {"name": "A", "colour": "red"},
    ],
)
async def test_invalid_create_is_422(
    client: httpx.AsyncClient, tenants: Tenants, payload: dict[str, Any]
) -> None:
    response = await client.post(URL, json=payload, headers=tenants.a.owner)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize("payload", [{"name": None}, {"kind": None}, {"version": 0}])
async def test_invalid_update_is_422(
    client: httpx.AsyncClient, tenants: Tenants, payload: dict[str, Any]
) -> None:
    group = await create_group(client, tenants.a.owner, name="HQ")
    response = await client.patch(f"{URL}/{group['id']}", json=payload, headers=tenants.a.owner)
    assert response.status_code == 422


async def test_names_are_unique_per_tenant_ignoring_case(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    await create_group(client, tenants.a.owner, name="Depot North")
    duplicate = await client.post(URL, json={"name": "DEPOT north"}, headers=tenants.a.owner)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "already_exists"
    assert duplicate.json()["error"]["details"] == {"field": "name"}
    await create_group(client, tenants.b.owner, name="Depot North")

    other = await create_group(client, tenants.a.owner, name="Depot South")
    renamed = await client.patch(
        f"{URL}/{other['id']}", json={"name": "depot north"}, headers=tenants.a.owner
    )
    assert renamed.status_code == 409
    assert renamed.json()["error"]["details"] == {"field": "name"}


async def test_parent_must_be_a_group_of_the_tenant(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    foreign = await create_group(client, tenants.b.owner, name="B region")
    for parent_id in (str(uuid.uuid4()), foreign["id"]):
        response = await client.post(
            URL, json={"name": "Depot", "parent_id": parent_id}, headers=tenants.a.owner
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"] == {"field": "parent_id"}

    group = await create_group(client, tenants.a.owner, name="Depot")
    moved = await client.patch(
        f"{URL}/{group['id']}", json={"parent_id": foreign["id"]}, headers=tenants.a.owner
    )
    assert moved.status_code == 422
    assert moved.json()["error"]["details"] == {"field": "parent_id"}


async def test_a_group_cannot_become_its_own_ancestor(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    top = await create_group(client, headers, name="Top", kind="region")
    middle = await create_group(client, headers, name="Middle", parent_id=top["id"])
    bottom = await create_group(client, headers, name="Bottom", kind="team", parent_id=middle["id"])

    looped = await client.patch(
        f"{URL}/{top['id']}", json={"parent_id": bottom["id"]}, headers=headers
    )
    assert looped.status_code == 422
    error = looped.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"] == {
        "field": "parent_id",
        "cycle": [top["id"], bottom["id"], middle["id"], top["id"]],
    }

    itself = await client.patch(
        f"{URL}/{top['id']}", json={"parent_id": top["id"]}, headers=headers
    )
    assert itself.status_code == 422
    assert itself.json()["error"]["details"]["cycle"] == [top["id"], top["id"]]

    # Moving a subtree elsewhere in the tree is fine; then the old loop is no loop.
    detached = await client.patch(
        f"{URL}/{middle['id']}", json={"parent_id": None}, headers=headers
    )
    assert detached.status_code == 200
    assert detached.json()["parent_id"] is None
    moved = await client.patch(
        f"{URL}/{top['id']}", json={"parent_id": bottom["id"]}, headers=headers
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["parent_id"] == bottom["id"]


async def test_filters(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    region = await create_group(client, headers, name="Region", kind="region")
    depot = await create_group(client, headers, name="Depot", parent_id=region["id"])
    team = await create_group(client, headers, name="Team", kind="team", parent_id=region["id"])
    await create_group(client, headers, name="Loose team", kind="team")

    async def names(**params: Any) -> list[str]:
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [g["name"] for g in response.json()["items"]]

    assert await names(kind="team") == ["Loose team", "Team"]
    assert await names(parent_id=region["id"]) == [depot["name"], team["name"]]
    assert await names(parent_id=region["id"], kind="team") == ["Team"]
    assert (await client.get(URL, params={"kind": "galaxy"}, headers=headers)).status_code == 422
    bad_sort = await client.get(URL, params={"sort": "kind"}, headers=headers)
    assert bad_sort.status_code == 422


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-created_at", "id"])
async def test_cursor_pagination(client: httpx.AsyncClient, tenants: Tenants, sort: str) -> None:
    headers = tenants.a.owner
    created = [await create_group(client, headers, name=n) for n in ["c", "A", "e", "B", "d"]]
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"sort": sort, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(URL, params=params, headers=headers)).json()
        assert len(page["items"]) <= 2
        seen.extend(g["name"] for g in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    field = sort.lstrip("-")
    # Ties (one transaction shares one created_at) are broken by id, in the same direction.
    expected = sorted(created, key=lambda g: (g[field], g["id"]), reverse=sort.startswith("-"))
    assert seen == [g["name"] for g in expected]


async def test_deleting_a_group_keeps_its_children_and_vehicles(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    region = await create_group(client, headers, name="Region", kind="region")
    depot = await create_group(client, headers, name="Depot", parent_id=region["id"])
    vehicle = await client.post(
        "/api/v1/vehicles", json={"plate": "G-1", "group_id": region["id"]}, headers=headers
    )
    assert vehicle.status_code == 201

    assert (await client.delete(f"{URL}/{region['id']}", headers=headers)).status_code == 204

    child = (await client.get(f"{URL}/{depot['id']}", headers=headers)).json()
    assert child["parent_id"] is None
    car = (await client.get(f"/api/v1/vehicles/{vehicle.json()['id']}", headers=headers)).json()
    assert car["group_id"] is None


async def test_version_conflicts(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    group = await create_group(client, headers, name="HQ")
    url = f"{URL}/{group['id']}"
    ok = await client.patch(url, json={"name": "HQ 2"}, headers={**headers, "If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.json()["version"] == 2

    stale = await client.patch(url, json={"name": "HQ 3"}, headers={**headers, "If-Match": "1"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert stale.json()["error"]["details"] == {"expected": 1, "current": 2}
    stale_body = await client.patch(url, json={"version": 1, "name": "HQ 3"}, headers=headers)
    assert stale_body.status_code == 409

    malformed = await client.patch(url, json={"name": "X"}, headers={**headers, "If-Match": "*"})
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "invalid_precondition"

    stale_delete = await client.delete(url, headers={**headers, "If-Match": "1"})
    assert stale_delete.status_code == 409
    assert (await client.delete(url, headers={**headers, "If-Match": "2"})).status_code == 204


async def test_unchanged_update_keeps_version_and_writes_no_event(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    group = await create_group(client, headers, name="HQ")
    same = await client.patch(f"{URL}/{group['id']}", json={"name": "HQ"}, headers=headers)
    assert same.json()["version"] == 1
    events = await client.get(
        "/api/v1/events", params={"entity_type": "group", "entity_id": group["id"]}, headers=headers
    )
    assert [e["type"] for e in events.json()["items"]] == ["group_created"]
