"""Telematics: positions (partitioned by fix time), latest vehicle state, alerts, unknown devices.

Revision ID: 0002
Revises: 0001
"""

from alembic import context, op

revision = "0002"
down_revision = "0001"

TENANT = "nullif(current_setting('app.tenant_id', true), '')::uuid"

SCHEMA = """
-- Idempotent on (tenant, device, fix time): a resent record never duplicates.
create table positions (
    tenant_id uuid not null,
    device_id uuid not null,
    fix_time timestamptz not null,
    vehicle_id uuid,
    server_time timestamptz not null default now(),
    protocol varchar(32) not null,
    latitude double precision not null,
    longitude double precision not null,
    speed_kmh real,
    course real,
    altitude_m real,
    satellites smallint,
    hdop real,
    valid boolean not null,
    invalid_reason varchar(64),
    ignition boolean,
    odometer_m double precision,
    attributes jsonb not null default '{}',
    primary key (tenant_id, device_id, fix_time)
) partition by range (fix_time);
-- Anything without a monthly partition lands here (months-old buffers, frames from years ago):
-- stored, never dropped silently.
create table positions_default partition of positions default;
create index ix_positions_vehicle on positions (tenant_id, vehicle_id, fix_time);

create table vehicle_state (
    tenant_id uuid not null references tenants(id) on delete cascade,
    vehicle_id uuid not null,
    device_id uuid not null,
    fix_time timestamptz not null,
    server_time timestamptz not null,
    latitude double precision not null,
    longitude double precision not null,
    speed_kmh real,
    course real,
    altitude_m real,
    satellites smallint,
    ignition boolean,
    odometer_m double precision,
    attributes jsonb not null default '{}',
    primary key (tenant_id, vehicle_id),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade
);

create table alerts (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    vehicle_id uuid not null,
    device_id uuid,
    kind varchar(32) not null,
    code varchar(32) not null default '',
    severity varchar(16) not null,
    message varchar(500) not null,
    details jsonb not null default '{}',
    opened_at timestamptz not null,
    last_seen_at timestamptz not null,
    cleared_at timestamptz,
    acknowledged_at timestamptz,
    acknowledged_by uuid,
    primary key (tenant_id, id),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade
);
-- One open alert per vehicle, kind and code until it clears.
create unique index uq_alerts_open on alerts (tenant_id, vehicle_id, kind, code)
    where cleared_at is null;
create index ix_alerts_opened on alerts (tenant_id, opened_at desc, id);

-- Devices nobody registered: platform-wide, so an admin can find and claim theirs.
create table unknown_devices (
    unique_id varchar(64) primary key,
    protocol varchar(32) not null,
    remote_address varchar(64),
    first_seen_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    attempts integer not null default 1
);
create index ix_unknown_devices_last_seen on unknown_devices (last_seen_at desc);
"""

TENANT_TABLES = ["positions", "vehicle_state", "alerts"]


def _app_role() -> str:
    role = context.config.attributes.get("app_role", "fleetyard_app")
    assert str(role).replace("_", "").isalnum(), "role names are plain identifiers"
    return str(role)


def upgrade() -> None:
    op.execute(SCHEMA)
    for table in TENANT_TABLES:
        op.execute(f"alter table {table} enable row level security")
        op.execute(f"alter table {table} force row level security")
        op.execute(
            f"create policy tenant_isolation on {table} "
            f"using (tenant_id = {TENANT}) with check (tenant_id = {TENANT})"
        )
    role = _app_role()
    for table in [*TENANT_TABLES, "unknown_devices"]:
        op.execute(f"grant select, insert, update, delete on {table} to {role}")
