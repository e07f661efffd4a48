"""Seeding against the test database, through the real services on the app role: a second
run adds nothing, the rows match the plan (and wrote their events), bookings never overlap,
and Harbour Logistics sees none of the Demo Fleet's rows (row-level security)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.db import set_tenant
from fleetyard.demo.plan import Broker, TenantPlan, demo_fleet_plan, harbour_plan
from fleetyard.demo.seed import SeedReport, ensure_demo_tenant, seed_tenant
from fleetyard.kit.ids import TenantId
from fleetyard.kit.sealing import Keyring, associated_data
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


async def seed(
    session: AsyncSession, plans: tuple[TenantPlan, ...], keyring: Keyring
) -> list[SeedReport]:
    reports = [await seed_tenant(session, plan, keyring) for plan in plans]
    await session.flush()
    return reports


def contractor_vehicles(plan: TenantPlan) -> int:
    return 0 if plan.contractors is None else len(plan.contractors.vehicles)


async def test_seeding_twice_creates_everything_once(
    db_session: AsyncSession, plans: tuple[TenantPlan, TenantPlan], keyring: Keyring
) -> None:
    first = await seed(db_session, plans, keyring)
    for report, plan in zip(first, plans, strict=True):
        assert report.created == report.planned, report
        assert report.planned["vehicles"] == len(plan.vehicles) + contractor_vehicles(plan)
    assert first[1].summary() == (
        "3 vehicles, 2 drivers, 1 reservation, 1 group, 2 geofences, 4 alert rules, 1 login"
    )
    second = await seed(db_session, plans, keyring)
    assert all(sum(r.created.values()) == 0 for r in second), second
    assert second[0].summary().endswith("(reused)")

    demo = await tenant_id(db_session, "demo")
    rows = await visible_ids(db_session, demo)
    contractors = plans[0].contractors
    assert contractors is not None
    assert {table: len(ids) for table, ids in rows.items()} == {
        table: len(getattr(plans[0], table))
        + {"vehicles": len(contractors.vehicles), "groups": 1}.get(table, 0)
        for table in TABLES
    }
    members = await db_session.scalar(
        text("select count(*) from memberships where tenant_id = :t"), {"t": demo}
    )
    assert members == 4  # owner, dispatcher, viewer, driver
    created_events = await db_session.scalar(
        text("select count(*) from events where type = 'vehicle_created'")
    )
    assert created_events == len(plans[0].vehicles) + len(contractors.vehicles)


async def test_seeded_vehicles_decode_and_bookings_never_overlap(
    db_session: AsyncSession, plans: tuple[TenantPlan, TenantPlan], keyring: Keyring
) -> None:
    await seed(db_session, plans, keyring)
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
    db_session: AsyncSession, plans: tuple[TenantPlan, TenantPlan], keyring: Keyring
) -> None:
    await seed(db_session, plans, keyring)
    demo_rows = await visible_ids(db_session, await tenant_id(db_session, "demo"))
    harbour_rows = await visible_ids(db_session, await tenant_id(db_session, "harbour"))
    for table in TABLES:
        assert demo_rows[table], table
        assert demo_rows[table].isdisjoint(harbour_rows[table]), table
    assert len(harbour_rows["vehicles"]) == 3 and len(harbour_rows["reservations"]) == 1
    assert harbour_rows["devices"] == set()  # its trucks carry no trackers


async def test_serve_demo_keeps_its_owner_login_and_the_full_seed_adds_to_it(
    db_session: AsyncSession, plans: tuple[TenantPlan, TenantPlan], keyring: Keyring
) -> None:
    login = await ensure_demo_tenant(db_session)
    assert (login.tenant_slug, login.email) == ("demo", "admin@demo.fleetyard.dev")
    (report,) = await seed(db_session, plans[:1], keyring)
    # the dispatcher, the viewer and the driver; the owner was there
    assert report.created["logins"] == 3
    assert await ensure_demo_tenant(db_session) == login


async def test_another_fleet_size_swaps_trackers_instead_of_adding_them(
    db_session: AsyncSession, keyring: Keyring
) -> None:
    """The first vehicles of a bigger fleet are the smaller one's; their trackers get the
    ids the new fleet's simulator uses, so each vehicle keeps exactly one."""
    await seed(db_session, (demo_fleet_plan(FleetConfig(vehicles=12, seed=3), NOW),), keyring)
    bigger = demo_fleet_plan(FleetConfig(vehicles=15, seed=3), NOW)
    (report,) = await seed(db_session, (bigger,), keyring)
    assert (report.created["vehicles"], report.created["devices"]) == (3, 3)
    assert report.changed["devices"] == 12 and "(" in report.summary()
    smaller = demo_fleet_plan(FleetConfig(vehicles=12, seed=3), NOW)
    await seed(db_session, (smaller,), keyring)

    await set_tenant(db_session, await tenant_id(db_session, "demo"))
    rows = await db_session.execute(
        text("select v.vin, d.unique_id from vehicles v join devices d on d.vehicle_id = v.id")
    )
    trackers = {vin: unique_id for vin, unique_id in rows}
    assert len(trackers) == 15 == await db_session.scalar(text("select count(*) from devices"))
    expected = {d.vehicle_vin: d.unique_id for d in bigger.devices}
    expected.update({d.vehicle_vin: d.unique_id for d in smaller.devices})
    assert trackers == expected


async def test_the_contractors_mqtt_integration_is_seeded_once_and_follows_the_broker(
    db_session: AsyncSession, plans: tuple[TenantPlan, TenantPlan], keyring: Keyring
) -> None:
    (first,) = await seed(db_session, plans[:1], keyring)
    assert first.created["integrations"] == 1
    assert first.summary().endswith("1 integration")
    demo = await tenant_id(db_session, "demo")
    await set_tenant(db_session, demo)
    query = text(
        "select i.id, i.provider, i.name, i.settings, i.credentials, i.paused, s.state "
        "from integrations i join integration_status s on s.integration_id = i.id"
    )
    (row,) = (await db_session.execute(query)).all()
    contractors = plans[0].contractors
    assert contractors is not None
    assert (row.provider, row.name, row.paused, row.state) == (
        "mqtt",
        "Contractor vans (MQTT)",
        False,
        "ok",
    )
    assert row.settings == {
        "host": "127.0.0.1",
        "port": 1883,
        "topic_filter": "fleetyard-demo/demo/owntracks/+/+",
        "payload_format": "owntracks",
        "tls": False,
        "client_id": "fleetyard-demo-demo-owntracks",
        "qos": 1,
    }
    aad = associated_data("integration_credentials", demo, row.id)
    sealed = keyring.open_text(bytes(row.credentials), aad)  # anonymous at the demo's broker
    assert json.loads(sealed) == {"username": None, "password": None}
    events = await db_session.scalar(
        text("select count(*) from events where type = 'integration_created'")
    )
    assert events == 1
    vans = await db_session.execute(
        text(
            "select v.name from vehicles v join groups g on g.id = v.group_id "
            "where g.name = 'Contractors' order by v.name"
        )
    )
    assert list(vans.scalars()) == ["putki_van1", "putki_van2"]  # named by their trackers

    (again,) = await seed(db_session, plans[:1], keyring)
    assert sum(again.created.values()) == sum(again.changed.values()) == 0

    moved = demo_fleet_plan(FleetConfig(vehicles=12, seed=3), NOW, Broker("mqtt.example", 8883))
    (report,) = await seed(db_session, (moved,), keyring)
    assert report.changed["integrations"] == 1 and report.created["integrations"] == 0
    await set_tenant(db_session, demo)
    settings = await db_session.scalar(text("select settings from integrations"))
    assert (settings["host"], settings["port"]) == ("mqtt.example", 8883)
    (settled,) = await seed(db_session, (moved,), keyring)
    assert settled.changed["integrations"] == 0


async def test_the_contractors_need_the_keyring(
    db_session: AsyncSession, plans: tuple[TenantPlan, TenantPlan]
) -> None:
    with pytest.raises(ValueError, match="keyring"):
        await seed_tenant(db_session, plans[0])
    harbour = await seed_tenant(db_session, plans[1])  # no contractors: none needed
    assert harbour.planned["integrations"] == 0
