"""The dispatcher end to end: committed events, real dispatchers on the owner connection, and a
real HTTP endpoint on 127.0.0.1 that checks every signature as a receiver would."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections import Counter

import asyncpg

from fleetyard.app import Role, create_app
from fleetyard.config import Settings
from fleetyard.webhooks.dispatcher import WebhookDispatcher
from tests.webhooks.conftest import Hub, insert_events
from tests.webhooks.receiver import Received


def verify(secret: str, received: Received, tolerance_s: int = 300) -> bool:
    """The receiver's check, as docs/webhooks.md shows it (standard library only)."""
    fields = [p.split("=", 1) for p in received.headers["fleetyard-signature"].split(",")]
    timestamp = next(v for k, v in fields if k == "t")
    if abs(time.time() - int(timestamp)) > tolerance_s:
        return False
    signed = timestamp.encode() + b"." + received.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, v) for k, v in fields if k == "v1")


async def test_delivers_a_signed_event(hub: Hub) -> None:
    webhook = await hub.webhook("/hook", event_types=["vehicle_created"])
    await hub.dispatcher()
    vehicle = await hub.vehicle("HOOK-1")

    [received] = await hub.receiver.wait_for("/hook", 1)
    assert verify(webhook["secret"], received)
    assert not verify("whsec_another", received)
    body = json.loads(received.body)
    assert body["type"] == "vehicle_created"
    assert body["entity_type"] == "vehicle"
    assert body["entity_id"] == vehicle["id"]
    assert body["tenant_id"] == str(hub.a.id)
    assert body["actor_type"] == "api_key"
    assert body["changes"]["plate"] == {"before": None, "after": "HOOK-1"}
    assert body["occurred_at"].endswith("Z")
    headers = received.headers
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("Fleetyard-Webhooks/")
    assert headers["fleetyard-event"] == "vehicle_created"
    assert headers["fleetyard-delivery"] == body["delivery_id"]

    [delivery] = await hub.settled(webhook["id"], 1)
    assert delivery["id"] == body["delivery_id"]
    assert delivery["event_id"] == body["id"]
    assert delivery["status"] == "succeeded"
    assert delivery["attempts"] == 1
    assert delivery["response_status"] == 200
    assert delivery["response_body"] == '{"received":true}'
    assert delivery["error"] is None
    assert delivery["next_attempt_at"] is None
    assert delivery["duration_ms"] is not None


async def test_retries_with_growing_waits_until_it_succeeds(hub: Hub) -> None:
    hub.receiver.statuses["/flaky"].extend([500, 502])
    webhook = await hub.webhook("/flaky")
    await hub.dispatcher(webhook_retry_base_s=0.2)
    await hub.vehicle("FLAKY-1")

    attempts = await hub.receiver.wait_for("/flaky", 3)
    [delivery] = await hub.settled(webhook["id"], 1)
    assert delivery["status"] == "succeeded"
    assert delivery["attempts"] == 3
    assert delivery["response_status"] == 200
    assert len({a.headers["fleetyard-delivery"] for a in attempts}) == 1
    first_wait = attempts[1].at - attempts[0].at
    second_wait = attempts[2].at - attempts[1].at
    assert 0.15 < first_wait < second_wait  # ≈ 0.2 s, then ≈ 0.6 s (± 20 %)


async def test_fails_after_the_last_attempt(hub: Hub) -> None:
    hub.receiver.statuses["/down"].extend([503] * 10)
    webhook = await hub.webhook("/down")
    await hub.dispatcher(webhook_max_attempts=3)
    await hub.vehicle("DOWN-1")

    [delivery] = await hub.settled(webhook["id"], 1)
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == 3
    assert delivery["response_status"] == 503
    assert delivery["error"] == "The endpoint answered HTTP 503."
    assert delivery["next_attempt_at"] is None
    await asyncio.sleep(0.3)
    assert len(hub.receiver.at("/down")) == 3


async def test_a_timeout_or_a_closed_port_is_retried(hub: Hub) -> None:
    hub.receiver.delays["/sleepy"] = 2.0
    sleepy = await hub.webhook("/sleepy")
    closed = await hub.webhook("/closed")
    await hub.client.patch(
        f"/api/v1/webhooks/{closed['id']}",
        json={"url": "http://127.0.0.1:9/closed"},  # discard port: nothing listens
        headers=hub.a.owner,
    )
    await hub.dispatcher(webhook_timeout_s=0.3, webhook_max_attempts=2)
    await hub.vehicle("SLOW-1")

    [timed_out] = await hub.settled(sleepy["id"], 1)
    assert timed_out["status"] == "failed"
    assert timed_out["attempts"] == 2
    assert timed_out["response_status"] is None
    assert timed_out["error"] == "No complete answer within 0.3 s."
    [refused] = await hub.settled(closed["id"], 1)
    assert refused["status"] == "failed"
    assert refused["attempts"] == 2
    assert refused["error"].startswith("ConnectError")


async def test_a_slow_endpoint_does_not_hold_up_a_fast_one(hub: Hub) -> None:
    hub.receiver.delays["/slow"] = 3.0
    await hub.webhook("/slow")
    await hub.webhook("/fast")
    await hub.dispatcher(webhook_workers=4, webhook_workers_per_endpoint=2)
    started = time.monotonic()
    for n in range(8):
        await hub.vehicle(f"FAIR-{n}")

    fast = await hub.receiver.wait_for("/fast", 8, within_s=2.9)
    assert fast[-1].at - started < 2.9
    assert hub.receiver.answered == [(p, t) for p, t in hub.receiver.answered if p == "/fast"]
    assert len(hub.receiver.at("/slow")) <= 2  # its share of workers, all still waiting


async def test_redelivery_sends_the_event_again_and_keeps_the_log(hub: Hub) -> None:
    webhook = await hub.webhook("/again")
    await hub.dispatcher()
    await hub.vehicle("AGAIN-1")
    [original] = await hub.settled(webhook["id"], 1)

    response = await hub.client.post(
        f"/api/v1/webhooks/{webhook['id']}/deliveries/{original['id']}/redeliver",
        headers=hub.a.owner,
    )
    assert response.status_code == 202, response.text
    assert response.json()["redelivery_of"] == original["id"]
    first, second = await hub.receiver.wait_for("/again", 2)
    assert json.loads(first.body)["id"] == json.loads(second.body)["id"]
    assert json.loads(second.body)["delivery_id"] == response.json()["id"]
    assert verify(webhook["secret"], second)

    newest, oldest = await hub.settled(webhook["id"], 2)
    assert newest["id"] == response.json()["id"]
    assert newest["status"] == "succeeded"
    assert oldest == original


async def test_ping_reaches_the_endpoint(hub: Hub) -> None:
    webhook = await hub.webhook("/ping", event_types=["alert_opened"])
    await hub.dispatcher()
    response = await hub.client.post(f"/api/v1/webhooks/{webhook['id']}/ping", headers=hub.a.owner)
    assert response.status_code == 202, response.text

    [received] = await hub.receiver.wait_for("/ping", 1)
    body = json.loads(received.body)
    assert body["type"] == "webhook_ping"
    assert body["id"] is None
    assert body["entity_id"] == webhook["id"]
    assert received.headers["fleetyard-event"] == "webhook_ping"
    assert verify(webhook["secret"], received)


async def test_two_dispatchers_never_send_a_delivery_twice(hub: Hub) -> None:
    hub.receiver.delays["/shared"] = 0.01
    webhook = await hub.webhook("/shared", event_types=["alert_opened"])
    await hub.dispatcher(webhook_workers=8)
    await hub.dispatcher(webhook_workers=8)
    await insert_events(hub.database_url, hub.a.id, "alert_opened", 120)

    received = await hub.receiver.wait_for("/shared", 120, within_s=30)
    await asyncio.sleep(0.5)  # time for any duplicate to arrive
    counts = Counter(r.headers["fleetyard-delivery"] for r in hub.receiver.at("/shared"))
    assert len(received) == 120
    assert set(counts.values()) == {1}
    deliveries = await hub.settled(webhook["id"], 120)
    assert {d["status"] for d in deliveries} == {"succeeded"}
    assert {d["attempts"] for d in deliveries} == {1}


async def test_rotated_secret_signs_next_to_the_previous_one(hub: Hub) -> None:
    webhook = await hub.webhook("/rotated")
    rotated = await hub.client.post(
        f"/api/v1/webhooks/{webhook['id']}/rotate-secret",
        json={"previous_secret_ttl_s": 3600},
        headers=hub.a.owner,
    )
    assert rotated.status_code == 200, rotated.text
    await hub.dispatcher()
    await hub.vehicle("ROT-1")

    [received] = await hub.receiver.wait_for("/rotated", 1)
    assert received.headers["fleetyard-signature"].count("v1=") == 2
    assert verify(rotated.json()["secret"], received)
    assert verify(webhook["secret"], received)


async def test_private_targets_can_be_refused(hub: Hub) -> None:
    webhook = await hub.webhook("/private")
    await hub.dispatcher(webhook_allow_private_targets=False)
    await hub.vehicle("PRIV-1")

    [delivery] = await hub.settled(webhook["id"], 1)
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == 1
    assert "127.0.0.1, which is not a public address" in delivery["error"]
    assert hub.receiver.at("/private") == []


async def test_the_app_runs_a_dispatcher_when_it_owns_its_database(settings: Settings) -> None:
    app = create_app(settings, role=Role.API)
    async with app.router.lifespan_context(app):
        dispatcher = app.state.webhooks
        assert isinstance(dispatcher, WebhookDispatcher)
        assert dispatcher._task is not None and not dispatcher._task.done()
    assert dispatcher._task.done()

    disabled = create_app(settings.model_copy(update={"webhooks_enabled": False}), role=Role.API)
    async with disabled.router.lifespan_context(disabled):
        assert disabled.state.webhooks is None


async def test_old_finished_deliveries_are_pruned(hub: Hub) -> None:
    webhook = await hub.webhook("/old")
    dispatcher = await hub.dispatcher()
    await hub.vehicle("OLD-1")
    await hub.vehicle("OLD-2")
    first, second = await hub.settled(webhook["id"], 2)
    conn = await asyncpg.connect(hub.database_url)
    try:
        await conn.execute(
            "update webhook_deliveries set created_at = now() - interval '31 days' "
            "where tenant_id = $1 and id = $2",
            hub.a.id,
            uuid.UUID(second["id"]),
        )
    finally:
        await conn.close()
    dispatcher._next_prune = 0.0
    dispatcher._wake.set()
    async with asyncio.timeout(5):
        while True:
            kept = await hub.deliveries(webhook["id"])
            if len(kept) == 1:
                break
            await asyncio.sleep(0.05)
    assert [d["id"] for d in kept] == [first["id"]]


async def test_lost_database_connections_are_made_again(hub: Hub) -> None:
    webhook = await hub.webhook("/resilient")
    dispatcher = await hub.dispatcher()
    await hub.vehicle("RES-1")
    await hub.settled(webhook["id"], 1)
    assert dispatcher._listener is not None
    listening = dispatcher._listener.get_server_pid()

    conn = await asyncpg.connect(hub.database_url)
    try:
        killed = await conn.fetchval(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity "
            "where datname = current_database() and usename = current_user "
            "and pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    assert killed >= 2  # the listener and the pool's connection

    await hub.vehicle("RES-2")
    await hub.receiver.wait_for("/resilient", 2)
    await hub.settled(webhook["id"], 2)
    assert dispatcher._listener is not None
    assert dispatcher._listener.get_server_pid() != listening
