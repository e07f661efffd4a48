"""Tomorrow's plan for the demo tenant: thirty deliveries in central Helsinki for four vans,
solved but not dispatched, so a dispatcher opening the planning screen has a plan to edit
(move a stop between vans, check it, save, dispatch).

The plan is queued through the route planner's service, as a dispatcher's request would be;
the route-plan worker of the demo's API process solves it on the demo road graph within
seconds of start (every address here lies on that graph: Kamppi to Kruununhaka). Seeding
never waits for the solver, so the demo starts as fast as before."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.demo.dispatch import DEPOT, vans_with_drivers
from fleetyard.demo.logins import DEMO_SLUG
from fleetyard.models import RoutePlan
from fleetyard.routing.schemas import RoutePlanCreate
from fleetyard.routing.service import RoutePlanService

PLAN_NAME: Final = "Tomorrow's deliveries — Helsinki centre"
VANS: Final = 4
CAPACITY: Final = 40  # parcels a van carries
SHIFT_S: Final = 8 * 3600  # 08:00–16:00
SERVICE_S: Final = 240

MORNING: Final = (0, 3 * 3600)  # 08–11
MIDDAY: Final = (2 * 3600, 5 * 3600)  # 10–13
AFTERNOON: Final = (4 * 3600, SHIFT_S)  # 12–16


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    place: str
    lat: float
    lon: float
    parcels: int
    window: tuple[int, int] | None = None


DELIVERIES: Final = (
    Delivery("tmr-101", "Aleksanterinkatu 52, Stockmann goods yard", 60.1685, 24.9410, 6, MORNING),
    Delivery("tmr-102", "Pohjoisesplanadi 39, bookshop", 60.1681, 24.9433, 4, MORNING),
    Delivery("tmr-103", "Pohjoisesplanadi 29, hotel", 60.1679, 24.9475, 3, MORNING),
    Delivery("tmr-104", "Unioninkatu 29, cathedral shop", 60.1703, 24.9508, 1),
    Delivery("tmr-105", "Kaivokatu 2, Ateneum", 60.1697, 24.9443, 2, MIDDAY),
    Delivery("tmr-106", "Kaivokatu 1, station kiosk", 60.1713, 24.9415, 5, MORNING),
    Delivery("tmr-107", "Töölönlahdenkatu 4, Oodi library", 60.1738, 24.9381, 3, MIDDAY),
    Delivery("tmr-108", "Mannerheiminaukio 2, Kiasma", 60.1720, 24.9378, 2, AFTERNOON),
    Delivery("tmr-109", "Töölönlahdenkatu 2, Sanomatalo", 60.1725, 24.9395, 4),
    Delivery("tmr-110", "Läntinen teatterikuja 1, theatre", 60.1719, 24.9448, 2, AFTERNOON),
    Delivery("tmr-111", "Fabianinkatu 30, university library", 60.1710, 24.9488, 5, MIDDAY),
    Delivery("tmr-112", "Aleksanterinkatu 9, Kluuvi", 60.1697, 24.9476, 6, MORNING),
    Delivery("tmr-113", "Unioninkatu 17, hotel", 60.1675, 24.9510, 3),
    Delivery("tmr-114", "Eteläesplanadi 1, pavilion café", 60.1674, 24.9480, 2, MORNING),
    Delivery("tmr-115", "Korkeavuorenkatu 2, pharmacy", 60.1665, 24.9487, 1, MIDDAY),
    Delivery("tmr-116", "Mannerheimintie 3, Old Student House", 60.1693, 24.9393, 3),
    Delivery("tmr-117", "Mannerheimintie 20, Forum", 60.1689, 24.9385, 8, MORNING),
    Delivery("tmr-118", "Kaivokatu 12, hotel", 60.1707, 24.9405, 2, AFTERNOON),
    Delivery("tmr-119", "Erottajankatu 1, fire station", 60.1664, 24.9430, 1),
    Delivery("tmr-120", "Pohjoisesplanadi 2, Swedish Theatre", 60.1668, 24.9407, 2, AFTERNOON),
    Delivery("tmr-121", "Mannerheimintie 22, Lasipalatsi", 60.1703, 24.9380, 4, MIDDAY),
    Delivery("tmr-122", "Kirkkokatu 14, dental clinic", 60.1726, 24.9512, 1, AFTERNOON),
    Delivery("tmr-123", "Snellmaninkatu 10, office", 60.1730, 24.9505, 2),
    Delivery("tmr-124", "Aleksanterinkatu 16, City Museum", 60.1697, 24.9510, 2, MIDDAY),
    Delivery("tmr-125", "Kaisaniemenranta 2, botanic garden", 60.1752, 24.9475, 3, AFTERNOON),
    Delivery("tmr-126", "Unioninkatu 38, student café", 60.1745, 24.9497, 2),
    Delivery("tmr-127", "Vuorikatu 14, bakery", 60.1703, 24.9460, 5, MORNING),
    Delivery("tmr-128", "Yliopistonkatu 5, bookshop", 60.1693, 24.9460, 3, MIDDAY),
    Delivery("tmr-129", "Mikonkatu 9, restaurant", 60.1712, 24.9452, 4, MORNING),
    Delivery("tmr-130", "Kasarmikatu 21, office", 60.1660, 24.9467, 2, AFTERNOON),
    Delivery("tmr-131", "Bulevardi 2, clinic", 60.1660, 24.9405, 1),
    Delivery("tmr-132", "Kaisaniemenkatu 4, hairdresser", 60.1716, 24.9470, 2, AFTERNOON),
)


def plan_request(vans: list[tuple[uuid.UUID, uuid.UUID]]) -> dict[str, Any]:
    depot = {"lat": DEPOT[0], "lon": DEPOT[1]}
    return {
        "name": PLAN_NAME,
        "objective": "duration",
        "time_limit_s": 5,
        "vehicles": [
            {
                "id": f"van{k + 1}",
                "start": depot,
                "end": depot,
                "vehicle_id": str(vehicle_id),
                "driver_id": str(driver_id),
                "capacity": [CAPACITY],
                "shift": [0, SHIFT_S],
            }
            for k, (vehicle_id, driver_id) in enumerate(vans)
        ],
        "jobs": [
            {
                "id": d.id,
                "name": d.place,
                "location": {"lat": d.lat, "lon": d.lon},
                "demand": [d.parcels],
                "service_s": SERVICE_S,
                **({"time_windows": [list(d.window)]} if d.window else {}),
            }
            for d in DELIVERIES
        ],
    }


async def seed_route_plans(session: AsyncSession, actor: Principal, slug: str) -> tuple[int, int]:
    """(planned, created) plans to edit of the demo tenant: tomorrow's, made if missing."""
    if slug != DEMO_SLUG:
        return 0, 0
    stmt = (
        select(func.count())
        .select_from(RoutePlan)
        .where(RoutePlan.tenant_id == actor.tenant_id, RoutePlan.name == PLAN_NAME)
    )
    if await session.scalar(stmt):
        return 1, 0
    vans = await vans_with_drivers(session, actor, VANS)
    if not vans:
        return 0, 0
    await RoutePlanService(session, actor).create(
        RoutePlanCreate.model_validate(plan_request(vans))
    )
    return 1, 1
