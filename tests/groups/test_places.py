"""Groups as places and as a screen's rows: a depot's location (whole or absent, in range),
how many vehicles each group holds, and migration 0005 that added the location."""

from __future__ import annotations

import os
import uuid
from typing import Any

import httpx
import psycopg
import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.migrate import alembic_config, upgrade
from tests.conftest import ADMIN_URL, Tenants, set_tenant
from tests.groups.test_router import URL, create_group

PASILA = {"latitude": 60.17605, "longitude": 24.938268}


async def events_of(client: httpx.AsyncClient, headers: dict[str, str], group_id: str) -> Any:
    response = await client.get(
        "/api/v1/events", params={"entity_type": "group", "entity_id": group_id}, headers=headers
    )
    return response.json()["items"]


async def test_a_depot_gets_a_location_and_keeps_it_whole(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.as_(Role.FLEET_MANAGER)
    plain = await create_group(client, headers, name="Somewhere")
    assert (plain["latitude"], plain["longitude"], plain["radius_m"]) == (None, None, None)

    # a point alone gets the default radius
    depot = await create_group(client, headers, name="Pasila", **PASILA)
    assert (depot["latitude"], depot["longitude"], depot["radius_m"]) == (60.17605, 24.938268, 100)
    wide = await create_group(client, headers, name="Yard", **PASILA, radius_m=250)
    assert wide["radius_m"] == 250

    url = f"{URL}/{depot['id']}"
    grown = await client.patch(url, json={"radius_m": 400}, headers=headers)
    assert grown.status_code == 200, grown.text
    assert grown.json()["radius_m"] == 400
    moved = await client.patch(url, json={"latitude": 60.17, "longitude": 24.94}, headers=headers)
    assert (moved.json()["latitude"], moved.json()["radius_m"]) == (60.17, 400)

    cleared = await client.patch(url, json={"latitude": None, "longitude": None}, headers=headers)
    assert cleared.status_code == 200, cleared.text
    body = cleared.json()
    assert (body["latitude"], body["longitude"], body["radius_m"]) == (None, None, None)

    # a point given to a group that had none gets the default radius too
    placed = await client.patch(f"{URL}/{plain['id']}", json=PASILA, headers=headers)
    assert placed.json()["radius_m"] == 100

    # every change is an event with the location's before and after
    changes = [e["changes"] for e in await events_of(client, headers, depot["id"])]
    assert changes[0] == {
        "latitude": {"before": 60.17, "after": None},
        "longitude": {"before": 24.94, "after": None},
        "radius_m": {"before": 400, "after": None},
    }
    assert changes[-1]["radius_m"] == {"before": None, "after": 100}


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "X", "latitude": 60.1},
        {"name": "X", "longitude": 24.9},
        {"name": "X", "latitude": 91, "longitude": 24.9},
        {"name": "X", "latitude": -90.5, "longitude": 24.9},
        {"name": "X", "latitude": 60.1, "longitude": 180.01},
        {"name": "X", "latitude": 60.1, "longitude": -181},
        {"name": "X", "latitude": "north", "longitude": 24.9},
        {"name": "X", "latitude": 60.1, "longitude": 24.9, "radius_m": 19},
        {"name": "X", "latitude": 60.1, "longitude": 24.9, "radius_m": 5001},
        {"name": "X", "latitude": 60.1, "longitude": 24.9, "radius_m": 50.5},
        {"name": "X", "radius_m": 100},
        {"name": "X", "latitude": None, "longitude": 24.9},
    ],
)
async def test_invalid_location_on_create_is_422(
    client: httpx.AsyncClient, tenants: Tenants, payload: dict[str, Any]
) -> None:
    response = await client.post(URL, json=payload, headers=tenants.a.owner)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize(
    "payload",
    [
        {"latitude": 60.1},
        {"longitude": 24.9},
        {"latitude": 60.1, "longitude": None},
        {"latitude": 100, "longitude": 24.9},
        {"radius_m": None},
        {"radius_m": 10},
        {"radius_m": 100_000},
    ],
)
async def test_invalid_location_on_update_is_422(
    client: httpx.AsyncClient, tenants: Tenants, payload: dict[str, Any]
) -> None:
    group = await create_group(client, tenants.a.owner, name="Depot", **PASILA)
    response = await client.patch(f"{URL}/{group['id']}", json=payload, headers=tenants.a.owner)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"
    unchanged = (await client.get(f"{URL}/{group['id']}", headers=tenants.a.owner)).json()
    assert unchanged == group


async def test_a_radius_needs_a_point(client: httpx.AsyncClient, tenants: Tenants) -> None:
    group = await create_group(client, tenants.a.owner, name="Team", kind="team")
    response = await client.patch(
        f"{URL}/{group['id']}", json={"radius_m": 200}, headers=tenants.a.owner
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {"field": "radius_m"}


async def test_each_group_counts_its_own_vehicles(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    region = await create_group(client, headers, name="Uusimaa", kind="region")
    depot = await create_group(client, headers, name="Pasila", parent_id=region["id"])
    empty = await create_group(client, headers, name="Empty")
    assert depot["vehicle_count"] == 0
    for n, group in enumerate([depot, depot, depot, region, None]):
        vehicle = {"plate": f"CNT-{n}", "group_id": group["id"] if group else None}
        created = await client.post("/api/v1/vehicles", json=vehicle, headers=headers)
        assert created.status_code == 201, created.text
    # another tenant's vehicles in a group of the same name never count here
    other = await create_group(client, tenants.b.owner, name="Pasila")
    await client.post(
        "/api/v1/vehicles",
        json={"plate": "CNT-B", "group_id": other["id"]},
        headers=tenants.b.owner,
    )

    listed = (await client.get(URL, headers=headers)).json()["items"]
    counts = {g["name"]: g["vehicle_count"] for g in listed}
    assert counts == {"Empty": 0, "Pasila": 3, "Uusimaa": 1}
    got = await client.get(f"{URL}/{depot['id']}", headers=headers)
    assert got.json()["vehicle_count"] == 3
    renamed = await client.patch(
        f"{URL}/{empty['id']}", json={"name": "Still empty"}, headers=headers
    )
    assert renamed.json()["vehicle_count"] == 0
    b_listed = (await client.get(URL, headers=tenants.b.owner)).json()["items"]
    assert [(g["name"], g["vehicle_count"]) for g in b_listed] == [("Pasila", 1)]


async def test_a_group_moved_under_its_own_subgroup_is_refused_and_unchanged(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    region = await create_group(client, headers, name="Region", kind="region")
    depot = await create_group(client, headers, name="Depot", parent_id=region["id"])
    refused = await client.patch(
        f"{URL}/{region['id']}", json={"parent_id": depot["id"], "name": "Renamed"}, headers=headers
    )
    assert refused.status_code == 422
    after = (await client.get(f"{URL}/{region['id']}", headers=headers)).json()
    assert (after["name"], after["parent_id"], after["version"]) == ("Region", None, 1)
    assert [e["type"] for e in await events_of(client, headers, region["id"])] == ["group_created"]


async def test_the_database_refuses_half_a_location(
    db_session: AsyncSession, tenants: Tenants
) -> None:
    """Migration 0005's checks hold even for a row written by hand on the app role."""
    await set_tenant(db_session, tenants.a.id)
    insert = text(
        "insert into groups (tenant_id, id, name, latitude, longitude, radius_m) "
        "values (:t, :id, :name, :lat, :lon, :r)"
    )
    good = {"t": tenants.a.id, "id": uuid.uuid4(), "name": "ok", "lat": 60.2, "lon": 24.9, "r": 50}
    await db_session.execute(insert, good)
    for bad in ({"r": None}, {"lon": None}, {"r": 10}, {"lat": 95.0}, {"lon": 200.0}):
        with pytest.raises(IntegrityError):
            async with db_session.begin_nested():
                await db_session.execute(
                    insert, good | {"id": uuid.uuid4(), "name": f"bad {bad}"} | bad
                )


def test_migration_0005_goes_down_and_up_again() -> None:
    """On a database of its own: head, down to 0004 (the columns go), and back."""
    name = f"fleetyard_groups_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def group_columns() -> set[str]:
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "select column_name from information_schema.columns where table_name = 'groups'"
            )
            return {row[0] for row in rows}

    try:
        upgrade(url)
        assert {"latitude", "longitude", "radius_m"} <= group_columns()
        command.downgrade(alembic_config(url, "fleetyard_app"), "0004")
        assert not {"latitude", "longitude", "radius_m"} & group_columns()
        upgrade(url)
        assert {"latitude", "longitude", "radius_m"} <= group_columns()
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
