"""The no-cycle rule under real concurrent transactions."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import Tenants

URL = "/api/v1/groups"
RING = 6


async def test_parallel_moves_never_close_a_loop(
    live_client: httpx.AsyncClient, live_tenants: Tenants
) -> None:
    """Each group moves under the next one, all at once: whichever move comes last would
    close the ring, so exactly one is refused — and none deadlocks."""
    headers = live_tenants.a.owner
    ids = []
    for i in range(RING):
        created = await live_client.post(URL, json={"name": f"Ring {i}"}, headers=headers)
        ids.append(created.json()["id"])

    responses = await asyncio.gather(
        *(
            live_client.patch(
                f"{URL}/{ids[i]}", json={"parent_id": ids[(i + 1) % RING]}, headers=headers
            )
            for i in range(RING)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (RING - 1) + [422], [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 422)
    cycle = refused.json()["error"]["details"]["cycle"]
    assert cycle[0] == cycle[-1]
    assert sorted(cycle[:-1]) == sorted(ids)
