"""The alert-rule, alert assignment/comment and notification-channel routes: anonymous
(401), wrong role (403), other tenant (404), invalid payload (422), valid."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from tests.conftest import Tenants

RULES = "/api/v1/alert-rules"
CHANNELS = "/api/v1/notification-channels"


async def _vehicle(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post(
        "/api/v1/vehicles", json={"plate": f"R-{uuid.uuid4().hex[:5]}"}, headers=headers
    )
    assert response.status_code == 201, response.text
    vehicle_id: str = response.json()["id"]
    return vehicle_id


async def test_alert_rule_lifecycle(client: httpx.AsyncClient, tenants: Tenants) -> None:
    owner = tenants.a.owner
    vehicle = await _vehicle(client, owner)
    created = await client.post(
        RULES,
        json={
            "name": "Hot engines",
            "kind": "coolant_high",
            "thresholds": {"trigger_c": 100, "release_c": 96},
            "vehicle_ids": [vehicle],
            "quiet_hours": {"start": "22:00", "end": "06:30"},
            "dedupe_window_s": 900,
        },
        headers=owner,
    )
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["thresholds"] == {"trigger_c": 100.0, "release_c": 96.0}
    assert rule["quiet_hours"] == {"start": "22:00:00", "end": "06:30:00"}
    assert rule["severity"] is None and rule["escalation"] is None and rule["version"] == 1

    listed = await client.get(RULES, headers=tenants.a.as_(Role.VIEWER))
    assert [r["id"] for r in listed.json()["items"]] == [rule["id"]]
    patched = await client.patch(
        f"{RULES}/{rule['id']}",
        json={"thresholds": {"trigger_c": 100, "release_c": 95}, "severity": "warning"},
        headers={**owner, "If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["thresholds"] == {"trigger_c": 100.0, "release_c": 95.0}
    assert patched.json()["version"] == 2
    stale = await client.patch(
        f"{RULES}/{rule['id']}", json={"enabled": False}, headers={**owner, "If-Match": '"1"'}
    )
    assert stale.status_code == 409
    deleted = await client.delete(f"{RULES}/{rule['id']}", headers=owner)
    assert deleted.status_code == 204
    events = await client.get("/api/v1/events", params={"entity_id": rule["id"]}, headers=owner)
    assert [e["type"] for e in events.json()["items"]] == [
        "alert_rule_deleted",
        "alert_rule_updated",
        "alert_rule_created",
    ]


async def test_alert_rule_refusals(client: httpx.AsyncClient, tenants: Tenants) -> None:
    owner = tenants.a.owner
    body: dict[str, Any] = {"name": "Fuel", "kind": "fuel_low"}
    assert (await client.post(RULES, json=body)).status_code == 401
    viewer = await client.post(RULES, json=body, headers=tenants.a.as_(Role.VIEWER))
    assert viewer.status_code == 403
    bad: list[tuple[dict[str, Any], str | None]] = [
        ({"kind": "teleportation"}, "kind"),
        ({"thresholds": {"trigger_pct": 20, "release_pct": 10}}, "thresholds"),
        ({"thresholds": {"trigger_pct": "low"}}, "thresholds"),
        ({"thresholds": {"colour": "red"}}, "thresholds"),
        ({"vehicle_ids": [str(uuid.uuid4())]}, "missing"),
        ({"escalation": {"after_minutes": 5, "to": [str(uuid.uuid4())]}}, "missing"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, None),
        ({"dedupe_window_s": -1}, None),
    ]
    for change, hint in bad:
        response = await client.post(RULES, json={**body, **change}, headers=owner)
        assert response.status_code == 422, (change, response.text)
        assert response.json()["error"]["code"] in ("validation_failed", "invalid_request")
        if hint:
            assert hint in response.text
    # another tenant's vehicle is as unknown as no vehicle; its rule is a 404
    theirs = await _vehicle(client, tenants.b.owner)
    refused = await client.post(RULES, json={**body, "vehicle_ids": [theirs]}, headers=owner)
    assert refused.status_code == 422
    mine = await client.post(RULES, json=body, headers=owner)
    assert mine.status_code == 201
    hidden = await client.get(f"{RULES}/{mine.json()['id']}", headers=tenants.b.owner)
    assert hidden.status_code == 404


async def test_kinds_list_their_thresholds(client: httpx.AsyncClient, tenants: Tenants) -> None:
    response = await client.get(f"{RULES}/kinds", headers=tenants.a.as_(Role.VIEWER))
    assert response.status_code == 200
    kinds = {k["kind"]: k for k in response.json()}
    assert kinds["fuel_low"]["thresholds"] == {"trigger_pct": 10.0, "release_pct": 15.0}
    assert kinds["coolant_high"]["telemetry"] is True
    assert {"geofence", "speeding", "harsh_event", "idling", "device_offline"} <= set(kinds)


async def test_assign_and_comment(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    owner = tenants.a.owner
    vehicle = await _vehicle(client, owner)
    alert_id = uuid.uuid4()
    await db_session.execute(
        text(
            "insert into alerts (tenant_id, id, vehicle_id, kind, code, severity, message, "
            "opened_at, last_seen_at) values (:t, :id, :v, 'fuel_low', '', 'warning', "
            "'Fuel level 8 % is below 10 %.', now(), now())"
        ),
        {"t": tenants.a.id, "id": alert_id, "v": vehicle},
    )
    members = await client.get("/api/v1/members", headers=owner)
    owner_user = members.json()[0]["user_id"]

    assigned = await client.post(
        f"/api/v1/alerts/{alert_id}/assign", json={"user_id": owner_user}, headers=owner
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["assigned_to"] == owner_user
    stranger = await client.post(
        f"/api/v1/alerts/{alert_id}/assign", json={"user_id": str(uuid.uuid4())}, headers=owner
    )
    assert stranger.status_code == 422
    viewer = await client.post(
        f"/api/v1/alerts/{alert_id}/comments",
        json={"body": "hi"},
        headers=tenants.a.as_(Role.VIEWER),
    )
    assert viewer.status_code == 403
    commented = await client.post(
        f"/api/v1/alerts/{alert_id}/comments",
        json={"body": "  Refuelled at the depot.  "},
        headers=tenants.a.as_(Role.MECHANIC),
    )
    assert commented.status_code == 201, commented.text
    assert commented.json()["body"] == "Refuelled at the depot."
    assert commented.json()["author_name"] == "test mechanic"
    empty = await client.post(
        f"/api/v1/alerts/{alert_id}/comments", json={"body": "   "}, headers=owner
    )
    assert empty.status_code == 422
    thread = await client.get(f"/api/v1/alerts/{alert_id}/comments", headers=owner)
    assert [c["body"] for c in thread.json()] == ["Refuelled at the depot."]
    other = await client.get(f"/api/v1/alerts/{alert_id}/comments", headers=tenants.b.owner)
    assert other.status_code == 404
    events = await client.get("/api/v1/events", params={"entity_id": str(alert_id)}, headers=owner)
    assert [e["type"] for e in events.json()["items"]] == ["alert_commented", "alert_assigned"]


async def test_smtp_password_and_vapid_key_are_sealed_and_never_returned(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    owner = tenants.a.owner
    saved = await client.put(
        f"{CHANNELS}/email",
        json={
            "enabled": True,
            "host": "smtp.example.com",
            "port": 587,
            "username": "fleet",
            "password": "s3cret-smtp-pass",
            "from_address": "fleet@example.com",
        },
        headers=owner,
    )
    assert saved.status_code == 200, saved.text
    assert "s3cret" not in saved.text
    assert saved.json()["email"]["password_set"] is True
    key = await client.get(f"{CHANNELS}/push/vapid-public-key", headers=tenants.a.as_(Role.VIEWER))
    assert key.status_code == 200
    again = await client.get(f"{CHANNELS}/push/vapid-public-key", headers=owner)
    assert again.json() == key.json()
    read = await client.get(CHANNELS, headers=owner)
    assert read.json()["push"]["public_key"] == key.json()["public_key"]
    assert "private" not in read.text and "s3cret" not in read.text
    row = (
        await db_session.execute(
            text(
                "select smtp_password_sealed, vapid_private_key_sealed "
                "from notification_channel_settings where tenant_id = :t"
            ),
            {"t": tenants.a.id},
        )
    ).one()
    assert b"s3cret" not in bytes(row.smtp_password_sealed)
    assert row.vapid_private_key_sealed is not None
    # left out keeps the password; null removes it
    kept = await client.put(
        f"{CHANNELS}/email",
        json={"enabled": True, "host": "smtp.example.com", "from_address": "fleet@example.com"},
        headers=owner,
    )
    assert kept.json()["email"]["password_set"] is True
    cleared = await client.put(
        f"{CHANNELS}/email",
        json={
            "enabled": True,
            "host": "smtp.example.com",
            "from_address": "fleet@example.com",
            "password": None,
        },
        headers=owner,
    )
    assert cleared.json()["email"]["password_set"] is False
    manager = await client.get(CHANNELS, headers=tenants.a.as_(Role.FLEET_MANAGER))
    assert manager.status_code == 403
    other = await client.get(CHANNELS, headers=tenants.b.owner)
    assert other.json()["email"]["host"] is None


async def test_push_subscriptions_are_validated(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    # API keys have no browser
    keyed = await client.post(
        f"{CHANNELS}/push/subscriptions",
        json={"endpoint": "https://push.example.com/x", "keys": {"p256dh": "AA", "auth": "AA"}},
        headers=tenants.a.owner,
    )
    assert keyed.status_code == 422  # keys checked before anything else


async def test_tenant_time_zone_is_validated(client: httpx.AsyncClient, tenants: Tenants) -> None:
    wrong = await client.patch(
        "/api/v1/tenant", json={"time_zone": "Mars/Olympus_Mons"}, headers=tenants.a.owner
    )
    assert wrong.status_code == 422
    right = await client.patch(
        "/api/v1/tenant", json={"time_zone": "Europe/Helsinki"}, headers=tenants.a.owner
    )
    assert right.json()["time_zone"] == "Europe/Helsinki"
    default = await client.get("/api/v1/tenant", headers=tenants.b.owner)
    assert default.json()["time_zone"] == "UTC"
