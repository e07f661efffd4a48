"""Foundation: tenants, users, memberships, core fleet records, event log, row-level security.

Revision ID: 0001
Revises:
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, isolate

revision = "0001"
down_revision = None

USER = "nullif(current_setting('app.user_id', true), '')::uuid"

SCHEMA = """
create table tenants (
    id uuid primary key,
    slug varchar(63) not null unique,
    name varchar(200) not null,
    features jsonb not null default '{}',
    max_vehicles integer check (max_vehicles >= 0),
    max_users integer check (max_users >= 0),
    api_requests_per_minute integer not null default 600 check (api_requests_per_minute > 0),
    position_retention_days integer check (position_retention_days > 0),
    primary_color varchar(7),
    logo_url varchar(2048),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table users (
    id uuid primary key,
    email varchar(320) not null unique,
    display_name varchar(200) not null default '',
    password_hash varchar(200) not null,
    is_active boolean not null default true,
    last_login_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table user_sessions (
    token_hash varchar(64) primary key,
    user_id uuid not null references users(id) on delete cascade,
    tenant_id uuid references tenants(id) on delete cascade,
    csrf_hash varchar(64) not null,
    expires_at timestamptz not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index ix_user_sessions_user_id on user_sessions (user_id);

create table memberships (
    tenant_id uuid not null references tenants(id) on delete cascade,
    user_id uuid not null references users(id) on delete cascade,
    role varchar(32) not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, user_id)
);
create index ix_memberships_user_id on memberships (user_id);

create table api_keys (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    name varchar(200) not null,
    role varchar(32) not null,
    prefix varchar(16) not null,
    key_hash varchar(64) not null,
    created_by uuid,
    last_used_at timestamptz,
    expires_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id)
);
create index ix_api_keys_key_hash on api_keys (key_hash);

create table groups (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    name varchar(200) not null,
    kind varchar(32) not null default 'depot',
    parent_id uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, parent_id) references groups (tenant_id, id)
        on delete set null (parent_id)
);
create unique index uq_groups_name on groups (tenant_id, lower(name));

create table vehicles (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    vin varchar(17),
    plate varchar(20),
    name varchar(200),
    make varchar(100),
    model varchar(100),
    year integer,
    type varchar(32) not null,
    fuel_type varchar(32) not null,
    odometer_km numeric(12, 1) not null default 0,
    status varchar(32) not null,
    status_detail jsonb not null default '{}',
    group_id uuid,
    tags varchar(64)[] not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, group_id) references groups (tenant_id, id)
        on delete set null (group_id)
);
create unique index uq_vehicles_vin on vehicles (tenant_id, vin) where vin is not null;
create unique index uq_vehicles_plate on vehicles (tenant_id, plate) where plate is not null;
create index ix_vehicles_status on vehicles (tenant_id, status, id);
create index ix_vehicles_group on vehicles (tenant_id, group_id, id);
create index ix_vehicles_tags on vehicles using gin (tags);

create table drivers (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    name varchar(200) not null,
    email varchar(320),
    phone varchar(32),
    licence_number varchar(64),
    licence_class varchar(32),
    licence_expiry date,
    status varchar(32) not null default 'active',
    assigned_vehicle_id uuid,
    group_id uuid,
    user_id uuid references users(id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, assigned_vehicle_id) references vehicles (tenant_id, id)
        on delete set null (assigned_vehicle_id),
    foreign key (tenant_id, group_id) references groups (tenant_id, id)
        on delete set null (group_id)
);
create index ix_drivers_status on drivers (tenant_id, status, id);
create unique index uq_drivers_licence on drivers (tenant_id, licence_number)
    where licence_number is not null;

create table devices (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    unique_id varchar(64) not null,
    protocol varchar(32) not null,
    name varchar(200),
    phone varchar(32),
    vehicle_id uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, unique_id),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id)
        on delete set null (vehicle_id)
);

-- Platform-wide: a frame arrives before we know its tenant.
create table device_identities (
    unique_id varchar(64) primary key,
    tenant_id uuid not null references tenants(id) on delete cascade,
    device_id uuid not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    foreign key (tenant_id, device_id) references devices (tenant_id, id) on delete cascade
);

create table reservations (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    vehicle_id uuid not null,
    driver_id uuid,
    user_id uuid references users(id) on delete set null,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    purpose varchar(500) not null default '',
    status varchar(32) not null default 'confirmed',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check (ends_at > starts_at),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete restrict,
    foreign key (tenant_id, driver_id) references drivers (tenant_id, id)
        on delete set null (driver_id)
);
create index ix_reservations_vehicle on reservations (tenant_id, vehicle_id, starts_at);
create index ix_reservations_starts on reservations (tenant_id, starts_at, id);

create table events (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id bigint generated always as identity,
    occurred_at timestamptz not null default now(),
    type varchar(64) not null,
    entity_type varchar(32) not null,
    entity_id uuid not null,
    actor_type varchar(16) not null,
    actor_id uuid,
    changes jsonb not null default '{}',
    request_id varchar(64),
    primary key (tenant_id, id)
);
create index ix_events_entity on events (tenant_id, entity_type, entity_id, id);

create table idempotency_keys (
    tenant_id uuid not null references tenants(id) on delete cascade,
    key varchar(200) not null,
    request_hash varchar(64) not null,
    status_code integer,
    response_body text,
    created_at timestamptz not null default now(),
    primary key (tenant_id, key)
);
create index ix_idempotency_keys_created on idempotency_keys (created_at);
"""

TENANT_TABLES = [
    "memberships",
    "api_keys",
    "groups",
    "vehicles",
    "drivers",
    "devices",
    "device_identities",
    "reservations",
    "events",
    "idempotency_keys",
]

# Extra ways to *read* a row before the tenant is known (login, API key, device frame).
LOOKUP_POLICIES = {
    "memberships": f"user_id = {USER}",
    "api_keys": "key_hash = current_setting('app.api_key_hash', true)",
    "device_identities": "unique_id = current_setting('app.device_unique_id', true)",
}


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    for table, condition in LOOKUP_POLICIES.items():
        op.execute(f"create policy lookup on {table} for select using ({condition})")

    role = app_role()
    op.execute(
        f"""
        do $$ begin
            if not exists (select from pg_roles where rolname = '{role}') then
                create role {role} login nosuperuser nobypassrls;
            end if;
        end $$;
        """
    )
    op.execute(f"grant usage on schema public to {role}")
    op.execute(f"grant select, insert, update, delete on all tables in schema public to {role}")
    op.execute(f"grant usage, select on all sequences in schema public to {role}")
    op.execute(f"revoke all on alembic_version from {role}")
