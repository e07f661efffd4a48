"""Telematics: positions (partitioned by fix time), latest vehicle state, alerts, unknown devices.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0002"
down_revision = "0001"


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


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    role = app_role()
    grant([*TENANT_TABLES, "unknown_devices"], role)
