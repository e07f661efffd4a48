"""Web Push against a local HTTP server acting as the push service: the browser subscribes
with its own keys, an alert arrives there encrypted (aes128gcm) for those keys and signed
with the tenant's VAPID key; a failing push service is retried; a gone subscription is
dropped."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from fleetyard.auth.roles import Role
from tests.factories import UserSession, member_session
from tests.notifications.conftest import Desk
from tests.webhooks.receiver import Receiver


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class Browser:
    """What a browser's PushManager holds: an ECDH key pair and an auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def subscription(self) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        document: dict[str, Any] = json.loads(plain)
        return document


async def subscribe(desk: Desk, member: UserSession, browser: Browser) -> str:
    key = await desk.client.get(
        "/api/v1/notification-channels/push/vapid-public-key", headers=member.headers
    )
    assert key.status_code == 200, key.text
    subscribed = await desk.client.post(
        "/api/v1/notification-channels/push/subscriptions",
        json=browser.subscription(),
        headers=member.headers,
    )
    assert subscribed.status_code == 201, subscribed.text
    chosen = await desk.client.put(
        "/api/v1/notification-settings",
        json={"channels": [{"channel": "push", "enabled": True}]},
        headers=member.headers,
    )
    assert chosen.status_code == 200, chosen.text
    public_key: str = key.json()["public_key"]
    return public_key


async def test_an_alert_is_pushed_encrypted_and_signed(desk: Desk, push_service: Receiver) -> None:
    manager = await member_session(desk.client, desk.a, Role.FLEET_MANAGER)
    browser = Browser(push_service.url("/push/manager-laptop"))
    public_key = await subscribe(desk, manager, browser)
    vehicle = await desk.vehicle(desk.a, plate="PUSH-1")
    await desk.dispatcher()

    await desk.raise_alerts(desk.a, vehicle, kind="coolant_high", code="", times=3)
    [request] = await push_service.wait_for("/push/manager-laptop", 1)
    await desk.settled()

    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) > 0
    scheme, _, token = request.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    assert f"k={public_key}" in token
    assert Vapid02.verify(request.headers["authorization"])  # signed by the tenant's key
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["aud"] == f"http://127.0.0.1:{push_service.port}"
    assert b"Coolant" not in request.body  # encrypted
    payload = browser.decrypt(request.body)
    assert payload["title"] == "3 alerts: Coolant too hot"
    assert payload["count"] == 3
    assert payload["url"].endswith("/alerts/" + payload["url"].rsplit("/", 1)[-1])
    assert len(push_service.at("/push/manager-laptop")) == 1


async def test_a_failing_push_service_is_retried_and_a_gone_browser_dropped(
    desk: Desk, push_service: Receiver
) -> None:
    manager = await member_session(desk.client, desk.a, Role.FLEET_MANAGER)
    flaky = Browser(push_service.url("/push/flaky"))
    gone = Browser(push_service.url("/push/gone"))
    await subscribe(desk, manager, flaky)
    await subscribe(desk, manager, gone)
    push_service.statuses["/push/flaky"].extend([503, 500])
    push_service.statuses["/push/gone"].append(410)
    vehicle = await desk.vehicle(desk.a)
    await desk.dispatcher()

    await desk.raise_alerts(desk.a, vehicle, code="P0171")
    await push_service.wait_for("/push/flaky", 3)
    await desk.settled()

    deliveries = await desk.fetch(
        "select d.status, d.attempts, s.endpoint from notification_deliveries d "
        "left join push_subscriptions s on s.tenant_id = d.tenant_id and s.id::text = d.target "
        "where d.tenant_id = $1 order by d.attempts",
        desk.a.id,
    )
    assert [(d["status"], d["attempts"]) for d in deliveries] == [
        ("failed", 1),
        ("succeeded", 3),
    ]
    assert deliveries[0]["endpoint"] is None  # the gone browser's subscription was dropped
    settings = await desk.client.get("/api/v1/notification-settings", headers=manager.headers)
    assert settings.json()["push_subscriptions"] == 1
