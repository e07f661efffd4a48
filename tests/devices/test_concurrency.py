"""Platform-wide hardware ids under real concurrent transactions from two tenants."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.conftest import Tenants

URL = "/api/v1/devices"
PARALLEL = 4


async def test_parallel_registrations_of_one_id_admit_exactly_one(
    live_client: httpx.AsyncClient, live_tenants: Tenants
) -> None:
    unique_id = f"RACE-{uuid.uuid4().hex[:12]}"
    callers = [live_tenants.a.owner, live_tenants.b.owner] * PARALLEL
    responses = await asyncio.gather(
        *(
            live_client.post(URL, json={"unique_id": unique_id, "protocol": "gt06"}, headers=h)
            for h in callers
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (len(callers) - 1), [r.text for r in responses]
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.json()["error"] == {
            "code": "device_already_registered",
            "message": "A device with this unique_id is already registered.",
            "details": {"field": "unique_id"},
        }
