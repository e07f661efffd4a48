"""Webhook helpers."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx

from fleetyard.db import with_user

URL = "/api/v1/webhooks"


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
