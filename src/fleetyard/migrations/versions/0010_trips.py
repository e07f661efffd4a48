"""Trips and stops, detected per device in the ingest pipeline after commit.

``trips`` and ``stops`` are what the detector derives from stored positions: one row per trip
or stop, open while it lasts, keyed for re-derivation by (tenant, device, start) so a late
record that changes a trip rewrites that row instead of adding another. ``trip_detectors``
holds each device's detector state (phase, open trip's running figures, last fix), written on
every change and at most every minute of fix time otherwise; a restarted process loads it and
replays the stored positions after ``last_fix_at``. ``trip_settings`` is a tenant's rule
(how long a vehicle stands before its trip ends), absent until changed from the default.

Lists read a vehicle's or a driver's trips by start time: indexes lead with (tenant, vehicle
| driver, start), as the primary keys lead with the tenant.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0010"
down_revision = "0009"


SCHEMA = """
create table trips (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    device_id uuid not null,
    vehicle_id uuid not null,
    driver_id uuid,
    status varchar(16) not null,
    started_at timestamptz not null,
    ended_at timestamptz,
    start_latitude double precision not null,
    start_longitude double precision not null,
    end_latitude double precision,
    end_longitude double precision,
    distance_m double precision not null default 0,
    distance_source varchar(16) not null default 'gps',
    duration_s double precision not null default 0,
    driving_s double precision not null default 0,
    idle_s double precision not null default 0,
    max_speed_kmh double precision not null default 0,
    avg_speed_kmh double precision,
    fuel_used_l double precision,
    fuel_used_pct double precision,
    fixes integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade,
    check (status in ('open', 'completed')),
    check ((status = 'completed') = (ended_at is not null)),
    check (ended_at is null or ended_at >= started_at),
    check (distance_source in ('gps', 'odometer'))
);
create unique index uq_trips_device_start on trips (tenant_id, device_id, started_at);
create index ix_trips_vehicle_start on trips (tenant_id, vehicle_id, started_at desc, id);
create index ix_trips_driver_start on trips (tenant_id, driver_id, started_at desc, id)
    where driver_id is not null;
create index ix_trips_start on trips (tenant_id, started_at desc, id);

create table stops (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    device_id uuid not null,
    vehicle_id uuid not null,
    status varchar(16) not null,
    started_at timestamptz not null,
    ended_at timestamptz,
    latitude double precision not null,
    longitude double precision not null,
    duration_s double precision,
    idle_s double precision not null default 0,
    fixes integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade,
    check (status in ('open', 'completed')),
    check ((status = 'completed') = (ended_at is not null)),
    check (ended_at is null or ended_at >= started_at)
);
create unique index uq_stops_device_start on stops (tenant_id, device_id, started_at);
create index ix_stops_vehicle_start on stops (tenant_id, vehicle_id, started_at desc, id);
create index ix_stops_start on stops (tenant_id, started_at desc, id);

create table trip_detectors (
    tenant_id uuid not null references tenants(id) on delete cascade,
    device_id uuid not null,
    last_fix_at timestamptz not null,
    state jsonb not null,
    updated_at timestamptz not null default now(),
    primary key (tenant_id, device_id)
);

create table trip_settings (
    tenant_id uuid not null references tenants(id) on delete cascade,
    version integer not null default 1,
    stop_after_s integer not null default 180,
    updated_at timestamptz not null default now(),
    primary key (tenant_id),
    check (stop_after_s between 30 and 86400)
);
"""

TENANT_TABLES = ["trips", "stops", "trip_detectors", "trip_settings"]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    role = app_role()
    grant(TENANT_TABLES, role)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.execute(f"drop table if exists {table}")
