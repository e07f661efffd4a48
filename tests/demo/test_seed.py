"""Seeding against the test database, through the real services on the app role: a second
run adds nothing, the rows match the plan (and wrote their events), bookings never overlap,
and Harbour Logistics sees none of the Demo Fleet's rows (row-level security)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.db import set_tenant
from fleetyard.demo.plan import TenantPlan, demo_fleet_plan, harbour_plan
from fleetyard.demo.seed import SeedReport, ensure_demo_tenant, seed_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.simulator.fleet import FleetConfig

NOW = datetime.now(UTC)
TABLES = ("groups", "vehicles", "drivers", "devices", "reservations")


@pytest.fixture
def plans() -> tuple[TenantPlan, TenantPlan]:
    return demo_fleet_plan(FleetConfig(vehicles=12, seed=3), NOW), harbour_plan(NOW)


async def tenant_id(session: AsyncSession, slug: str) -> TenantId:
    found = await session.scalar(text("select id from tenants where slug = :slug"), {"slug": slug})
    assert isinstance(found, uuid.UUID)
    return TenantId(found)


async def visible_ids(session: AsyncSession, tenant: TenantId) -> dict[str, set[uuid.UUID]]:
    """Every row id the tenant can see, per table, with no filter but row-level security."""
    await set_tenant(session, tenant)
    return {
        table: set((await session.execute(text(f"select id from {table}"))).scalars())  # noqa: S608
        for table in TABLES
    }


async def seed(session: AsyncSession, plans: tuple[TenantPlan, ...]) -> list[SeedReport]:
    reports = [await seed_tenant(session, plan) for plan in plans]
    await session.flush()
    return reports


async def test_seeding_twice_creates_everything_once(
    db_session: AsyncSession, plans: tuple[TenantPlan, TenantPlan]
) -> None:
    first = await seed(db_session, plans)
    for report, plan in zip(first, plans, strict=True):
        assert report.created == report.planned, report
        assert report.planned["vehicles"] == len(plan.vehicles)
    assert first[1].summary() == "3 vehicles, 2 drivers, 1 reservation, 1 group, 1 login"
    second = await seed(db_session, plans)
    assert all(sum(r.created.values()) == 0 for r in second), second
    assert second[0].summary().endswith("(reused)")

    demo = await tenant_id(db_session, "demo")
    rows = await visible_ids(db_session, demo)
    assert {table: len(ids) for table, ids in rows.items()} == {
        table: len(getattr(plans[0], table)) for table in TABLES
    }
    members = await db_session.scalar(
        text("select count(*) from memberships where tenant_id = :t"), {"t": demo}
    )
    assert members == 3
    created_events = await db_session.scalar(
        text("select count(*) from events where type = 'vehicle_created'")
    )
    assert created_events == len(plans[0].vehicles)


async def test_seeded_vehicles_decode_and_bookings_never_overlap(
    db_session: AsyncSession, plans: tuple[TenantPlan, TenantPlan]
) -> None:
    await seed(db_session, plans)
    await set_tenant(db_session, await tenant_id(db_session, "demo"))
    makes = (await db_session.execute(text("select vin, make, year from vehicles"))).all()
    assert all(len(vin) == 17 and make and year for vin, make, year in makes)
    clashes = await db_session.scalar(
        text(
            "select count(*) from reservations a join reservations b"
            " on a.vehicle_id = b.vehicle_id and a.id < b.id"
            " and a.status <> 'cancelled' and b.status <> 'cancelled'"
            " and a.starts_at < b.ends_at and b.starts_at < a.ends_at"
        )
    )
    assert clashes == 0
    statuses = set((await db_session.execute(text("select status from reservations"))).scalars())
    assert {"completed", "confirmed"} <= statuses


async def test_the_second_tenant_sees_none_of_the_demo_rows(
    db_session: AsyncSession, plans: tuple[TenantPlan, TenantPlan]
) -> None:
    await seed(db_session, plans)
    demo_rows = await visible_ids(db_session, await tenant_id(db_session, "demo"))
    harbour_rows = await visible_ids(db_session, await tenant_id(db_session, "harbour"))
    for table in TABLES:
        assert demo_rows[table], table
        assert demo_rows[table].isdisjoint(harbour_rows[table]), table
    assert len(harbour_rows["vehicles"]) == 3 and len(harbour_rows["reservations"]) == 1
    assert harbour_rows["devices"] == set()  # its trucks carry no trackers


async def test_serve_demo_keeps_its_owner_login_and_the_full_seed_adds_to_it(
    db_session: AsyncSession, plans: tuple[TenantPlan, TenantPlan]
) -> None:
    login = await ensure_demo_tenant(db_session)
    assert (login.tenant_slug, login.email) == ("demo", "admin@demo.fleetyard.dev")
    (report,) = await seed(db_session, plans[:1])
    assert report.created["logins"] == 2  # the dispatcher and the viewer; the owner was there
    assert await ensure_demo_tenant(db_session) == login


async def test_another_fleet_size_swaps_trackers_instead_of_adding_them(
    db_session: AsyncSession,
) -> None:
    """The first vehicles of a bigger fleet are the smaller one's; their trackers get the
    ids the new fleet's simulator uses, so each vehicle keeps exactly one."""
    await seed(db_session, (demo_fleet_plan(FleetConfig(vehicles=12, seed=3), NOW),))
    bigger = demo_fleet_plan(FleetConfig(vehicles=15, seed=3), NOW)
    (report,) = await seed(db_session, (bigger,))
    assert (report.created["vehicles"], report.created["devices"]) == (3, 3)
    assert report.changed["devices"] == 12 and "(" in report.summary()
    smaller = demo_fleet_plan(FleetConfig(vehicles=12, seed=3), NOW)
    await seed(db_session, (smaller,))

    await set_tenant(db_session, await tenant_id(db_session, "demo"))
    rows = await db_session.execute(
        text("select v.vin, d.unique_id from vehicles v join devices d on d.vehicle_id = v.id")
    )
    trackers = {vin: unique_id for vin, unique_id in rows}
    assert len(trackers) == 15 == await db_session.scalar(text("select count(*) from devices"))
    expected = {d.vehicle_vin: d.unique_id for d in bigger.devices}
    expected.update({d.vehicle_vin: d.unique_id for d in smaller.devices})
    assert trackers == expected
