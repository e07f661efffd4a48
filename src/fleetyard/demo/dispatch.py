"""The demo tenant's day on the road: a plan of nine deliveries in central Helsinki for three
vans and their drivers, dispatched from an hour and a half ago and under way — four stops
done, one driver at a stop, and one stop whose window closed ten minutes ago while the van
is still on its way (the monitor raises its ``stop_late`` alert on its first round).

The plan is queued through the route planner's service and its solution written as the
solver would (so seeding never waits for a solve); dispatching and every stop's progress go
through the dispatch service, so each writes its events. The demo's driver login
(``driver@demo.fleetyard.dev``) is linked to the first van's driver: it sees that route as
its day."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.demo.logins import DEMO_DRIVER_EMAIL, DEMO_SLUG
from fleetyard.dispatch.models import Dispatch
from fleetyard.dispatch.schemas import DispatchCreate, JobDetails, StopProgress
from fleetyard.dispatch.service import DispatchService
from fleetyard.drivers.schemas import DriverUpdate
from fleetyard.drivers.service import DriverService
from fleetyard.models import Driver, RoutePlan, User
from fleetyard.routing.schemas import RoutePlanCreate
from fleetyard.routing.service import RoutePlanService
from fleetyard.routing.travel import TravelInputError, TravelProviderError, route_geometry

DEPOT: Final = (60.170553, 24.943870)  # Helsinki Central
STARTED_S: Final = 5400  # the day began an hour and a half ago
SERVICE_S: Final = 300


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    name: str
    place: str
    lat: float
    lon: float
    arrival_s: int
    window: tuple[int, int]
    state: str  # what the driver has done: "", "arrive", "complete"
    notes: str = ""


ROUTES: Final = (
    (
        Job(
            "hki-01",
            "Stockmann loading bay",
            "Keskuskatu 1",
            60.1686,
            24.9422,
            1200,
            (0, 3600),
            "complete",
            "Ring the bell at gate B",
        ),
        Job(
            "hki-02",
            "Kamppi Pharmacy",
            "Urho Kekkosen katu 1",
            60.1692,
            24.9327,
            3000,
            (1800, 7200),
            "complete",
        ),
        Job("hki-03", "Hotel Torni", "Yrjönkatu 26", 60.1673, 24.9385, 6600, (5400, 10800), ""),
    ),
    (
        Job(
            "hki-04",
            "Senate Square Café",
            "Aleksanterinkatu 26",
            60.1695,
            24.9521,
            1500,
            (0, 3600),
            "complete",
        ),
        Job(
            "hki-05",
            "Market Hall",
            "Eteläranta",
            60.1669,
            24.9537,
            4200,
            (3600, 4800),
            "",
            "Cold chain: deliver before the lunch opening",
        ),
        Job(
            "hki-06",
            "Kruununhaka Dental",
            "Liisankatu 12",
            60.1727,
            24.9556,
            7800,
            (6000, 12600),
            "",
        ),
    ),
    (
        Job(
            "hki-07",
            "Kallio Library",
            "Viides linja 11",
            60.1830,
            24.9500,
            2400,
            (0, 4800),
            "complete",
        ),
        Job(
            "hki-08",
            "Hakaniemi Market",
            "Hämeentie 1",
            60.1790,
            24.9512,
            5000,
            (3600, 9000),
            "arrive",
        ),
        Job(
            "hki-09",
            "Sörnäinen Bakery",
            "Vilhonvuorenkatu 6",
            60.1860,
            24.9610,
            8000,
            (7200, 14400),
            "",
        ),
    ),
)


async def vans_with_drivers(
    session: AsyncSession, actor: Principal, count: int
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Up to ``count`` (vehicle, driver) pairs: active drivers with a vehicle of their own."""
    stmt = (
        select(Driver.assigned_vehicle_id, Driver.id)
        .where(
            Driver.tenant_id == actor.tenant_id,
            Driver.assigned_vehicle_id.is_not(None),
            Driver.status == "active",
        )
        .order_by(Driver.name)
        .limit(count)
    )
    rows = (await session.execute(stmt)).all()
    return [(r.assigned_vehicle_id, r.id) for r in rows if r.assigned_vehicle_id]


async def _line(tenant_id: uuid.UUID, jobs: tuple[Job, ...]) -> list[list[float]]:
    points = [DEPOT, *((j.lat, j.lon) for j in jobs)]
    try:
        line = await route_geometry(points, tenant_id=tenant_id)
    except (TravelInputError, TravelProviderError):
        line = [(lon, lat) for lat, lon in points]
    return [[lon, lat] for lon, lat in line]


def _request(pairs: list[tuple[uuid.UUID, uuid.UUID]]) -> dict[str, Any]:
    return {
        "name": "City deliveries",
        "objective": "duration",
        "time_limit_s": 5,
        "vehicles": [
            {
                "id": f"van{k + 1}",
                "start": {"lat": DEPOT[0], "lon": DEPOT[1]},
                "vehicle_id": str(vehicle_id),
                "driver_id": str(driver_id),
                "shift": [0, 8 * 3600],
            }
            for k, (vehicle_id, driver_id) in enumerate(pairs)
        ],
        "jobs": [
            {
                "id": job.id,
                "location": {"lat": job.lat, "lon": job.lon},
                "service_s": SERVICE_S,
                "time_windows": [list(job.window)],
            }
            for jobs in ROUTES[: len(pairs)]
            for job in jobs
        ],
    }


async def _solution(tenant_id: uuid.UUID, count: int) -> dict[str, Any]:
    routes = []
    for k, jobs in enumerate(ROUTES[:count]):
        end = jobs[-1].arrival_s + SERVICE_S + 600
        routes.append(
            {
                "vehicle": f"van{k + 1}",
                "start_s": 600,
                "end_s": end,
                "stops": [
                    {
                        "job_id": j.id,
                        "arrival_s": j.arrival_s,
                        "departure_s": j.arrival_s + SERVICE_S,
                        "load": [],
                    }
                    for j in jobs
                ],
                "distance": 4200 + 900 * k,
                "duration": end - 600,
                "cost": 0.0,
                "geometry": await _line(tenant_id, jobs),
            }
        )
    return {
        "routes": routes,
        "unassigned": [],
        "distance": sum(r["distance"] for r in routes),
        "duration": sum(r["duration"] for r in routes),
        "cost": 0.0,
        "vehicles_used": len(routes),
    }


async def seed_dispatch(
    session: AsyncSession, actor: Principal, slug: str, now: datetime | None = None
) -> tuple[int, int]:
    """(planned, created) dispatches of the demo tenant: one, made if there is none."""
    if slug != DEMO_SLUG:
        return 0, 0
    stmt = select(func.count()).select_from(Dispatch).where(Dispatch.tenant_id == actor.tenant_id)
    if await session.scalar(stmt):
        return 1, 0
    pairs = await vans_with_drivers(session, actor, len(ROUTES))
    if not pairs:
        return 0, 0
    await _link_demo_driver(session, actor, pairs[0][1])
    now = now or datetime.now(UTC)
    start = (now - timedelta(seconds=STARTED_S)).replace(second=0, microsecond=0)
    accepted = await RoutePlanService(session, actor).create(
        RoutePlanCreate.model_validate(_request(pairs))
    )
    plan = await session.get(RoutePlan, (actor.tenant_id, accepted.id))
    assert plan is not None
    solution = await _solution(actor.tenant_id, len(pairs))
    plan.status, plan.solution = "solved", solution
    plan.distance, plan.duration = solution["distance"], solution["duration"]
    plan.started_at = plan.finished_at = start
    plan.version += 1
    await session.flush()
    service = DispatchService(session, actor)
    details = {
        j.id: JobDetails(name=j.name, place=j.place, notes=j.notes) for js in ROUTES for j in js
    }
    dispatch = await service.dispatch_plan(
        accepted.id, DispatchCreate(start_at=start, jobs=details)
    )
    await _progress(service, dispatch.id, start)
    return 1, 1


async def _link_demo_driver(session: AsyncSession, actor: Principal, driver_id: uuid.UUID) -> None:
    """The demo's driver login drives the first van, so it sees that day's route."""
    user_id = await session.scalar(select(User.id).where(User.email == DEMO_DRIVER_EMAIL))
    driver = await session.get(Driver, (actor.tenant_id, driver_id))
    if user_id is None or driver is None or driver.user_id is not None:
        return
    await DriverService(session, actor).update(driver_id, DriverUpdate(user_id=user_id), None)


async def _progress(service: DispatchService, dispatch_id: uuid.UUID, start: datetime) -> None:
    jobs = {j.id: j for js in ROUTES for j in js}
    _, routes = await service.get_dispatch(dispatch_id)
    stops = await service.repo.stops_of([r.id for r in routes])
    for route in routes:
        for stop in stops[route.id]:
            job = jobs[stop.job_id]
            if not job.state:
                continue
            at = start + timedelta(seconds=job.arrival_s + 60)
            note = "Signed for by the duty manager" if job.state == "complete" else ""
            await service.progress(route.id, stop.id, job.state, StopProgress(note=note, at=at))
