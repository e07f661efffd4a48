"""Vendor devices carry their provider as protocol (``geotab``, ``samsara``,
``verizon_connect``, ``mqtt``): made by the integration that matched the vehicle, listed and
filtered like any device, never created, renamed to another id or re-protocolled by hand; and
migration 0008 relabels the ones made before as ``other``."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import psycopg
import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant, with_user
from fleetyard.devices.schemas import INTEGRATION_PROTOCOLS, DeviceProtocol
from fleetyard.integrations.providers.base import VendorVehicle
from fleetyard.integrations.providers.registry import ProviderName
from fleetyard.integrations.vendor_vehicles import sync_vendor_vehicles
from fleetyard.kit.ids import TenantId
from fleetyard.migrate import alembic_config, upgrade
from fleetyard.telematics.ingest.directory import DeviceDirectory
from tests.conftest import ADMIN_URL, Tenants
from tests.devices.test_router import create_device, create_vehicle

URL = "/api/v1/devices"
VENDOR = sorted(p.value for p in INTEGRATION_PROTOCOLS)


def test_the_integration_protocols_are_the_providers() -> None:
    assert {p.value for p in INTEGRATION_PROTOCOLS} == {name.value for name in ProviderName}
    assert all(DeviceProtocol(name.value).by_integration for name in ProviderName)
    assert not any(
        DeviceProtocol(p).by_integration for p in ("teltonika", "gt06", "h02", "osmand", "other")
    )


@pytest.mark.parametrize("protocol", VENDOR)
async def test_a_vendor_device_cannot_be_created_by_hand(
    client: httpx.AsyncClient, tenants: Tenants, protocol: str
) -> None:
    response = await client.post(
        URL, json={"unique_id": "VENDOR-1", "protocol": protocol}, headers=tenants.a.owner
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "device_managed_by_integration"
    assert error["details"] == {"field": "protocol"}
    assert "Integrations" in error["message"]
    listed = await client.get(URL, headers=tenants.a.owner)
    assert listed.json()["items"] == []


@pytest.fixture
async def directory(database_url: str) -> AsyncIterator[DeviceDirectory]:
    pool = await asyncpg.create_pool(
        with_user(database_url, "fleetyard_app"), min_size=1, max_size=2
    )
    yield DeviceDirectory(pool)
    await pool.close()


async def test_an_unknown_device_is_not_claimed_as_a_vendor_device(
    client: httpx.AsyncClient, tenants: Tenants, directory: DeviceDirectory
) -> None:
    chosen, odd = f"UNK-{uuid.uuid4().hex[:12]}", f"UNK-{uuid.uuid4().hex[:12]}"
    await directory.record_unknown(chosen, "teltonika", None)
    await directory.record_unknown(odd, "mqtt", None)  # no gateway speaks it; were one to
    refused = await client.post(
        f"{URL}/unknown/{chosen}/claim", json={"protocol": "samsara"}, headers=tenants.a.owner
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "device_managed_by_integration"
    fallback = await client.post(f"{URL}/unknown/{odd}/claim", json={}, headers=tenants.a.owner)
    assert fallback.status_code == 201, fallback.text
    assert fallback.json()["protocol"] == "other"


async def _matched_vendor_device(
    client: httpx.AsyncClient, session: AsyncSession, tenants: Tenants, provider: str
) -> tuple[dict[str, Any], str]:
    """A vendor vehicle matched by the integrations' own code (by our vehicle's plate)."""
    headers = tenants.a.owner
    plate = f"VND-{uuid.uuid4().hex[:4].upper()}"
    vehicle_id = await create_vehicle(client, headers, plate)
    integration_id = uuid.uuid4()
    await set_tenant(session, TenantId(tenants.a.id))
    await session.execute(
        text(
            "insert into integrations (tenant_id, id, provider, name, credentials, "
            "credentials_key_id) values (:tenant, :id, :provider, :name, '\\x00', 'k')"
        ),
        {"tenant": tenants.a.id, "id": integration_id, "provider": provider, "name": provider},
    )
    linked = await sync_vendor_vehicles(
        session, tenants.a.id, integration_id, provider, [VendorVehicle("unit-7", plate=plate)]
    )
    await session.commit()
    assert len(linked) == 1
    listed = await client.get(URL, params={"protocol": provider}, headers=headers)
    assert listed.status_code == 200, listed.text
    [device] = listed.json()["items"]
    return device, vehicle_id


@pytest.mark.parametrize("provider", VENDOR)
async def test_a_matched_vendor_vehicle_gets_a_device_of_its_provider(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants, provider: str
) -> None:
    device, vehicle_id = await _matched_vendor_device(client, db_session, tenants, provider)
    assert device["protocol"] == provider
    assert device["vehicle_id"] == vehicle_id
    got = await client.get(f"{URL}/{device['id']}", headers=tenants.a.as_(Role.VIEWER))
    assert got.json()["protocol"] == provider
    others = await client.get(URL, params={"protocol": "other"}, headers=tenants.a.owner)
    assert others.json()["items"] == []
    for path in ("/api/v1/vehicles", "/api/v1/vehicles/overview"):
        tracked = await client.get(
            path, params={"tracker_protocol": provider}, headers=tenants.a.owner
        )
        assert tracked.status_code == 200, tracked.text
        assert [v["id"] for v in tracked.json()["items"]] == [vehicle_id]
    assert tracked.json()["items"][0]["tracker"]["protocol"] == provider


async def test_a_vendor_device_keeps_its_id_and_protocol_but_not_its_name(
    client: httpx.AsyncClient, db_session: AsyncSession, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    device, _ = await _matched_vendor_device(client, db_session, tenants, "geotab")
    path = f"{URL}/{device['id']}"
    for change in ({"unique_id": "MINE-1"}, {"protocol": "teltonika"}, {"protocol": "mqtt"}):
        refused = await client.patch(path, json=change, headers=headers)
        assert refused.status_code == 422, change
        error = refused.json()["error"]
        assert error["code"] == "device_managed_by_integration"
        assert error["details"] == {"field": next(iter(change))}
    other_vehicle = await create_vehicle(client, headers, "VND-OTHER")
    renamed = await client.patch(
        path,
        json={
            "name": "Truck 12 (Geotab)",
            "phone": "+358 40 1234567",
            "vehicle_id": other_vehicle,
            "protocol": "geotab",  # unchanged: a form sending the whole record is fine
            "unique_id": device["unique_id"],
        },
        headers=headers,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Truck 12 (Geotab)"
    assert renamed.json()["vehicle_id"] == other_vehicle
    assert renamed.json()["protocol"] == "geotab"


async def test_a_gateway_device_cannot_become_a_vendor_device(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    device = await create_device(client, tenants.a.owner, unique_id="352099001761481")
    refused = await client.patch(
        f"{URL}/{device['id']}", json={"protocol": "samsara"}, headers=tenants.a.owner
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "device_managed_by_integration"
    moved = await client.patch(
        f"{URL}/{device['id']}", json={"protocol": "osmand"}, headers=tenants.a.owner
    )
    assert moved.json()["protocol"] == "osmand"


def test_migration_0008_relabels_the_vendor_devices_made_before_and_back() -> None:
    """On a database of its own at 0007: a vendor device stored as ``other`` becomes its
    provider's; a gateway device of protocol ``other`` stays; down again, both are ``other``."""
    name = f"fleetyard_devices_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    config = alembic_config(url, "fleetyard_app")
    tenant, integration = uuid.uuid4(), uuid.uuid4()
    vendor, gateway = uuid.uuid4(), uuid.uuid4()

    def protocols() -> dict[uuid.UUID, tuple[str, int]]:
        with psycopg.connect(url) as conn:
            rows = conn.execute("select id, protocol, version from devices").fetchall()
            return {row[0]: (row[1], row[2]) for row in rows}

    try:
        command.upgrade(config, "0007")
        with psycopg.connect(url) as conn:
            conn.execute(
                "insert into tenants (id, slug, name) values (%s, 'mig', 'Migration')", [tenant]
            )
            conn.execute(
                "insert into integrations (tenant_id, id, provider, name, credentials, "
                "credentials_key_id) values (%s, %s, 'verizon_connect', 'V', '\\x00', 'k')",
                [tenant, integration],
            )
            conn.execute(
                "insert into devices (tenant_id, id, unique_id, protocol) values "
                "(%s, %s, 'verizon-0123456789-42', 'other'), (%s, %s, 'HANDMADE-1', 'other')",
                [tenant, vendor, tenant, gateway],
            )
            conn.execute(
                "insert into integration_vehicles (tenant_id, integration_id, vendor_id, "
                "device_id, matched_by) values (%s, %s, '42', %s, 'vin')",
                [tenant, integration, vendor],
            )
        upgrade(url)
        assert protocols() == {vendor: ("verizon_connect", 2), gateway: ("other", 1)}
        command.downgrade(config, "0007")
        assert protocols() == {vendor: ("other", 3), gateway: ("other", 1)}
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
