"""Integration runtime: the vendor vehicles each connection has seen, matched or not.

``integration_vehicles`` keeps every vehicle a connection's vendor listed or sent, with what
the vendor calls it (name, VIN, serial, plate) and, once matched, our device for it (whose
``vehicle_id`` is the vehicle it was matched to). An unmatched row is one a person can match
later. The runner writes it through the app role under the tenant's setting, like any
tenant-owned table.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from fleetyard.migrations.tenancy import TENANT, app_role

revision = "0007"
down_revision = "0006"


SCHEMA = """
create table integration_vehicles (
    tenant_id uuid not null,
    integration_id uuid not null,
    vendor_id varchar(200) not null,
    name varchar(200),
    vin varchar(32),
    serial varchar(100),
    plate varchar(40),
    device_id uuid,
    matched_by varchar(16),
    first_seen_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    primary key (tenant_id, integration_id, vendor_id),
    foreign key (tenant_id, integration_id) references integrations (tenant_id, id)
        on delete cascade,
    foreign key (tenant_id, device_id) references devices (tenant_id, id)
        on delete set null (device_id),
    check (matched_by in ('vin', 'name', 'plate', 'serial', 'person'))
);
create index ix_integration_vehicles_unmatched on integration_vehicles (tenant_id, integration_id)
    where device_id is null;
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    op.execute("alter table integration_vehicles enable row level security")
    op.execute("alter table integration_vehicles force row level security")
    op.execute(
        "create policy tenant_isolation on integration_vehicles "
        f"using (tenant_id = {TENANT}) with check (tenant_id = {TENANT})"
    )
    op.execute(f"grant select, insert, update, delete on integration_vehicles to {app_role()}")


def downgrade() -> None:
    op.execute("drop table if exists integration_vehicles")
