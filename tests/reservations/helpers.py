"""Builders shared by the reservation tests: vehicles and bookings by hour."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

T0 = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)


def at(hours: float) -> str:
    """An ISO instant ``hours`` after a fixed Monday morning."""
    return (T0 + timedelta(hours=hours)).isoformat()


async def make_vehicle(client: httpx.AsyncClient, headers: dict[str, str], **fields: Any) -> str:
    fields.setdefault("plate", f"R-{uuid.uuid4().hex[:8]}")
    response = await client.post("/api/v1/vehicles", json=fields, headers=headers)
    assert response.status_code == 201, response.text
    vehicle_id: str = response.json()["id"]
    return vehicle_id


async def reserve(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    vehicle_id: str,
    start: float,
    end: float,
    **fields: Any,
) -> httpx.Response:
    body = {"vehicle_id": vehicle_id, "starts_at": at(start), "ends_at": at(end), **fields}
    return await client.post("/api/v1/reservations", json=body, headers=headers)


async def booked(
    client: httpx.AsyncClient, headers: dict[str, str], vehicle_id: str, start: float, end: float
) -> dict[str, Any]:
    response = await reserve(client, headers, vehicle_id, start, end)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
