"""Geofences and each vehicle's inside-state, evaluated in the ingest pipeline. (Active hours
are read in the tenant's time zone, ``tenants.time_zone``, which 0012 adds.)

``geofences`` is the record people edit (versioned, every change an event): a circle (a
GeoJSON Point and ``radius_m``) or a polygon (a GeoJSON Polygon), with its bounding box in
degrees beside it for cheap listing by area. The API validates the geometry with shapely;
the checks here are the ranges a row written by hand must still respect.

``geofence_presence`` is what the evaluator keeps per vehicle and geofence while the vehicle
is inside (no version, no events of its own: the visits are the ``geofence_*`` events). A row
exists exactly while the vehicle is inside, so a restart knows who is where and enters no one
twice; ``last_fix_at`` (written on changes, and at most every few tens of seconds of fix time
otherwise) lets it ignore late records after a restart too.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0011"
down_revision = "0010"


SCHEMA = """
create table geofences (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    name varchar(200) not null,
    colour varchar(7) not null default '#2563eb',
    shape varchar(16) not null,
    -- GeoJSON: a Point (the circle's centre) or a Polygon, longitude first
    geometry jsonb not null,
    radius_m double precision,
    area_m2 double precision not null,
    min_latitude double precision not null,
    min_longitude double precision not null,
    max_latitude double precision not null,
    max_longitude double precision not null,
    -- which vehicles: all, or those in these groups (or their subgroups)
    all_vehicles boolean not null default true,
    group_ids uuid[] not null default '{}',
    speed_limit_kmh integer,
    -- weekday windows in the tenant's time zone; null: always active
    active_hours jsonb,
    dwell_minutes integer,
    -- which transitions open an alert besides the events every one writes
    alert_on text[] not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check (shape in ('circle', 'polygon')),
    check ((shape = 'circle') = (radius_m is not null)),
    check (radius_m between 5 and 100000),
    check (min_latitude between -90 and 90 and max_latitude between -90 and 90),
    check (min_longitude between -180 and 180 and max_longitude between -180 and 180),
    check (min_latitude <= max_latitude and min_longitude <= max_longitude),
    check (all_vehicles or cardinality(group_ids) > 0),
    check (speed_limit_kmh between 5 and 300),
    check (dwell_minutes between 1 and 10080),
    check (alert_on <@ array['enter', 'exit', 'dwell', 'speeding']::text[])
);
create unique index uq_geofences_name on geofences (tenant_id, lower(name));

create table geofence_presence (
    tenant_id uuid not null,
    vehicle_id uuid not null,
    geofence_id uuid not null,
    device_id uuid,
    entered_at timestamptz not null,
    last_fix_at timestamptz not null,
    dwell_reported_at timestamptz,
    -- an ongoing speeding episode inside the geofence: since when, and its top speed
    speeding_since timestamptz,
    speeding_max_kmh double precision,
    primary key (tenant_id, vehicle_id, geofence_id),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade,
    foreign key (tenant_id, geofence_id) references geofences (tenant_id, id) on delete cascade
);
create index ix_geofence_presence_geofence on geofence_presence (tenant_id, geofence_id);
"""

TENANT_TABLES = ["geofences", "geofence_presence"]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    role = app_role()
    grant(TENANT_TABLES, role)


def downgrade() -> None:
    op.execute("drop table if exists geofence_presence")
    op.execute("drop table if exists geofences")
