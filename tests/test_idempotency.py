"""Idempotency-Key: a replay returns the first response and changes nothing."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Tenants


async def vehicle_count(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return len((await client.get("/api/v1/vehicles", headers=headers)).json()["items"])


async def test_create_replayed_returns_first_response(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = {**tenants.a.owner, "Idempotency-Key": "create-1"}
    first = await client.post("/api/v1/vehicles", json={"plate": "IDEM-1"}, headers=headers)
    second = await client.post("/api/v1/vehicles", json={"plate": "IDEM-1"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert await vehicle_count(client, tenants.a.owner) == 1


async def test_same_key_other_body_is_refused(client: httpx.AsyncClient, tenants: Tenants) -> None:
    headers = {**tenants.a.owner, "Idempotency-Key": "k"}
    assert (
        await client.post("/api/v1/vehicles", json={"plate": "A1"}, headers=headers)
    ).status_code == 201
    reused = await client.post("/api/v1/vehicles", json={"plate": "B2"}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"


async def test_update_replay_does_not_bump_version(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    vid = (
        await client.post("/api/v1/vehicles", json={"plate": "V1"}, headers=tenants.a.owner)
    ).json()["id"]
    headers = {**tenants.a.owner, "Idempotency-Key": "patch-1"}
    body = {"version": 1, "odometer_km": 1200}
    first = await client.patch(f"/api/v1/vehicles/{vid}", json=body, headers=headers)
    replay = await client.patch(f"/api/v1/vehicles/{vid}", json=body, headers=headers)
    assert first.status_code == replay.status_code == 200
    assert replay.json()["version"] == 2  # not a version_conflict: the first answer comes back
    current = (await client.get(f"/api/v1/vehicles/{vid}", headers=tenants.a.owner)).json()
    assert current["version"] == 2


async def test_failed_request_does_not_burn_the_key(
    client: httpx.AsyncClient, tenants: Tenants
) -> None:
    headers = {**tenants.a.owner, "Idempotency-Key": "retry-me"}
    vid = (
        await client.post("/api/v1/vehicles", json={"plate": "F1"}, headers=tenants.a.owner)
    ).json()["id"]
    stale = await client.patch(
        f"/api/v1/vehicles/{vid}", json={"version": 7, "plate": "F2"}, headers=headers
    )
    assert stale.status_code == 409
    fixed = await client.patch(
        f"/api/v1/vehicles/{vid}", json={"version": 7, "plate": "F2"}, headers=headers
    )
    assert fixed.status_code == 409  # still a conflict, decided afresh, not replayed
    assert "Idempotent-Replayed" not in fixed.headers


async def test_keys_are_per_tenant(client: httpx.AsyncClient, tenants: Tenants) -> None:
    a = await client.post(
        "/api/v1/vehicles",
        json={"plate": "T1"},
        headers={**tenants.a.owner, "Idempotency-Key": "shared"},
    )
    b = await client.post(
        "/api/v1/vehicles",
        json={"plate": "T1"},
        headers={**tenants.b.owner, "Idempotency-Key": "shared"},
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


async def test_key_expires_after_a_day(
    client: httpx.AsyncClient, tenants: Tenants, db_session: AsyncSession
) -> None:
    headers = {**tenants.a.owner, "Idempotency-Key": "old"}
    first = await client.post("/api/v1/vehicles", json={"plate": "D1"}, headers=headers)
    await db_session.execute(text(f"select set_config('app.tenant_id', '{tenants.a.id}', true)"))
    await db_session.execute(
        text("update idempotency_keys set created_at = now() - interval '25 hours'")
    )
    await db_session.commit()
    again = await client.post("/api/v1/vehicles", json={"plate": "D2"}, headers=headers)
    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]


async def test_invalid_key_is_422(client: httpx.AsyncClient, tenants: Tenants) -> None:
    response = await client.post(
        "/api/v1/vehicles",
        json={"plate": "X"},
        headers={**tenants.a.owner, "Idempotency-Key": "x" * 201},
    )
    assert response.status_code == 422


async def test_concurrent_duplicates_create_once(
    live_client: httpx.AsyncClient, live_tenants: Tenants
) -> None:
    key = str(uuid.uuid4())
    headers = {**live_tenants.a.owner, "Idempotency-Key": key}
    responses = await asyncio.gather(
        *(
            live_client.post("/api/v1/vehicles", json={"plate": "RACE-1"}, headers=headers)
            for _ in range(8)
        )
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    listed = await live_client.get(
        "/api/v1/vehicles", params={"q": "RACE-1"}, headers=live_tenants.a.owner
    )
    assert len(listed.json()["items"]) == 1
