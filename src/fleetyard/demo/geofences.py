"""The demo tenants' geofences: their depots, a few customer sites and a 30 km/h zone in
Helsinki's centre, all inside the streets the simulated fleet drives (the demo map's
extract), so ``make run`` shows vehicles entering and leaving them within minutes. Seeded
through the geofences service, so each is an event like any other record; idempotent by
name (one that exists is kept as it is: someone may have moved it). A tenant seeded before it
had a time zone gets Helsinki's with its first geofences, so active hours read as local."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.demo.catalogue import DEPOTS, HARBOUR_DEPOT
from fleetyard.demo.logins import DEMO_SLUG, HARBOUR_SLUG
from fleetyard.demo.repository import ExistingRecords
from fleetyard.geofences.schemas import GeofenceCreate
from fleetyard.geofences.service import GeofenceService
from fleetyard.models import Tenant
from fleetyard.models.geofence import Geofence
from fleetyard.tenants.schemas import TenantUpdate
from fleetyard.tenants.service import TenantService

DEMO_TIME_ZONE: Final = "Europe/Helsinki"
WEEKDAYS: Final = ["mon", "tue", "wed", "thu", "fri"]
Corner = tuple[float, float]  # (latitude, longitude)


@dataclass(frozen=True, slots=True)
class FencePlan:
    name: str
    colour: str
    centre: Corner | None = None  # a circle's
    radius_m: float | None = None
    corners: tuple[Corner, ...] = ()  # a polygon's, unclosed
    more: dict[str, Any] = field(default_factory=dict)

    def create(self) -> GeofenceCreate:
        if self.centre is not None:
            geometry: dict[str, Any] = {
                "type": "Point",
                "coordinates": [self.centre[1], self.centre[0]],
            }
        else:
            ring = [[lon, lat] for lat, lon in self.corners]
            geometry = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
        return GeofenceCreate.model_validate(
            {
                "name": self.name,
                "colour": self.colour,
                "geometry": geometry,
                "radius_m": self.radius_m,
                **self.more,
            }
        )


def _depot(name: str, latitude: float, longitude: float, radius_m: int) -> FencePlan:
    """A depot's yard: a stay over two hours on a weekday is worth a look."""
    return FencePlan(
        f"{name} depot",
        "#2563eb",
        (latitude, longitude),
        radius_m + 30,
        more={"dwell_minutes": 120, "alert_on": ["dwell"]},
    )


DEMO_FENCES: Final = (
    *(_depot(d.name, d.latitude, d.longitude, d.radius_m) for d in DEPOTS),
    FencePlan(
        "Kluuvi low-speed zone",
        "#dc2626",
        corners=(
            (60.16860, 24.94250),
            (60.16860, 24.94900),
            (60.17180, 24.94900),
            (60.17180, 24.94250),
        ),
        more={"speed_limit_kmh": 30, "alert_on": ["speeding"]},
    ),
    FencePlan(
        "Senate Square deliveries",
        "#16a34a",
        (60.16935, 24.95160),
        70,
        more={
            "active_hours": [{"days": WEEKDAYS, "start": "06:00", "end": "10:00"}],
            "dwell_minutes": 20,
        },
    ),
    FencePlan("Kruununhaka customer", "#9333ea", (60.17280, 24.95050), 60),
    FencePlan(
        "Kaisaniemi park works",
        "#ea580c",
        corners=(
            (60.17380, 24.94480),
            (60.17430, 24.94780),
            (60.17620, 24.94740),
            (60.17580, 24.94420),
        ),
        more={"speed_limit_kmh": 20},
    ),
    FencePlan(
        "Central depot after hours",
        "#0f172a",
        (DEPOTS[0].latitude, DEPOTS[0].longitude),
        DEPOTS[0].radius_m + 30,
        more={
            "active_hours": [
                {"days": WEEKDAYS, "start": "20:00", "end": "06:00"},
                {"days": ["sat", "sun"], "start": "00:00", "end": "00:00"},
            ],
            "alert_on": ["enter"],
        },
    ),
)

HARBOUR_FENCES: Final = (
    _depot(HARBOUR_DEPOT.name, HARBOUR_DEPOT.latitude, HARBOUR_DEPOT.longitude, 150),
    FencePlan(
        "South Harbour quay",
        "#0891b2",
        corners=(
            (60.16520, 24.94980),
            (60.16520, 24.95200),
            (60.16640, 24.95200),
            (60.16640, 24.94980),
        ),
        more={"speed_limit_kmh": 20, "alert_on": ["enter", "exit"]},
    ),
)

FENCES_BY_TENANT: Final = {DEMO_SLUG: DEMO_FENCES, HARBOUR_SLUG: HARBOUR_FENCES}


async def seed_geofences(session: AsyncSession, actor: Principal, slug: str) -> tuple[int, int]:
    """The tenant's planned geofences that are missing; (planned, created)."""
    plans = FENCES_BY_TENANT.get(slug, ())
    if not plans:
        return 0, 0
    existing = await ExistingRecords(session, actor.tenant_id).names_in_use(Geofence)
    if not existing:
        await _local_time_zone(session, actor)
    service = GeofenceService(session, actor)
    created = 0
    for plan in plans:
        if plan.name.lower() not in existing:
            await service.create(plan.create())
            created += 1
    return len(plans), created


async def _local_time_zone(session: AsyncSession, actor: Principal) -> None:
    tenant = await session.get(Tenant, actor.tenant_id)
    if tenant is not None and (tenant.time_zone or "UTC") == "UTC":
        await TenantService(session).update(actor, TenantUpdate(time_zone=DEMO_TIME_ZONE))
