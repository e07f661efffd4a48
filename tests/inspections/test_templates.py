"""Checklists: one active per vehicle type and kind, edited as a whole list (item ids kept),
every change in the event log, and only managers and mechanics may edit them."""

from __future__ import annotations

import httpx

from fleetyard.auth.roles import Role
from tests.conftest import Tenants
from tests.inspections.helpers import URL, form, make_vehicle, submission

TEMPLATES = "/api/v1/inspection-templates"
ITEMS = [
    {"id": "forks", "section": "Mast", "label": "Forks straight, no cracks", "critical": True},
    {"section": "Mast", "label": "Chains lubricated"},
]


async def test_create_edit_and_use_a_checklist(client: httpx.AsyncClient, tenants: Tenants) -> None:
    manager = tenants.a.as_(Role.FLEET_MANAGER)
    body = {
        "name": "Forklift daily",
        "kind": "pre_trip",
        "vehicle_type": "equipment",
        "items": ITEMS,
    }
    created = await client.post(TEMPLATES, json=body, headers=manager)
    assert created.status_code == 201, created.text
    template = created.json()
    assert next(i["id"] for i in template["items"]) == "forks"
    assert len(template["items"][1]["id"]) == 12  # a new item gets an id

    twin = await client.post(TEMPLATES, json={**body, "name": "Another"}, headers=manager)
    assert twin.status_code == 409
    assert twin.json()["error"]["details"] == {"field": "vehicle_type"}

    denied = await client.post(TEMPLATES, json=body, headers=tenants.a.as_(Role.DRIVER))
    assert denied.status_code == 403

    items = [*template["items"], {"section": "Cab", "label": "Seat belt", "critical": True}]
    updated = await client.patch(
        f"{TEMPLATES}/{template['id']}",
        json={"items": items, "version": 1},
        headers=tenants.a.as_(Role.MECHANIC),
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert [i["id"] for i in updated.json()["items"]][:2] == [i["id"] for i in template["items"]]

    forklift = await make_vehicle(client, tenants.a.owner, type="equipment")
    filled = await form(client, tenants.a.as_(Role.DRIVER), forklift["id"])
    assert filled["template"]["id"] == template["id"]
    done = await client.post(
        URL, json=submission(filled, {"forks": {"note": "Bent"}}), headers=tenants.a.owner
    )
    assert done.status_code == 201
    assert done.json()["critical_count"] == 1

    # retiring the checklist leaves the forklift with the any-type one; the answers stay
    off = await client.patch(
        f"{TEMPLATES}/{template['id']}", json={"active": False}, headers=manager
    )
    assert off.json()["active"] is False
    filled = await form(client, tenants.a.as_(Role.DRIVER), forklift["id"])
    assert filled["template"]["name"] == "Any vehicle: pre-trip"
    kept = await client.get(f"{URL}/{done.json()['id']}", headers=manager)
    assert kept.json()["results"][0]["label"] == "Forks straight, no cracks"

    events = await client.get(
        "/api/v1/events",
        params={"entity_type": "inspection_template", "entity_id": template["id"]},
        headers=manager,
    )
    assert [e["type"] for e in events.json()["items"]] == [
        "inspection_template_updated",
        "inspection_template_updated",
        "inspection_template_created",
    ]


async def test_invalid_checklists_are_422(client: httpx.AsyncClient, tenants: Tenants) -> None:
    manager = tenants.a.as_(Role.FLEET_MANAGER)
    for body in (
        {"name": "x", "kind": "pre_trip", "items": []},
        {"name": "x", "kind": "mid_trip", "items": ITEMS},
        {"name": "x", "kind": "pre_trip", "vehicle_type": "spaceship", "items": ITEMS},
        {"name": "x", "kind": "pre_trip", "items": [ITEMS[0], ITEMS[0]]},
        {"name": "x", "kind": "pre_trip", "items": [{"label": ""}]},
        {"name": "x", "kind": "pre_trip", "items": [{"id": "a b", "label": "y"}]},
        {"name": " ", "kind": "pre_trip", "items": ITEMS},
    ):
        response = await client.post(TEMPLATES, json=body, headers=manager)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "validation_failed"
