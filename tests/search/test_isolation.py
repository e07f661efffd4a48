"""Tenant isolation and roles: a search never returns another tenant's document (by words,
identifiers, filters, or read by id under row-level security), and each role sees only the
types it may read."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import Database, set_tenant
from fleetyard.kit.ids import TenantId
from tests.conftest import Tenants
from tests.search.conftest import SEARCH, Fleet, index, make_fleet, search, vin


async def test_another_tenant_finds_nothing_of_ours(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet, rolled_back_db: Database
) -> None:
    intruder = tenants.b.owner
    await index(rolled_back_db, tenants.b.id)
    for q in ("ford transit", "abc123", "042788", vin(42788), "441013", "jarvinen", "helsinki"):
        assert (await search(client, intruder, q))["items"] == [], q
        assert (await search(client, tenants.a.owner, q))["items"], q
    everything = await search(client, intruder, "", facets="types,make,group")
    assert everything["items"] == [] and everything["total"] == 0
    assert all(values == [] for values in everything["facets"].values())
    # filters naming A's groups find nothing either
    answer = await search(client, intruder, "", group_id=fleet.groups["hel"]["id"])
    assert answer["items"] == []


async def test_each_tenant_finds_its_own_copy(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet, rolled_back_db: Database
) -> None:
    """The same plates and names in two tenants: each sees its own records only."""
    theirs = await make_fleet(client, tenants.b.owner, imei="356307099441013")
    await index(rolled_back_db, tenants.b.id)
    ours_ids = {fleet.vehicles["transit_hel"]["id"]}
    theirs_ids = {theirs.vehicles["transit_hel"]["id"]}
    found_a = {hit["id"] for hit in (await search(client, tenants.a.owner, "abc123"))["items"]}
    found_b = {hit["id"] for hit in (await search(client, tenants.b.owner, "abc123"))["items"]}
    assert ours_ids <= found_a and found_a.isdisjoint(theirs_ids)
    assert theirs_ids <= found_b and found_b.isdisjoint(ours_ids)


async def test_documents_by_id_are_behind_row_level_security(
    db_session: AsyncSession, tenants: Tenants, fleet: Fleet
) -> None:
    vehicle_id = uuid.UUID(fleet.vehicles["transit_hel"]["id"])
    query = text("select count(*) from search_documents where entity_id = :id")
    await set_tenant(db_session, TenantId(tenants.b.id))
    assert await db_session.scalar(query, {"id": vehicle_id}) == 0
    vocabulary = text("select count(*) from search_vocabulary where word = 'jarvinen'")
    assert await db_session.scalar(vocabulary) == 0
    await set_tenant(db_session, TenantId(tenants.a.id))
    assert await db_session.scalar(query, {"id": vehicle_id}) == 1
    assert await db_session.scalar(vocabulary) == 1


async def test_a_cursor_from_another_tenant_or_query_is_refused(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet, rolled_back_db: Database
) -> None:
    await make_fleet(client, tenants.b.owner, imei="356307099441013")
    await index(rolled_back_db, tenants.b.id)
    page = await search(client, tenants.a.owner, "ford", limit=1)
    cursor = page["next_cursor"]
    assert cursor
    # the next page, for the same search
    following = await search(client, tenants.a.owner, "ford", limit=1, cursor=cursor)
    assert following["items"][0]["id"] != page["items"][0]["id"]
    for headers, q in ((tenants.b.owner, "ford"), (tenants.a.owner, "transit")):
        response = await client.get(
            SEARCH, params={"q": q, "limit": 1, "cursor": cursor}, headers=headers
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "invalid_cursor"
    # nor may a filter change between pages
    response = await client.get(
        SEARCH,
        params={"q": "ford", "limit": 1, "cursor": cursor, "status": "active"},
        headers=tenants.a.owner,
    )
    assert response.json()["error"]["code"] == "invalid_cursor"


async def test_pages_follow_each_other_without_repeats(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await search(client, tenants.a.owner, "", **params)
        seen += [hit["id"] for hit in page["items"]]
        assert page["total"] == 13
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 13  # 4 groups, 6 vehicles, 2 drivers, 1 device


async def test_roles_see_only_the_types_they_read(
    client: httpx.AsyncClient, tenants: Tenants, fleet: Fleet
) -> None:
    everything = {
        *("vehicle", "driver", "device", "reservation", "alert", "group", "geofence", "trip"),
        *("inspection", "defect", "work_order", "part", "route_plan"),
    }
    for role, expected in (
        (Role.OWNER, everything | {"integration"}),
        (Role.VIEWER, everything),
        (Role.DRIVER, {"vehicle", "reservation", "alert", "group", "trip", "inspection", "defect"}),
    ):
        answer = await search(client, tenants.a.as_(role), "helsinki")
        assert set(answer["types"]) == expected, role
        assert {hit["type"] for hit in answer["items"]} <= expected, role
    # a driver asking for drivers searches nothing (and is told which types it searched)
    answer = await search(client, tenants.a.as_(Role.DRIVER), "anna", types="driver")
    assert answer["types"] == [] and answer["items"] == []
    assert "integration" not in (await search(client, tenants.a.as_(Role.VIEWER), ""))["types"]
