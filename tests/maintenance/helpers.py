"""Making maintenance's records over HTTP and setting a vehicle's live meters as the ingest
pipeline stores them (``vehicle_state``: odometer in metres, engine hours an attribute)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId

SCHEDULES = "/api/v1/service-schedules"
WORK_ORDERS = "/api/v1/work-orders"
PARTS = "/api/v1/parts"


async def make_vehicle(client: httpx.AsyncClient, headers: dict[str, str], **fields: Any) -> str:
    body = {"plate": f"MX-{uuid.uuid4().hex[:6]}", **fields}
    response = await client.post("/api/v1/vehicles", json=body, headers=headers)
    assert response.status_code == 201, response.text
    vehicle_id: str = response.json()["id"]
    return vehicle_id


async def set_meters(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    vehicle_id: str,
    *,
    km: float | None = None,
    hours: float | None = None,
    at: datetime | None = None,
) -> None:
    """The vehicle's live state, as the pipeline's upsert leaves it."""
    await set_tenant(session, TenantId(tenant_id))
    at = at or datetime.now(UTC)
    attributes = "{}" if hours is None else f'{{"engine_hours": {hours}}}'
    await session.execute(
        text(
            """
            insert into vehicle_state (tenant_id, vehicle_id, device_id, fix_time, server_time,
                latitude, longitude, odometer_m, attributes)
            values (:t, :v, :d, :at, :at, 60.17, 24.94, :odo, cast(:attrs as jsonb))
            on conflict (tenant_id, vehicle_id) do update set
                odometer_m = excluded.odometer_m, fix_time = excluded.fix_time,
                attributes = vehicle_state.attributes || excluded.attributes
            """
        ),
        {
            "t": tenant_id,
            "v": uuid.UUID(vehicle_id),
            "d": uuid.uuid4(),
            "at": at,
            "odo": None if km is None else km * 1000,
            "attrs": attributes,
        },
    )
    await session.commit()


async def make_schedule(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {"name": "Oil service", **fields}
    response = await client.post(SCHEDULES, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def make_part(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {
        "part_number": f"P-{uuid.uuid4().hex[:8]}",
        "name": "Oil filter",
        "quantity_on_hand": "10",
        "unit_cost": "12.40",
        "reorder_level": "2",
        **fields,
    }
    response = await client.post(PARTS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def open_alerts(
    session: AsyncSession, tenant_id: uuid.UUID, vehicle_id: str
) -> list[tuple[str, str, str]]:
    """(kind, code, message) of the vehicle's open alerts."""
    await set_tenant(session, TenantId(tenant_id))
    rows = await session.execute(
        text(
            "select kind, code, message from alerts where tenant_id = :t and vehicle_id = :v "
            "and cleared_at is null order by kind"
        ),
        {"t": tenant_id, "v": uuid.UUID(vehicle_id)},
    )
    await session.commit()
    return [(r.kind, r.code, r.message) for r in rows]
