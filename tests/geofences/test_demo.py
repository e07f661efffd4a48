"""The demo tenants' geofences: valid, where the simulated fleet drives, seeded once, and
read in Helsinki's time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.demo.geofences import FENCES_BY_TENANT
from fleetyard.demo.plan import harbour_plan
from fleetyard.demo.seed import seed_tenant
from fleetyard.geofences.service import shape_of
from fleetyard.models import Tenant
from fleetyard.models.geofence import Geofence

# the demo map's streets (the Helsinki extract the simulator drives), with a margin
SOUTH, WEST, NORTH, EAST = 60.1627, 24.9330, 60.1805, 24.9560


def test_every_planned_geofence_is_valid_and_on_the_demo_streets() -> None:
    for slug, plans in FENCES_BY_TENANT.items():
        names = [p.name for p in plans]
        assert len(set(names)) == len(names), slug
        for plan in plans:
            body = plan.create()
            bounds = shape_of(body.geometry, body.radius_m).bounds
            assert bounds.min_latitude >= SOUTH and bounds.max_latitude <= NORTH, plan.name
            assert bounds.min_longitude >= WEST and bounds.max_longitude <= EAST, plan.name
    demo = FENCES_BY_TENANT["demo"]
    assert any(p.more.get("speed_limit_kmh") == 30 for p in demo)  # the centre's slow zone
    assert sum(1 for p in demo if p.name.endswith(" depot")) == 3


async def test_seeding_makes_them_once_and_sets_helsinki_time(db_session: AsyncSession) -> None:
    plan = harbour_plan(datetime.now(UTC))
    first = await seed_tenant(db_session, plan)
    again = await seed_tenant(db_session, plan)
    assert first.created["geofences"] == first.planned["geofences"] == 2
    assert again.created["geofences"] == 0
    tenant = (await db_session.execute(select(Tenant).where(Tenant.slug == plan.slug))).scalar_one()
    assert tenant.time_zone == "Europe/Helsinki"
    names = (await db_session.execute(select(Geofence.name))).scalars().all()
    assert sorted(names) == ["South Harbour quay", "Vuosaari Harbour depot"]
