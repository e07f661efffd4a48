"""The overlap rule under real concurrent transactions (committed, on separate connections)."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from fleetyard.db import Database, set_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.models import Reservation
from tests.conftest import Tenants
from tests.reservations.helpers import at, booked, make_vehicle, reserve

URL = "/api/v1/reservations"
PARALLEL = 10


async def stored_reservations(database: Database, tenant_id: TenantId, vehicle_id: str) -> int:
    async with database.sessionmaker() as session:
        await set_tenant(session, tenant_id)
        count = await session.scalar(
            select(func.count())
            .select_from(Reservation)
            .where(Reservation.vehicle_id == vehicle_id, Reservation.status != "cancelled")
        )
    return count or 0


async def warm_pool(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """Open a connection per request up front; else the one holding a warm connection finishes
    before the others have connected, and the race under test never happens."""
    responses = await asyncio.gather(*(client.get(URL, headers=headers) for _ in range(PARALLEL)))
    assert all(r.status_code == 200 for r in responses)


async def test_parallel_overlapping_bookings_admit_exactly_one(
    live_client: httpx.AsyncClient, live_tenants: Tenants, app_database: Database
) -> None:
    headers = live_tenants.a.owner
    vid = await make_vehicle(live_client, headers)
    await warm_pool(live_client, headers)
    # Every request overlaps every other one: [i, i + PARALLEL) all share hour PARALLEL - 1.
    responses = await asyncio.gather(
        *(reserve(live_client, headers, vid, i, i + PARALLEL) for i in range(PARALLEL))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (PARALLEL - 1), [r.text for r in responses]
    winner = next(r.json()["id"] for r in responses if r.status_code == 201)
    for refused in (r for r in responses if r.status_code == 409):
        error = refused.json()["error"]
        assert error["code"] == "reservation_overlap"
        assert [c["id"] for c in error["details"]["conflicts"]] == [winner]
    assert await stored_reservations(app_database, TenantId(live_tenants.a.id), vid) == 1


async def test_parallel_back_to_back_bookings_all_succeed(
    live_client: httpx.AsyncClient, live_tenants: Tenants, app_database: Database
) -> None:
    headers = live_tenants.a.owner
    vid = await make_vehicle(live_client, headers)
    responses = await asyncio.gather(
        *(reserve(live_client, headers, vid, i, i + 1) for i in range(PARALLEL))
    )
    assert [r.status_code for r in responses] == [201] * PARALLEL
    assert await stored_reservations(app_database, TenantId(live_tenants.a.id), vid) == PARALLEL


async def test_parallel_moves_into_one_free_slot_admit_exactly_one(
    live_client: httpx.AsyncClient, live_tenants: Tenants
) -> None:
    headers = live_tenants.a.owner
    vid = await make_vehicle(live_client, headers)
    movers = [await booked(live_client, headers, vid, 2 * i, 2 * i + 1) for i in range(PARALLEL)]
    free = {"starts_at": at(100), "ends_at": at(101)}
    await warm_pool(live_client, headers)
    responses = await asyncio.gather(
        *(live_client.patch(f"{URL}/{m['id']}", json=free, headers=headers) for m in movers)
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * (PARALLEL - 1)
    in_slot = await live_client.get(
        URL, headers=headers, params={"vehicle_id": vid, "from": at(100), "to": at(101)}
    )
    assert len(in_slot.json()["items"]) == 1


async def test_two_tenants_booking_at_once_both_succeed(
    live_client: httpx.AsyncClient, live_tenants: Tenants
) -> None:
    a, b = live_tenants.a.owner, live_tenants.b.owner
    va, vb = await make_vehicle(live_client, a), await make_vehicle(live_client, b)
    responses = await asyncio.gather(
        reserve(live_client, a, va, 0, 5), reserve(live_client, b, vb, 0, 5)
    )
    assert [r.status_code for r in responses] == [201, 201]
