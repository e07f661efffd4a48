"""Dispatch: plans assigned to vehicles and drivers, each stop's progress and proof.

``dispatches`` are solved route plans put on the road from a start instant (the plan's times
are seconds from it); ``dispatch_routes`` one vehicle's and driver's day, with the planned
corridor (the route geometry) and the monitor's state (last ETA round, off-route since);
``dispatch_stops`` each job with its planned and estimated times and its progress;
``dispatch_stop_photos`` the proof photos (bytea, like inspection photos: RLS guards them and
a backup carries them). ``dispatch_replans`` ties a re-optimisation's new plan to the dispatch
it replaces and the stops it keeps fixed. ``dispatch_settings`` are a tenant's tolerances.

The plan itself is the route-planning domain's; a dispatch copies what it needs from it (job
places, windows, the solution's times) so a plan edited later never rewrites what a driver
was sent.

Revision ID: 0022
Revises: 0021
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0022"
down_revision = "0021"


SCHEMA = """
create table dispatches (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    plan_id uuid not null,
    name varchar(200) not null,
    start_at timestamptz not null,
    status varchar(16) not null default 'active',
    superseded_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check (status in ('active', 'completed', 'superseded'))
);
create index ix_dispatches_status on dispatches (tenant_id, status, start_at);
create index ix_dispatches_plan on dispatches (tenant_id, plan_id);

create table dispatch_routes (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    dispatch_id uuid not null,
    vehicle_key varchar(100) not null,
    vehicle_id uuid not null,
    driver_id uuid,
    status varchar(16) not null default 'planned',
    planned_start_at timestamptz not null,
    planned_end_at timestamptz not null,
    distance_m bigint not null default 0,
    duration_s bigint not null default 0,
    start_lat double precision,
    start_lon double precision,
    geometry jsonb,
    eta_at timestamptz,
    eta_position_at timestamptz,
    off_route_since timestamptz,
    off_route_m double precision,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, dispatch_id) references dispatches (tenant_id, id) on delete cascade,
    check (status in ('planned', 'in_progress', 'completed', 'superseded'))
);
create index ix_dispatch_routes_dispatch on dispatch_routes (tenant_id, dispatch_id);
create index ix_dispatch_routes_vehicle on dispatch_routes (tenant_id, vehicle_id, status);
create index ix_dispatch_routes_driver on dispatch_routes (tenant_id, driver_id, planned_start_at);

create table dispatch_stops (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    route_id uuid not null,
    seq integer not null,
    job_id varchar(100) not null,
    name varchar(200) not null,
    place varchar(500) not null default '',
    notes varchar(2000) not null default '',
    latitude double precision not null,
    longitude double precision not null,
    service_s integer not null default 0,
    window_start_at timestamptz,
    window_end_at timestamptz,
    planned_arrival_at timestamptz not null,
    planned_departure_at timestamptz not null,
    eta_at timestamptz,
    late_s integer,
    status varchar(16) not null default 'pending',
    arrived_at timestamptz,
    completed_at timestamptz,
    failed_at timestamptz,
    note varchar(2000) not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, route_id) references dispatch_routes (tenant_id, id)
        on delete cascade,
    unique (tenant_id, route_id, seq),
    check (status in ('pending', 'arrived', 'completed', 'failed')),
    check (latitude between -90 and 90 and longitude between -180 and 180)
);

create table dispatch_stop_photos (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    stop_id uuid not null,
    content_type varchar(32) not null,
    size_bytes integer not null,
    sha256 char(64) not null,
    data bytea not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, stop_id) references dispatch_stops (tenant_id, id) on delete cascade,
    check (size_bytes > 0 and size_bytes = octet_length(data))
);
create index ix_dispatch_stop_photos_stop on dispatch_stop_photos (tenant_id, stop_id);

create table dispatch_replans (
    tenant_id uuid not null references tenants(id) on delete cascade,
    plan_id uuid not null,
    dispatch_id uuid not null,
    fixed_stops jsonb not null default '{}',
    created_at timestamptz not null default now(),
    primary key (tenant_id, plan_id),
    foreign key (tenant_id, dispatch_id) references dispatches (tenant_id, id) on delete cascade
);

create table dispatch_settings (
    tenant_id uuid not null references tenants(id) on delete cascade,
    corridor_m integer not null default 500,
    off_route_after_s integer not null default 60,
    late_tolerance_s integer not null default 300,
    updated_at timestamptz not null default now(),
    primary key (tenant_id),
    check (corridor_m between 50 and 50000),
    check (off_route_after_s between 0 and 3600),
    check (late_tolerance_s between 0 and 86400)
);
"""

TENANT_TABLES = [
    "dispatches",
    "dispatch_routes",
    "dispatch_stops",
    "dispatch_stop_photos",
    "dispatch_replans",
    "dispatch_settings",
]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    grant(TENANT_TABLES, app_role())


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.execute(f"drop table if exists {table}")
