"""The outbox trigger on ``events``: one pending delivery per active matching webhook of the
event's tenant, in the event's own transaction, whoever wrote the event."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from tests.conftest import Tenants
from tests.webhooks.conftest import URL, create_webhook, list_deliveries


async def types_delivered(
    client: httpx.AsyncClient, headers: dict[str, str], webhook: dict[str, Any]
) -> list[str]:
    """Event types queued for the webhook, leaving out webhook_* (a ``*`` webhook hears of its
    own creation)."""
    deliveries = await list_deliveries(client, headers, webhook["id"])
    return sorted(t for d in deliveries if not (t := d["event_type"]).startswith("webhook_"))


async def test_only_active_matching_webhooks_of_the_tenant_get_a_delivery(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    a, b = tenants.a.owner, tenants.b.owner
    vehicles = await create_webhook(client, a, event_types=["vehicle_created"])
    drivers = await create_webhook(client, a, event_types=["driver_created", "driver_deleted"])
    inactive = await create_webhook(client, a, event_types=["vehicle_created"], active=False)
    everything = await create_webhook(client, a, event_types=["*"])
    other_tenant = await create_webhook(client, b, event_types=["*"])

    vehicle = await client.post("/api/v1/vehicles", json={"plate": "TRIG-1"}, headers=a)
    assert vehicle.status_code == 201

    assert await types_delivered(client, a, vehicles) == ["vehicle_created"]
    assert await types_delivered(client, a, drivers) == []
    assert await types_delivered(client, a, inactive) == []
    assert await types_delivered(client, a, everything) == ["vehicle_created"]
    assert await types_delivered(client, b, other_tenant) == []

    [delivery] = await list_deliveries(client, a, vehicles["id"])
    events = await client.get("/api/v1/events", params={"type": "vehicle_created"}, headers=a)
    [event] = events.json()["items"]
    assert delivery["event_id"] == event["id"]
    assert delivery["status"] == "pending"
    assert delivery["attempts"] == 0
    payload = delivery["payload"]
    assert payload["id"] == event["id"]
    assert payload["type"] == "vehicle_created"
    assert payload["entity_type"] == "vehicle"
    assert payload["entity_id"] == vehicle.json()["id"]
    assert payload["actor_type"] == event["actor_type"]
    assert payload["actor_id"] == event["actor_id"]
    assert payload["changes"] == event["changes"]
    assert payload["tenant_id"] == str(tenants.a.id)
    assert payload["occurred_at"].endswith("Z")


async def test_a_failed_change_queues_nothing(client: httpx.AsyncClient, tenants: Tenants) -> None:
    a = tenants.a.owner
    webhook = await create_webhook(client, a, event_types=["vehicle_created"])
    await client.post("/api/v1/vehicles", json={"plate": "SAME"}, headers=a)
    duplicate = await client.post("/api/v1/vehicles", json={"plate": "SAME"}, headers=a)
    assert duplicate.status_code == 409
    assert len(await list_deliveries(client, a, webhook["id"])) == 1


async def test_events_written_with_raw_sql_feed_it_too(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    """The gateway writes alert events with plain INSERTs on the app role."""
    webhook = await create_webhook(
        client, tenants.a.owner, event_types=["alert_opened", "alert_cleared"]
    )
    await set_tenant(db_session, TenantId(tenants.a.id))
    await db_session.execute(
        text(
            "insert into events (tenant_id, type, entity_type, entity_id, actor_type, changes) "
            "values (:t, 'alert_opened', 'alert', gen_random_uuid(), 'system', '{}'), "
            "(:t, 'alert_cleared', 'alert', gen_random_uuid(), 'system', '{}'), "
            "(:t, 'alert_acknowledged', 'alert', gen_random_uuid(), 'system', '{}')"
        ),
        {"t": str(tenants.a.id)},
    )
    await db_session.commit()
    assert await types_delivered(client, tenants.a.owner, webhook) == [
        "alert_cleared",
        "alert_opened",
    ]


async def test_a_subscriber_to_everything_hears_about_webhooks_too(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    a = tenants.a.owner
    everything = await create_webhook(client, a, event_types=["*"])
    other = await create_webhook(client, a, event_types=["vehicle_created"])
    await client.delete(f"{URL}/{other['id']}", headers=a)
    deliveries = await list_deliveries(client, a, everything["id"])
    assert [(d["event_type"], d["payload"]["entity_id"]) for d in reversed(deliveries)] == [
        ("webhook_created", everything["id"]),
        ("webhook_created", other["id"]),
        ("webhook_deleted", other["id"]),
    ]
    secrets = [everything["secret"], other["secret"]]
    log = (await client.get(f"{URL}/{everything['id']}/deliveries", headers=a)).text
    assert not any(secret in log for secret in secrets)


async def test_rows_of_other_tenants_stay_invisible(
    client: httpx.AsyncClient, tenants: Tenants, connection: AsyncConnection
) -> None:
    """Row-level security on both tables, for the app role, whatever the SQL forgets."""
    await create_webhook(client, tenants.a.owner, event_types=["*"])
    await client.post("/api/v1/vehicles", json={"plate": "RLS-W"}, headers=tenants.a.owner)
    counts = "select (select count(*) from webhooks), (select count(*) from webhook_deliveries)"
    await connection.execute(text("select set_config('app.tenant_id', '', true)"))
    assert (await connection.execute(text(counts))).one() == (0, 0)
    await connection.execute(
        text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenants.b.id)}
    )
    assert (await connection.execute(text(counts))).one() == (0, 0)
    await connection.execute(
        text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenants.a.id)}
    )
    webhooks, deliveries = (await connection.execute(text(counts))).one()
    assert webhooks == 1 and deliveries >= 2
    await connection.execute(text("select set_config('app.tenant_id', '', true)"))


async def test_the_trigger_uses_the_active_webhook_index(connection: AsyncConnection) -> None:
    await connection.execute(text("set local enable_seqscan = off"))
    plan = await connection.execute(
        text(
            "explain select id from webhooks "
            "where tenant_id = '00000000-0000-0000-0000-000000000000' and active "
            "and (event_types @> array['vehicle_created'] or event_types @> array['*'])"
        )
    )
    assert "ix_webhooks_active" in "\n".join(row[0] for row in plan)
