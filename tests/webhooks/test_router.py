from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from fleetyard.auth.roles import Role
from fleetyard.webhooks.service import MAX_WEBHOOKS
from tests.conftest import Tenants
from tests.webhooks.conftest import URL, create_webhook, list_deliveries

HOOK = "https://hooks.example.com/fleetyard"


async def ping(client: httpx.AsyncClient, headers: dict[str, str], webhook_id: str) -> str:
    response = await client.post(f"{URL}/{webhook_id}/ping", headers=headers)
    assert response.status_code == 202, response.text
    delivery_id: str = response.json()["id"]
    return delivery_id


async def test_create_get_list_update_delete(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.as_(Role.ADMIN)
    created = await create_webhook(
        client,
        headers,
        url=f" {HOOK} ",
        event_types=["vehicle_created", "alert_opened", "vehicle_created"],
        description="ERP sync",
    )
    assert created["url"] == HOOK
    assert created["event_types"] == ["vehicle_created", "alert_opened"]
    assert created["active"] is True
    assert created["version"] == 1
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    webhook = {k: v for k, v in created.items() if k != "secret"}

    got = await client.get(f"{URL}/{webhook['id']}", headers=headers)
    assert got.status_code == 200
    assert got.json() == webhook
    listed = await client.get(URL, headers=headers)
    assert listed.json() == {"items": [webhook], "next_cursor": None}

    updated = await client.patch(
        f"{URL}/{webhook['id']}",
        json={"event_types": ["*"], "description": "all of it"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["event_types"] == ["*"]
    assert updated.json()["version"] == 2
    assert "secret" not in updated.json()

    stale = await client.patch(
        f"{URL}/{webhook['id']}", json={"version": 1, "active": False}, headers=headers
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"

    assert (await client.delete(f"{URL}/{webhook['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"{URL}/{webhook['id']}", headers=headers)).status_code == 404

    events = await client.get("/api/v1/events", params={"entity_type": "webhook"}, headers=headers)
    items = events.json()["items"]
    assert [e["type"] for e in items] == ["webhook_deleted", "webhook_updated", "webhook_created"]
    assert set(items[2]["changes"]) == {"id", "url", "description", "event_types", "active"}
    assert created["secret"] not in events.text


async def test_rotate_secret_shows_the_new_one_once(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    created = await create_webhook(client, tenants.a.owner)
    rotated = await client.post(f"{URL}/{created['id']}/rotate-secret", headers=tenants.a.owner)
    assert rotated.status_code == 200, rotated.text
    secret = rotated.json()["secret"]
    assert secret.startswith("whsec_") and secret != created["secret"]
    assert rotated.json()["version"] == 2
    got = await client.get(f"{URL}/{created['id']}", headers=tenants.a.owner)
    assert "secret" not in got.json()
    events = await client.get(
        "/api/v1/events", params={"type": "webhook_secret_rotated"}, headers=tenants.a.owner
    )
    [event] = events.json()["items"]
    assert event["entity_id"] == created["id"]
    assert event["changes"] == {}
    assert secret not in events.text and created["secret"] not in events.text


async def test_ping_and_the_delivery_log(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    webhook = await create_webhook(client, headers, event_types=["alert_opened"])
    first = await ping(client, headers, webhook["id"])
    second = await ping(client, headers, webhook["id"])

    deliveries = await list_deliveries(client, headers, webhook["id"])
    assert [d["id"] for d in deliveries] == [second, first]
    delivery = deliveries[0]
    assert delivery["event_type"] == "webhook_ping"
    assert delivery["event_id"] is None
    assert delivery["status"] == "pending"
    assert delivery["attempts"] == 0
    assert delivery["next_attempt_at"] is not None
    assert delivery["payload"]["type"] == "webhook_ping"
    assert delivery["payload"]["entity_id"] == webhook["id"]
    assert delivery["payload"]["tenant_id"] == str(tenants.a.id)

    got = await client.get(f"{URL}/{webhook['id']}/deliveries/{first}", headers=headers)
    assert got.status_code == 200
    assert got.json() == deliveries[1]

    page = await client.get(f"{URL}/{webhook['id']}/deliveries?limit=1", headers=headers)
    assert [d["id"] for d in page.json()["items"]] == [second]
    rest = await client.get(
        f"{URL}/{webhook['id']}/deliveries",
        params={"limit": 1, "cursor": page.json()["next_cursor"]},
        headers=headers,
    )
    assert [d["id"] for d in rest.json()["items"]] == [first]
    assert rest.json()["next_cursor"] is None
    assert await list_deliveries(client, headers, webhook["id"], status="succeeded") == []
    assert len(await list_deliveries(client, headers, webhook["id"], status="pending")) == 2


async def test_deactivating_fails_pending_deliveries(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    webhook = await create_webhook(client, headers)
    delivery_id = await ping(client, headers, webhook["id"])
    patched = await client.patch(f"{URL}/{webhook['id']}", json={"active": False}, headers=headers)
    assert patched.status_code == 200

    [delivery] = await list_deliveries(client, headers, webhook["id"])
    assert delivery["id"] == delivery_id
    assert delivery["status"] == "failed"
    assert delivery["error"] == "The webhook was deactivated."
    refused = await client.post(f"{URL}/{webhook['id']}/ping", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "webhook_inactive"
    again = await client.post(
        f"{URL}/{webhook['id']}/deliveries/{delivery_id}/redeliver", headers=headers
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "webhook_inactive"


async def test_redeliver_a_finished_delivery(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = tenants.a.owner
    webhook = await create_webhook(client, headers)
    delivery_id = await ping(client, headers, webhook["id"])
    url = f"{URL}/{webhook['id']}/deliveries/{delivery_id}/redeliver"

    pending = await client.post(url, headers=headers)
    assert pending.status_code == 409
    assert pending.json()["error"]["code"] == "delivery_pending"

    await client.patch(f"{URL}/{webhook['id']}", json={"active": False}, headers=headers)
    await client.patch(f"{URL}/{webhook['id']}", json={"active": True}, headers=headers)
    again = await client.post(url, headers=headers)
    assert again.status_code == 202, again.text
    copy = again.json()
    assert copy["id"] != delivery_id
    assert copy["redelivery_of"] == delivery_id
    assert copy["status"] == "pending"
    assert copy["event_type"] == "webhook_ping"
    newest, original = await list_deliveries(client, headers, webhook["id"])
    assert newest == copy
    assert original["status"] == "failed"


async def test_anonymous_is_refused(client: httpx.AsyncClient, tenants: Tenants) -> None:
    webhook = await create_webhook(client, tenants.a.owner)
    delivery_id = await ping(client, tenants.a.owner, webhook["id"])
    item = f"{URL}/{webhook['id']}"
    for method, url in [
        ("GET", URL),
        ("POST", URL),
        ("GET", item),
        ("PATCH", item),
        ("DELETE", item),
        ("POST", f"{item}/rotate-secret"),
        ("POST", f"{item}/ping"),
        ("GET", f"{item}/deliveries"),
        ("GET", f"{item}/deliveries/{delivery_id}"),
        ("POST", f"{item}/deliveries/{delivery_id}/redeliver"),
    ]:
        body = {} if method in ("POST", "PATCH") else None
        response = await client.request(method, url, json=body)
        assert response.status_code == 401, (method, url)
        assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "role", [Role.FLEET_MANAGER, Role.DISPATCHER, Role.MECHANIC, Role.DRIVER, Role.VIEWER]
)
async def test_only_owners_and_admins_manage_webhooks(
    client: httpx.AsyncClient, tenants: Tenants, role: Role
) -> None:
    webhook = await create_webhook(client, tenants.a.owner)
    delivery_id = await ping(client, tenants.a.owner, webhook["id"])
    headers = tenants.a.as_(role)
    item = f"{URL}/{webhook['id']}"
    for method, url, body in [
        ("GET", URL, None),
        ("POST", URL, {"url": HOOK, "event_types": ["*"]}),
        ("GET", item, None),
        ("PATCH", item, {"active": False}),
        ("DELETE", item, None),
        ("POST", f"{item}/rotate-secret", None),
        ("POST", f"{item}/ping", None),
        ("GET", f"{item}/deliveries", None),
        ("GET", f"{item}/deliveries/{delivery_id}", None),
        ("POST", f"{item}/deliveries/{delivery_id}/redeliver", None),
    ]:
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == 403, (method, url, response.text)
        assert response.json()["error"]["details"] == {"required": "webhooks:manage"}


async def test_other_tenant_sees_nothing(client: httpx.AsyncClient, tenants: Tenants) -> None:
    webhook = await create_webhook(client, tenants.a.owner, description="A's hook")
    delivery_id = await ping(client, tenants.a.owner, webhook["id"])
    other = tenants.b.owner
    item = f"{URL}/{webhook['id']}"
    for method, url, body in [
        ("GET", item, None),
        ("PATCH", item, {"active": False}),
        ("DELETE", item, None),
        ("POST", f"{item}/rotate-secret", None),
        ("POST", f"{item}/ping", None),
        ("GET", f"{item}/deliveries", None),
        ("GET", f"{item}/deliveries/{delivery_id}", None),
        ("POST", f"{item}/deliveries/{delivery_id}/redeliver", None),
    ]:
        response = await client.request(method, url, json=body, headers=other)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["error"]["code"] == "not_found"
    assert (await client.get(URL, headers=other)).json()["items"] == []
    # a delivery is found only under its own webhook
    mine = await create_webhook(client, other)
    crossed = await client.get(f"{URL}/{mine['id']}/deliveries/{delivery_id}", headers=other)
    assert crossed.status_code == 404
    got = await client.get(item, headers=tenants.a.owner)
    assert got.json()["version"] == 1 and got.json()["active"] is True


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"url": HOOK},
        {"event_types": ["vehicle_created"]},
        {"url": HOOK, "event_types": []},
        {"url": HOOK, "event_types": ["*", "vehicle_created"]},
        {"url": HOOK, "event_types": ["Vehicle_Created"]},
        {"url": HOOK, "event_types": ["vehicle"]},
        {"url": HOOK, "event_types": ["vehicle-created"]},
        {"url": HOOK, "event_types": ["vehicle_created "]},
        {"url": HOOK, "event_types": ["a_" + "b" * 63]},
        {
            "url": HOOK,
            "event_types": [f"type_{chr(97 + i % 26) * (i // 26 + 1)}" for i in range(101)],
        },
        {"url": HOOK, "event_types": "vehicle_created"},
        {"url": "ftp://hooks.example.com/x", "event_types": ["*"]},
        {"url": "hooks.example.com/x", "event_types": ["*"]},
        {"url": "https://", "event_types": ["*"]},
        {"url": "https:///path", "event_types": ["*"]},
        {"url": "https://user:pass@hooks.example.com/", "event_types": ["*"]},
        {"url": "https://token@hooks.example.com/", "event_types": ["*"]},
        {"url": "https://hooks.example.com:99999/", "event_types": ["*"]},
        {"url": "https://hooks.example.com/a b", "event_types": ["*"]},
        {"url": "https://hooks.example.com/#frag", "event_types": ["*"]},
        {"url": "https://[::1/", "event_types": ["*"]},
        {"url": "https://hooks.example.com/" + "x" * 2000, "event_types": ["*"]},
        {"url": HOOK, "event_types": ["*"], "description": "x" * 501},
        {"url": HOOK, "event_types": ["*"], "active": "maybe"},
        {"url": HOOK, "event_types": ["*"], "secret": "whsec_mine"},
        {"url": HOOK, "event_types": ["*"], "tenant_id": str(uuid.uuid4())},
    ],
)
async def test_invalid_create_is_422(
    client: httpx.AsyncClient, tenants: Tenants, payload: dict[str, Any]
) -> None:
    response = await client.post(URL, json=payload, headers=tenants.a.owner)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize(
    "payload",
    [
        {"url": None},
        {"event_types": None},
        {"active": None},
        {"url": "javascript:alert(1)"},
        {"event_types": []},
        {"secret": "x"},
        {"version": 0},
    ],
)
async def test_invalid_update_is_422(
    client: httpx.AsyncClient, tenants: Tenants, payload: dict[str, Any]
) -> None:
    webhook = await create_webhook(client, tenants.a.owner)
    response = await client.patch(f"{URL}/{webhook['id']}", json=payload, headers=tenants.a.owner)
    assert response.status_code == 422, response.text


async def test_invalid_queries_and_bodies_are_422(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = tenants.a.owner
    webhook = await create_webhook(client, headers)
    item = f"{URL}/{webhook['id']}"
    for method, url, body in [
        ("GET", f"{item}/deliveries?status=lost", None),
        ("GET", f"{item}/deliveries?cursor=forged", None),
        ("GET", f"{item}/deliveries?limit=0", None),
        ("GET", f"{URL}/not-a-uuid", None),
        ("GET", f"{item}/deliveries/not-a-uuid", None),
        ("POST", f"{item}/rotate-secret", {"previous_secret_ttl_s": -1}),
        ("POST", f"{item}/rotate-secret", {"previous_secret_ttl_s": 8 * 24 * 3600}),
    ]:
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == 422, (method, url, response.text)


async def test_at_most_twenty_webhooks_per_tenant(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    for _ in range(MAX_WEBHOOKS):
        await create_webhook(client, tenants.a.owner)
    refused = await client.post(
        URL, json={"url": HOOK, "event_types": ["*"]}, headers=tenants.a.owner
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "limit_exceeded"
    await create_webhook(client, tenants.b.owner)  # the other tenant's count is its own
