"""Row-level security in SQL: the app role sees nothing without a tenant, and only its own with
one, whatever the query forgets to filter."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from fleetyard.auth.principal import Principal
from fleetyard.kit.ids import TenantId
from fleetyard.vehicles.schemas import VehicleCreate
from fleetyard.vehicles.service import VehicleService
from tests.conftest import Tenants

foundation = importlib.import_module("fleetyard.migrations.versions.0001_foundation")


async def use_tenant(session: AsyncSession, tenant_id: object) -> None:
    await session.execute(
        text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
    )


async def seed_vehicle(session: AsyncSession, tenants: Tenants) -> str:
    await use_tenant(session, tenants.a.id)
    vehicle = await VehicleService(session, Principal.system(TenantId(tenants.a.id))).create(
        VehicleCreate(plate="RLS-A")
    )
    return str(vehicle.id)


async def test_app_role_cannot_bypass_rls(connection: AsyncConnection) -> None:
    row = (
        await connection.execute(
            text(
                "select rolsuper, rolbypassrls, current_user from pg_roles "
                "where rolname = current_user"
            )
        )
    ).one()
    assert row[0] is False and row[1] is False
    owners = await connection.execute(
        text(
            "select count(*) from pg_tables where schemaname='public' and tableowner = current_user"
        )
    )
    assert owners.scalar_one() == 0


async def test_every_tenant_table_forces_rls(connection: AsyncConnection) -> None:
    rows = (
        await connection.execute(
            text(
                "select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c "
                "join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' "
                "where c.relkind in ('r','p') and not c.relispartition "
                "and c.relnamespace = 'public'::regnamespace"
            )
        )
    ).all()
    tables = {r[0]: (r[1], r[2]) for r in rows}
    # user_sessions carries the chosen tenant but belongs to a user, not a tenant
    tables.pop("user_sessions")
    assert set(foundation.TENANT_TABLES) <= set(tables)
    assert all(enabled and forced for enabled, forced in tables.values())


async def test_primary_keys_start_with_tenant_id(connection: AsyncConnection) -> None:
    rows = (
        await connection.execute(
            text(
                "select tc.table_name, kcu.column_name "
                "from information_schema.table_constraints tc "
                "join information_schema.key_column_usage kcu "
                "  on kcu.constraint_name = tc.constraint_name and kcu.ordinal_position = 1 "
                "where tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = 'public'"
            )
        )
    ).all()
    first_columns = dict(rows)
    for table in foundation.TENANT_TABLES:
        if table == "device_identities":  # platform-wide routing table (Citus reference table)
            continue
        assert first_columns[table] == "tenant_id", table


async def test_no_tenant_set_sees_zero_rows(db_session: AsyncSession, tenants: Tenants) -> None:
    await seed_vehicle(db_session, tenants)
    await db_session.execute(text("select set_config('app.tenant_id', '', true)"))
    for table in foundation.TENANT_TABLES:
        query = text(f"select count(*) from {table}")  # noqa: S608 - names from our migration
        count = (await db_session.execute(query)).scalar_one()
        assert count == 0, table


async def test_other_tenant_cannot_read_or_change(
    db_session: AsyncSession, tenants: Tenants
) -> None:
    vehicle_id = await seed_vehicle(db_session, tenants)
    await use_tenant(db_session, tenants.b.id)
    seen = await db_session.execute(
        text("select count(*) from vehicles where id = :id"), {"id": vehicle_id}
    )
    assert seen.scalar_one() == 0
    updated = await db_session.execute(
        text("update vehicles set plate = 'STOLEN' where id = :id"), {"id": vehicle_id}
    )
    assert updated.rowcount == 0  # type: ignore[attr-defined]
    deleted = await db_session.execute(
        text("delete from vehicles where id = :id"), {"id": vehicle_id}
    )
    assert deleted.rowcount == 0  # type: ignore[attr-defined]

    await use_tenant(db_session, tenants.a.id)
    plate = await db_session.execute(
        text("select plate from vehicles where id = :id"), {"id": vehicle_id}
    )
    assert plate.scalar_one() == "RLS-A"


async def test_cannot_write_rows_into_another_tenant(
    db_session: AsyncSession, tenants: Tenants
) -> None:
    await use_tenant(db_session, tenants.b.id)
    with pytest.raises(DBAPIError, match="row-level security"):
        await db_session.execute(
            text(
                "insert into vehicles (tenant_id, id, type, fuel_type, status) "
                "values (:t, gen_random_uuid(), 'car', 'petrol', 'active')"
            ),
            {"t": str(tenants.a.id)},
        )
