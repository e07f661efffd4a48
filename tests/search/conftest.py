"""Search fixtures: a small fleet created through the API in the test's rolled-back
transaction, indexed there by the reindex service (no indexer runs in a rolled-back test),
and helpers to ask the search API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from fleetyard.db import Database
from fleetyard.demo.vins import make_vin
from fleetyard.kit.ids import TenantId
from fleetyard.search.refresh import reindex_tenant
from tests.conftest import Tenants

SEARCH = "/api/v1/search"
SUGGEST = "/api/v1/search/suggest"


async def post(client: httpx.AsyncClient, headers: dict[str, str], path: str, body: Any) -> Any:
    response = await client.post(f"/api/v1/{path}", json=body, headers=headers)
    assert response.status_code == 201, (path, response.text)
    return response.json()


async def search(
    client: httpx.AsyncClient, headers: dict[str, str], q: str = "", **params: Any
) -> dict[str, Any]:
    response = await client.get(SEARCH, params={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def ids(answer: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in answer["items"]]


async def index(db: Database, tenant_id: uuid.UUID) -> int:
    return await reindex_tenant(db.sessionmaker, TenantId(tenant_id))


def vin(serial: int, wmi: str = "WF0", descriptor: str = "XXTTG") -> str:
    return make_vin(wmi, descriptor, 2021, "K", serial)


@dataclass
class Fleet:
    """Tenant A's records by a short name."""

    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    vehicles: dict[str, dict[str, Any]] = field(default_factory=dict)
    drivers: dict[str, dict[str, Any]] = field(default_factory=dict)
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)


TRACKER_IMEI = "356307042441013"


async def make_fleet(
    client: httpx.AsyncClient, headers: dict[str, str], imei: str = TRACKER_IMEI
) -> Fleet:
    fleet = Fleet()
    south = await post(client, headers, "groups", {"name": "Southern Finland", "kind": "region"})
    for key, name in (("hel", "Helsinki depot"), ("espoo", "Espoo depot"), ("hml", "Hämeenlinna")):
        fleet.groups[key] = await post(
            client, headers, "groups", {"name": name, "kind": "depot", "parent_id": south["id"]}
        )
    fleet.groups["south"] = south
    vehicles = {
        "transit_hel": ("ABC-123", "Ford", "Transit", "van", "hel", vin(42788)),
        "transit_espoo": ("XYZ-987", "Ford", "Transit", "van", "espoo", vin(51234)),
        "focus_hel": ("HEL-555", "Ford", "Focus", "car", "hel", vin(61111)),
        "transporter_hml": ("HML-1", "Volkswagen", "Transporter", "van", "hml", None),
        "sprinter_hel": ("SPR 42", "Mercedes-Benz", "Sprinter", "van", "hel", None),
    }
    for key, (plate, make, model, kind, group, vin_) in vehicles.items():
        body: dict[str, Any] = {
            "plate": plate,
            "make": make,
            "model": model,
            "type": kind,
            "group_id": fleet.groups[group]["id"],
        }
        if vin_:
            body["vin"] = vin_
        fleet.vehicles[key] = await post(client, headers, "vehicles", body)
    fleet.vehicles["retired"] = await post(
        client,
        headers,
        "vehicles",
        {
            "plate": "OLD-1",
            "make": "Ford",
            "model": "Transit",
            "type": "van",
            "status": {"state": "retired", "retired_on": "2024-01-31", "reason": "Rusted through"},
        },
    )
    fleet.drivers["anna"] = await post(
        client,
        headers,
        "drivers",
        {
            "name": "Anna Järvinen",
            "licence_number": "FI-778899",
            "group_id": fleet.groups["hel"]["id"],
            "assigned_vehicle_id": fleet.vehicles["transit_hel"]["id"],
        },
    )
    fleet.drivers["sven"] = await post(
        client, headers, "drivers", {"name": "Sven Åström", "group_id": fleet.groups["hml"]["id"]}
    )
    fleet.devices["tracker"] = await post(
        client,
        headers,
        "devices",
        {
            "unique_id": imei,
            "protocol": "teltonika",
            "name": "FMB920 van",
            "vehicle_id": fleet.vehicles["transit_hel"]["id"],
        },
    )
    return fleet


@pytest.fixture
async def fleet(client: httpx.AsyncClient, tenants: Tenants, rolled_back_db: Database) -> Fleet:
    made = await make_fleet(client, tenants.a.owner)
    await index(rolled_back_db, tenants.a.id)
    return made
