"""Webhook fixtures: a local receiver, and a hub of live tenants whose commits feed real
dispatchers (stopped, and the tenants' webhooks deleted, when the test ends)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest

from fleetyard.config import Settings
from fleetyard.db import with_user
from fleetyard.webhooks.dispatcher import WebhookDispatcher
from tests.conftest import Tenants
from tests.factories import TenantSetup
from tests.webhooks.receiver import Receiver

URL = "/api/v1/webhooks"
# Retries due in tens of milliseconds, and no wait longer than a poll of 50 ms.
FAST: dict[str, Any] = {
    "webhook_retry_base_s": 0.05,
    "webhook_poll_interval_s": 0.05,
    "webhook_timeout_s": 5.0,
}


async def create_webhook(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    fields.setdefault("url", "https://hooks.example.com/fleetyard")
    fields.setdefault("event_types", ["vehicle_created"])
    response = await client.post(URL, json=fields, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def list_deliveries(
    client: httpx.AsyncClient, headers: dict[str, str], webhook_id: str, **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(
        f"{URL}/{webhook_id}/deliveries", params={"limit": 500, **params}, headers=headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def insert_events(
    database_url: str, tenant_id: uuid.UUID, event_type: str, count: int
) -> None:
    """Events written with raw SQL on the app role, as the gateway writes alert events."""
    conn = await asyncpg.connect(with_user(database_url, "fleetyard_app"))
    try:
        async with conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant_id))
            entity_type = event_type.rsplit("_", 1)[0]
            await conn.execute(
                "insert into events (tenant_id, type, entity_type, entity_id, actor_type, changes)"
                " select $1, $2, $3, gen_random_uuid(), 'system', jsonb_build_object('n', n)"
                " from generate_series(1, $4) as n",
                tenant_id,
                event_type,
                entity_type,
                count,
            )
    finally:
        await conn.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    endpoint = Receiver()
    await endpoint.start()
    yield endpoint
    await endpoint.stop()


@dataclass
class Hub:
    client: httpx.AsyncClient
    tenants: Tenants
    receiver: Receiver
    settings: Settings
    database_url: str
    dispatchers: list[WebhookDispatcher] = field(default_factory=list)

    @property
    def a(self) -> TenantSetup:
        return self.tenants.a

    async def dispatcher(self, **overrides: Any) -> WebhookDispatcher:
        settings = self.settings.model_copy(update={**FAST, **overrides})
        dispatcher = WebhookDispatcher(settings, self.database_url)
        await dispatcher.open()
        self.dispatchers.append(dispatcher)
        return dispatcher

    async def webhook(self, path: str, **fields: Any) -> dict[str, Any]:
        """A webhook of tenant A pointing at ``path`` on the receiver."""
        return await create_webhook(
            self.client, self.a.owner, url=self.receiver.url(path), **fields
        )

    async def deliveries(self, webhook_id: str, **params: Any) -> list[dict[str, Any]]:
        return await list_deliveries(self.client, self.a.owner, webhook_id, **params)

    async def settled(
        self, webhook_id: str, count: int, within_s: float = 15.0
    ) -> list[dict[str, Any]]:
        """The webhook's deliveries once ``count`` of them are no longer pending."""
        async with asyncio.timeout(within_s):
            while True:
                items = await self.deliveries(webhook_id)
                if sum(1 for d in items if d["status"] != "pending") >= count:
                    return items
                await asyncio.sleep(0.05)

    async def vehicle(self, plate: str) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/vehicles", json={"plate": plate}, headers=self.a.owner
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


@pytest.fixture
async def hub(
    live_client: httpx.AsyncClient,
    live_tenants: Tenants,
    receiver: Receiver,
    settings: Settings,
    database_url: str,
) -> AsyncIterator[Hub]:
    hub = Hub(live_client, live_tenants, receiver, settings, database_url)
    yield hub
    for dispatcher in hub.dispatchers:
        await dispatcher.stop()
    # Nothing of this test is left for a later test's dispatcher to send.
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "delete from webhooks where tenant_id = any($1::uuid[])",
            [live_tenants.a.id, live_tenants.b.id],
        )
    finally:
        await conn.close()
