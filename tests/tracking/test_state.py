"""Latest vehicle state: one vehicle, and the whole fleet paged by vehicle id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.db import Database, set_tenant
from fleetyard.groups.schemas import GroupCreate
from fleetyard.groups.service import GroupService
from fleetyard.kit.ids import TenantId
from fleetyard.vehicles.schemas import InMaintenance, VehicleCreate
from fleetyard.vehicles.service import VehicleService
from tests.conftest import Tenants
from tests.tracking.conftest import Seeded

FLEET = "/api/v1/fleet/state"


def state_url(vehicle_id: uuid.UUID | str) -> str:
    return f"/api/v1/vehicles/{vehicle_id}/state"


@dataclass
class Fleet:
    seeded: Seeded
    group_id: str
    grouped: str  # in the group, no fixes
    in_shop: str  # in maintenance, no fixes


@pytest.fixture(scope="module")
async def fleet(app_database: Database, seeded: Seeded) -> Fleet:
    """Two more vehicles in the seeded tenant: one in a group, one in maintenance."""
    tenant_id = TenantId(seeded.tracked.tenant.id)
    async with app_database.sessionmaker() as session:
        await set_tenant(session, tenant_id)
        actor = Principal.system(tenant_id)
        group = await GroupService(session, actor).create(GroupCreate(name="North depot"))
        vehicles = VehicleService(session, actor)
        grouped = await vehicles.create(VehicleCreate(plate="GRP-1", group_id=group.id))
        in_shop = await vehicles.create(
            VehicleCreate(plate="SHOP-1", name="Shop van", status=InMaintenance(shop="Garage"))
        )
        await session.commit()
    return Fleet(seeded, str(group.id), str(grouped.id), str(in_shop.id))


async def test_vehicle_state_is_its_latest_valid_fix(
    live_client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await live_client.get(
        state_url(seeded.tracked.vehicle_id), headers=seeded.tracked.tenant.as_(Role.DRIVER)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["vehicle_id"] == str(seeded.tracked.vehicle_id)
    assert body["plate"].startswith("T-")
    assert body["status"] == "active"
    state = body["state"]
    assert state["device_id"] == str(seeded.tracked.device_id)
    # the null-island fix and the second device's older fixes don't move the vehicle
    assert datetime.fromisoformat(state["fix_time"]) == seeded.t0 + timedelta(minutes=9)
    assert state["latitude"] == pytest.approx(60.179)
    assert state["longitude"] == pytest.approx(24.958)
    assert state["speed_kmh"] == 40.0


async def test_vehicle_without_fixes_has_null_state(
    live_client: httpx.AsyncClient, fleet: Fleet
) -> None:
    response = await live_client.get(state_url(fleet.grouped), headers=fleet.seeded.headers)
    assert response.status_code == 200
    assert response.json() == {
        "vehicle_id": fleet.grouped,
        "plate": "GRP-1",
        "name": None,
        "status": "active",
        "group_id": fleet.group_id,
        "state": None,
    }


async def test_fleet_lists_every_vehicle_with_its_state(
    live_client: httpx.AsyncClient, fleet: Fleet
) -> None:
    headers = fleet.seeded.headers
    response = await live_client.get(FLEET, headers=headers)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    tracked = str(fleet.seeded.tracked.vehicle_id)
    assert sorted(i["vehicle_id"] for i in items) == sorted([tracked, fleet.grouped, fleet.in_shop])
    assert [i["vehicle_id"] for i in items] == sorted(i["vehicle_id"] for i in items)
    by_id = {i["vehicle_id"]: i for i in items}
    assert by_id[tracked]["state"]["device_id"] == str(fleet.seeded.tracked.device_id)
    assert by_id[fleet.grouped]["state"] is None
    assert by_id[fleet.in_shop]["status"] == "in_maintenance"
    assert by_id[fleet.in_shop]["name"] == "Shop van"

    paged: list[Any] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await live_client.get(FLEET, params=params, headers=headers)).json()
        paged.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == items


async def test_fleet_filters(live_client: httpx.AsyncClient, fleet: Fleet) -> None:
    headers = fleet.seeded.headers
    grouped = await live_client.get(FLEET, params={"group_id": fleet.group_id}, headers=headers)
    assert [i["vehicle_id"] for i in grouped.json()["items"]] == [fleet.grouped]
    in_shop = await live_client.get(FLEET, params={"status": "in_maintenance"}, headers=headers)
    assert [i["vehicle_id"] for i in in_shop.json()["items"]] == [fleet.in_shop]
    retired = await live_client.get(FLEET, params={"status": "retired"}, headers=headers)
    assert retired.json() == {"items": [], "next_cursor": None}


async def test_other_tenant_sees_nothing(
    live_client: httpx.AsyncClient, fleet: Fleet, live_tenants: Tenants
) -> None:
    other = live_tenants.b.owner
    response = await live_client.get(state_url(fleet.seeded.tracked.vehicle_id), headers=other)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    listed = (await live_client.get(FLEET, params={"limit": 1000}, headers=other)).json()
    ours = {str(fleet.seeded.tracked.vehicle_id), fleet.grouped, fleet.in_shop}
    assert not ours & {i["vehicle_id"] for i in listed["items"]}
    missing = await live_client.get(state_url(uuid.uuid4()), headers=fleet.seeded.headers)
    assert missing.status_code == 404


async def test_anonymous_is_refused(live_client: httpx.AsyncClient, seeded: Seeded) -> None:
    assert (await live_client.get(state_url(seeded.tracked.vehicle_id))).status_code == 401
    assert (await live_client.get(FLEET)).status_code == 401


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (FLEET, {"limit": "1001"}),
        (FLEET, {"limit": "0"}),
        (FLEET, {"status": "parked"}),
        (FLEET, {"group_id": "north"}),
        (FLEET, {"cursor": "not-a-cursor"}),
        ("/api/v1/vehicles/not-a-uuid/state", {}),
    ],
)
async def test_bad_parameters_are_422(
    live_client: httpx.AsyncClient, seeded: Seeded, url: str, params: dict[str, str]
) -> None:
    response = await live_client.get(url, params=params, headers=seeded.headers)
    assert response.status_code == 422, response.text
