"""Driving behaviour: harsh, speeding, idling and night-driving events, detected per device in
the ingest pipeline after commit.

``driving_events`` are records (never updated): one row per harsh acceleration, braking or
cornering, speeding episode, idling episode or night drive, with its time span, where it
began, the driver at the time, what was measured and the fixes that show it. A detection is
keyed by (tenant, device, kind, start), so replaying stored positions after a restart inserts
nothing twice. ``behaviour_detectors`` holds each device's detector state (the last fixes,
open episodes), checkpointed with the events it emits and at most every minute of fix time
otherwise. Scores are computed from the events when asked (nothing to keep in step).

Revision ID: 0013
Revises: 0012
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0013"
down_revision = "0012"


SCHEMA = """
create table driving_events (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    device_id uuid not null,
    vehicle_id uuid not null,
    driver_id uuid,
    kind varchar(32) not null,
    source varchar(16) not null,
    severity varchar(16) not null,
    started_at timestamptz not null,
    ended_at timestamptz not null,
    latitude double precision not null,
    longitude double precision not null,
    duration_s double precision not null default 0,
    speed_kmh double precision,
    peak_g double precision,
    delta_kmh double precision,
    limit_kmh double precision,
    limit_source varchar(16),
    max_speed_kmh double precision,
    excess_kmh double precision,
    mean_excess_kmh double precision,
    distance_m double precision,
    details jsonb not null default '{}'::jsonb,
    fixes jsonb not null default '[]'::jsonb,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade,
    check (kind in ('harsh_acceleration', 'harsh_braking', 'harsh_cornering', 'speeding',
                    'idling', 'night_driving')),
    check (source in ('fixes', 'device')),
    check (severity in ('low', 'medium', 'high')),
    check (ended_at >= started_at),
    check (limit_source is null or limit_source in ('road', 'road_class', 'geofence'))
);
create unique index uq_driving_events_detection
    on driving_events (tenant_id, device_id, kind, started_at);
create index ix_driving_events_vehicle on driving_events (tenant_id, vehicle_id, started_at, id);
create index ix_driving_events_driver on driving_events (tenant_id, driver_id, started_at, id)
    where driver_id is not null;
create index ix_driving_events_start on driving_events (tenant_id, started_at, id);

create table behaviour_detectors (
    tenant_id uuid not null references tenants(id) on delete cascade,
    device_id uuid not null,
    last_fix_at timestamptz not null,
    state jsonb not null,
    updated_at timestamptz not null default now(),
    primary key (tenant_id, device_id)
);
"""

TENANT_TABLES = ["driving_events", "behaviour_detectors"]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    role = app_role()
    grant(TENANT_TABLES, role)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.execute(f"drop table if exists {table}")
