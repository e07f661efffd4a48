"""The one-active-driver-per-vehicle rule under real concurrent transactions."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import Tenants

URL = "/api/v1/drivers"
PARALLEL = 8


async def test_parallel_assignments_of_one_vehicle_admit_exactly_one(
    live_client: httpx.AsyncClient, live_tenants: Tenants
) -> None:
    headers = live_tenants.a.owner
    vehicle = await live_client.post("/api/v1/vehicles", json={"plate": "RACE-1"}, headers=headers)
    vehicle_id = vehicle.json()["id"]
    # Warm the pool so the requests really overlap.
    await asyncio.gather(*(live_client.get(URL, headers=headers) for _ in range(PARALLEL)))

    responses = await asyncio.gather(
        *(
            live_client.post(
                URL,
                json={"name": f"Driver {i}", "assigned_vehicle_id": vehicle_id},
                headers=headers,
            )
            for i in range(PARALLEL)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (PARALLEL - 1), [r.text for r in responses]
    winner = next(r.json()["id"] for r in responses if r.status_code == 201)
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.json()["error"]["code"] == "vehicle_already_assigned"
        assert refused.json()["error"]["details"]["driver_id"] == winner
    listed = await live_client.get(URL, params={"assigned_vehicle_id": vehicle_id}, headers=headers)
    assert [d["id"] for d in listed.json()["items"]] == [winner]
