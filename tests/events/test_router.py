"""The audit trail in words: who acted (by name and role), which record, and the names of
the records that change values point at, only ever from the reader's own tenant."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

import fleetyard
from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.events.service import EventLog
from fleetyard.events.types import EVENT_KINDS
from fleetyard.kit.ids import TenantId
from fleetyard.models import Alert
from tests.conftest import Tenants
from tests.factories import PASSWORD, member_session

URL = "/api/v1/events"


async def created(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await client.post(f"/api/v1/{path}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def events_of(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> list[dict[str, Any]]:
    response = await client.get(URL, params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_members_change_names_the_member_and_the_records(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    owner = tenants.a.owner
    anna = (await member_session(client, tenants.a, Role.FLEET_MANAGER, "Anna Virtanen")).headers
    pasila = await created(client, "groups", owner, name="Pasila depot")
    kamppi = await created(client, "groups", owner, name="Kamppi depot")
    vehicle = await created(client, "vehicles", owner, plate="ABC-123", group_id=pasila["id"])

    moved = await client.patch(
        f"/api/v1/vehicles/{vehicle['id']}",
        json={"version": 1, "group_id": kamppi["id"]},
        headers=anna,
    )
    assert moved.status_code == 200, moved.text

    update, create = await events_of(client, owner, entity_type="vehicle", entity_id=vehicle["id"])
    assert update["type"] == "vehicle_updated"
    assert update["actor"] == {
        "type": "user",
        "id": update["actor_id"],
        "name": "Anna Virtanen",
        "role": "fleet_manager",
    }
    assert update["entity_name"] == "ABC-123"
    assert update["changes"] == {"group_id": {"before": pasila["id"], "after": kamppi["id"]}}
    assert update["names"] == {pasila["id"]: "Pasila depot", kamppi["id"]: "Kamppi depot"}

    assert create["actor"]["type"] == "api_key"
    assert create["actor"]["name"] == "test owner"
    assert create["actor"]["role"] == "owner"
    assert create["names"] == {pasila["id"]: "Pasila depot"}


async def test_drivers_devices_and_reservations_name_what_they_point_at(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    owner = tenants.a.owner
    vehicle = await created(client, "vehicles", owner, plate="XYZ-9", name="Van 9")
    driver = await created(
        client, "drivers", owner, name="Mikko Mallikas", assigned_vehicle_id=vehicle["id"]
    )
    device = await created(
        client,
        "devices",
        owner,
        unique_id="356307042441013",
        protocol="teltonika",
        name="FMB920 in van 9",
        vehicle_id=vehicle["id"],
    )
    booking = await created(
        client,
        "reservations",
        owner,
        vehicle_id=vehicle["id"],
        driver_id=driver["id"],
        starts_at="2031-03-03T08:00:00+00:00",
        ends_at="2031-03-03T12:00:00+00:00",
    )

    [driver_created] = await events_of(client, owner, entity_id=driver["id"])
    assert driver_created["entity_name"] == "Mikko Mallikas"
    assert driver_created["names"] == {vehicle["id"]: "XYZ-9"}
    [device_created] = await events_of(client, owner, entity_id=device["id"])
    assert device_created["entity_name"] == "FMB920 in van 9"
    assert device_created["names"] == {vehicle["id"]: "XYZ-9"}
    [booked] = await events_of(client, owner, entity_id=booking["id"])
    assert booked["entity_name"] == "XYZ-9"
    assert booked["names"] == {vehicle["id"]: "XYZ-9", driver["id"]: "Mikko Mallikas"}


async def test_a_deleted_record_keeps_the_name_the_log_last_saw(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    owner = tenants.a.owner
    group = await created(client, "groups", owner, name="Old yard")
    gone = await client.delete(f"/api/v1/groups/{group['id']}", headers={**owner, "If-Match": "1"})
    assert gone.status_code == 204, gone.text
    deleted, made = await events_of(client, owner, entity_id=group["id"])
    assert deleted["type"] == "group_deleted"
    assert deleted["entity_name"] == made["entity_name"] == "Old yard"


async def test_acknowledging_an_alert_names_the_alert_and_who_acknowledged(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    owner = tenants.a.owner
    vehicle = await created(client, "vehicles", owner, plate="HOT-1")
    alert_id = uuid.uuid4()
    await set_tenant(db_session, TenantId(tenants.a.id))
    now = datetime.now(UTC)
    db_session.add(
        Alert(
            tenant_id=tenants.a.id,
            id=alert_id,
            vehicle_id=uuid.UUID(vehicle["id"]),
            kind="coolant_temperature",
            code="",
            severity="critical",
            message="Coolant 112 °C",
            details={},
            opened_at=now,
            last_seen_at=now,
        )
    )
    await db_session.commit()
    acknowledged = await client.post(f"/api/v1/alerts/{alert_id}/acknowledge", headers=owner)
    assert acknowledged.status_code == 200, acknowledged.text

    [event] = await events_of(client, owner, entity_id=str(alert_id))
    assert event["type"] == "alert_acknowledged"
    assert event["entity_name"] == "Coolant 112 °C"
    by = event["changes"]["acknowledged_by"]["after"]
    assert event["names"] == {by: "test owner"}


async def test_system_changes_are_told_as_system(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    tenant_id = TenantId(tenants.a.id)
    await set_tenant(db_session, tenant_id)
    log = EventLog(db_session, Principal.system(tenant_id))
    log.record("vehicle", "created", uuid.uuid4(), None, {"plate": "SYS-1"})
    log.repo.add(
        type="alert_opened",
        entity_type="alert",
        entity_id=uuid.uuid4(),
        actor_type="system",
        actor_id=None,
        changes={"message": {"before": None, "after": "Coolant 112 °C"}},
    )
    await db_session.commit()
    opened, made = await events_of(client, tenants.a.owner, entity_type="alert") + (
        await events_of(client, tenants.a.owner, entity_type="vehicle")
    )
    assert opened["actor"] == {"type": "system", "id": None, "name": "The tracker", "role": None}
    assert opened["entity_name"] == "Coolant 112 °C"
    assert made["actor"]["name"] == "System"
    assert made["entity_name"] == "SYS-1"


async def test_another_tenants_names_never_appear(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    """Even if an id of another tenant's record found its way into this tenant's log."""
    secret_group = await created(client, "groups", tenants.b.owner, name="Secret depot B")
    secret_vehicle = await created(client, "vehicles", tenants.b.owner, plate="SECRET-B")
    b_member = await created(
        client,
        "members",
        tenants.b.owner,
        email=f"b-{uuid.uuid4().hex[:6]}@example.com",
        role="fleet_manager",
        password=PASSWORD,
        display_name="Bea of tenant B",
    )
    tenant_id = TenantId(tenants.a.id)
    await set_tenant(db_session, tenant_id)
    EventLog(db_session, Principal.system(tenant_id)).record(
        "driver",
        "updated",
        uuid.UUID(secret_vehicle["id"]),
        {"group_id": None, "assigned_vehicle_id": None, "user_id": None},
        {
            "group_id": secret_group["id"],
            "assigned_vehicle_id": secret_vehicle["id"],
            "user_id": b_member["user_id"],
        },
    )
    await db_session.commit()
    response = await client.get(URL, params={"entity_type": "driver"}, headers=tenants.a.owner)
    assert response.status_code == 200
    [event] = response.json()["items"]
    assert event["names"] == {}
    assert event["entity_name"] is None
    for secret in ("Secret depot B", "SECRET-B", "Bea of tenant B"):
        assert secret not in response.text
    # and tenant B sees none of A's log
    assert await events_of(client, tenants.b.owner, entity_type="driver") == []


async def test_event_types_are_published_with_labels(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    assert (await client.get(f"{URL}/types")).status_code == 401
    response = await client.get(f"{URL}/types", headers=tenants.a.as_(Role.VIEWER))
    assert response.status_code == 200
    types = {t["type"]: t for t in response.json()}
    assert types["vehicle_created"] == {
        "type": "vehicle_created",
        "domain": "vehicle",
        "domain_label": "Vehicles",
        "label": "Vehicle created",
    }
    assert types["alert_opened"]["label"] == "Alert opened"
    assert len(types) == len(EVENT_KINDS)


_RECORD_CALL = re.compile(r'events\.record\(\s*"(\w+)",\s*"(\w+)"')
_ENTITY_TYPE = re.compile(r'entity_type = "(\w+)"')
_SELF_RECORD = re.compile(r'events\.record\(\s*self\.entity_type,\s*"(\w+)"')
_ALERT_EVENT = re.compile(r'_event\(\s*"(\w+)"')


def test_every_event_the_code_writes_is_in_the_catalogue() -> None:
    """Scans the source: a new ``events.record`` call needs its label in events/types.py."""
    written: set[str] = set()
    for path in Path(fleetyard.__file__).parent.rglob("*.py"):
        source = path.read_text()
        written |= {f"{e}_{a}" for e, a in _RECORD_CALL.findall(source)}
        for entity in _ENTITY_TYPE.findall(source):
            actions = {"created", "updated", "deleted", *_SELF_RECORD.findall(source)}
            written |= {f"{entity}_{a}" for a in actions}
        if path.name == "store.py" and "alert" in source:
            written |= {f"alert_{a}" for a in _ALERT_EVENT.findall(source)}
    known = {kind.type for kind in EVENT_KINDS}
    assert "alert_opened" in written and "webhook_secret_rotated" in written
    assert written - known == set()
