"""What every migration adding tenant tables does the same way: row-level security keyed on the
transaction's tenant (``app.tenant_id``, set by ``fleetyard.db.set_tenant``), and the app role's
grants. One place, so a new table cannot be isolated differently by mistake."""

from __future__ import annotations

from collections.abc import Iterable

from alembic import context, op

# The tenant a statement runs for: none (no row visible) when the setting is unset or empty.
TENANT = "nullif(current_setting('app.tenant_id', true), '')::uuid"


def app_role() -> str:
    """The role the application connects as (``fleetyard migrate`` passes it in)."""
    role = context.config.attributes.get("app_role", "fleetyard_app")
    assert str(role).replace("_", "").isalnum(), "role names are plain identifiers"
    return str(role)


def isolate(tables: Iterable[str]) -> None:
    """Row-level security on each table, forced for its owner too: a row is seen and written
    only for the transaction's tenant."""
    for table in tables:
        op.execute(f"alter table {table} enable row level security")
        op.execute(f"alter table {table} force row level security")
        op.execute(
            f"create policy tenant_isolation on {table} "
            f"using (tenant_id = {TENANT}) with check (tenant_id = {TENANT})"
        )


def grant(tables: Iterable[str], role: str) -> None:
    """The app role reads and writes each table (row-level security decides which rows)."""
    for table in tables:
        op.execute(f"grant select, insert, update, delete on {table} to {role}")
