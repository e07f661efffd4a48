"""Builders shared by the inspection tests: vehicles, real little images, submissions."""

from __future__ import annotations

import base64
import io
import uuid
from typing import Any

import httpx
from PIL import Image

URL = "/api/v1/inspections"


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (32, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


def photo(data: bytes, content_type: str = "image/jpeg") -> dict[str, str]:
    return {"content_type": content_type, "data": base64.b64encode(data).decode()}


async def make_vehicle(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    fields.setdefault("plate", f"I-{uuid.uuid4().hex[:8]}")
    fields.setdefault("type", "van")
    response = await client.post("/api/v1/vehicles", json=fields, headers=headers)
    assert response.status_code == 201, response.text
    vehicle: dict[str, Any] = response.json()
    return vehicle


async def form(
    client: httpx.AsyncClient, headers: dict[str, str], vehicle_id: str, kind: str = "pre_trip"
) -> dict[str, Any]:
    response = await client.get(
        f"{URL}/form", params={"vehicle_id": vehicle_id, "kind": kind}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def answers(
    template: dict[str, Any], fails: dict[str, dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Every item passed, except those in ``fails`` (item id → extra answer fields)."""
    fails = fails or {}
    return [
        {"item_id": item["id"], "result": "fail", **fails[item["id"]]}
        if item["id"] in fails
        else {"item_id": item["id"], "result": "pass"}
        for item in template["items"]
    ]


def submission(
    filled: dict[str, Any], fails: dict[str, dict[str, Any]] | None = None, **fields: Any
) -> dict[str, Any]:
    return {
        "vehicle_id": filled["vehicle_id"],
        "template_id": filled["template"]["id"],
        "kind": filled["kind"],
        "answers": answers(filled["template"], fails),
        **fields,
    }
