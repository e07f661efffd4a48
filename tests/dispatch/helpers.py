"""Building a dispatch for the tests: vehicles, drivers linked to signed-in users, a route
plan sent through the planning API and marked solved with a known solution (the solver runs
in the background workers, which these fast tests don't start), a vehicle's last fix."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.roles import Role
from fleetyard.db import set_tenant
from fleetyard.kit.ids import TenantId
from tests.factories import TenantSetup, member_session

START = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
# Helsinki, a few hundred metres apart: depot, then four customers along a line east
DEPOT = (60.1699, 24.9384)
JOBS = [
    ("j1", 60.1700, 24.9500, (0, 3600)),
    ("j2", 60.1700, 24.9600, (0, 7200)),
    ("j3", 60.1700, 24.9700, (0, 5400)),
    ("j4", 60.1700, 24.9800, (0, 10800)),
]


@dataclass
class Setup:
    plan_id: str
    vehicles: list[str]
    drivers: list[str]
    users: list[dict[str, str]]  # each driver's signed-in user's headers


async def make_vehicle(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    body = {"plate": f"D-{uuid.uuid4().hex[:6]}", "type": "van"}
    response = await client.post("/api/v1/vehicles", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def make_driver(
    client: httpx.AsyncClient, tenant: TenantSetup, name: str
) -> tuple[str, dict[str, str]]:
    user = await member_session(client, tenant, Role.DRIVER)
    body = {"name": name, "user_id": user.user_id}
    response = await client.post("/api/v1/drivers", json=body, headers=tenant.owner)
    assert response.status_code == 201, response.text
    return str(response.json()["id"]), user.headers


def plan_request(vehicles: list[str], drivers: list[str]) -> dict[str, Any]:
    return {
        "name": "Tuesday deliveries",
        "objective": "duration",
        "time_limit_s": 1,
        "vehicles": [
            {
                "id": f"van{i + 1}",
                "start": {"lat": DEPOT[0], "lon": DEPOT[1]},
                "vehicle_id": vehicle,
                "driver_id": driver,
            }
            for i, (vehicle, driver) in enumerate(zip(vehicles, drivers, strict=True))
        ],
        "jobs": [
            {
                "id": job_id,
                "location": {"lat": lat, "lon": lon},
                "service_s": 300,
                "time_windows": [list(window)],
            }
            for job_id, lat, lon, window in JOBS
        ],
    }


def solution() -> dict[str, Any]:
    """van1: j1, j2 — van2: j3, j4 (times in seconds from the plan's start)."""

    def stop(job_id: str, arrival: int) -> dict[str, Any]:
        return {"job_id": job_id, "arrival_s": arrival, "departure_s": arrival + 300, "load": []}

    line = [[DEPOT[1], DEPOT[0]], [24.95, 60.17], [24.96, 60.17], [24.97, 60.17], [24.98, 60.17]]
    return {
        "routes": [
            {
                "vehicle": "van1",
                "start_s": 0,
                "end_s": 1500,
                "stops": [stop("j1", 120), stop("j2", 600)],
                "distance": 2000,
                "duration": 1500,
                "cost": 0,
                "geometry": line[:3],
            },
            {
                "vehicle": "van2",
                "start_s": 0,
                "end_s": 2500,
                "stops": [stop("j3", 400), stop("j4", 1200)],
                "distance": 4000,
                "duration": 2500,
                "cost": 0,
                "geometry": line,
            },
        ],
        "unassigned": [],
        "distance": 6000,
        "duration": 4000,
        "cost": 0,
        "vehicles_used": 2,
    }


async def solved_plan(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: TenantSetup,
    request: dict[str, Any],
    answer: dict[str, Any] | None = None,
) -> str:
    created = await client.post("/api/v1/route-plans", json=request, headers=tenant.owner)
    assert created.status_code == 202, created.text
    plan_id = str(created.json()["id"])
    await mark_solved(session, tenant.id, plan_id, answer or solution())
    return plan_id


async def mark_solved(
    session: AsyncSession, tenant_id: uuid.UUID, plan_id: str, answer: dict[str, Any]
) -> None:
    """What the solver worker writes when it finishes."""
    await set_tenant(session, TenantId(tenant_id))
    await session.execute(
        text(
            "update route_plans set status = 'solved', solution = cast(:s as jsonb) "
            "where tenant_id = :t and id = :p"
        ),
        {"s": json.dumps(answer), "t": tenant_id, "p": uuid.UUID(plan_id)},
    )
    await session.commit()


async def setup(client: httpx.AsyncClient, session: AsyncSession, tenant: TenantSetup) -> Setup:
    vehicles = [await make_vehicle(client, tenant.owner) for _ in range(2)]
    drivers, users = [], []
    for name in ("Aino", "Eero"):
        driver_id, headers = await make_driver(client, tenant, name)
        drivers.append(driver_id)
        users.append(headers)
    plan_id = await solved_plan(client, session, tenant, plan_request(vehicles, drivers))
    return Setup(plan_id, vehicles, drivers, users)


async def dispatch(
    client: httpx.AsyncClient, tenant: TenantSetup, plan_id: str, **body: Any
) -> dict[str, Any]:
    body.setdefault("start_at", START.isoformat())
    response = await client.post(
        f"/api/v1/route-plans/{plan_id}/dispatch", json=body, headers=tenant.owner
    )
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


async def set_fix(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    vehicle_id: str,
    lat: float,
    lon: float,
    at: datetime,
) -> None:
    """The vehicle's last fix, as the ingest pipeline's upsert leaves it."""
    await set_tenant(session, TenantId(tenant_id))
    await session.execute(
        text(
            """
            insert into vehicle_state (tenant_id, vehicle_id, device_id, fix_time, server_time,
                latitude, longitude)
            values (:t, :v, :d, :at, :at, :lat, :lon)
            on conflict (tenant_id, vehicle_id) do update set fix_time = excluded.fix_time,
                latitude = excluded.latitude, longitude = excluded.longitude
            """
        ),
        {
            "t": tenant_id,
            "v": uuid.UUID(vehicle_id),
            "d": uuid.uuid4(),
            "at": at,
            "lat": lat,
            "lon": lon,
        },
    )
    await session.commit()


async def seed_for_isolation(
    client: httpx.AsyncClient, session: AsyncSession, tenant: TenantSetup, ids: dict[str, str]
) -> dict[str, str]:
    """A dispatched route of the tenant's seeded vehicle and driver, for the isolation sweep:
    path-parameter name → id."""
    request = plan_request([ids["vehicle_id"]], [ids["driver_id"]])
    answer = solution()
    answer["routes"] = answer["routes"][:1]
    plan_id = await solved_plan(client, session, tenant, request, answer)
    out = await dispatch(client, tenant, plan_id)
    return {"route_id": out["routes"][0]["id"], "dispatch_id": out["id"], "action": "arrive"}
