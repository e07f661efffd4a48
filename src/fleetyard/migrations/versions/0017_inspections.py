"""Inspections (DVIR): checklists, inspections, defects, photos.

``inspection_templates`` are a tenant's checklists, one active per vehicle type (or any type)
and kind (pre- or post-trip); their items live in a JSON array, so an edit replaces the list
in one versioned write. ``inspections`` keep a copy of each item as it was answered, so a
later template edit never rewrites what a driver signed. ``inspection_defects`` are the
failed items, each an issue a mechanic takes from open to signed off. ``inspection_photos``
hold the defects' photos in the database (bytea): RLS guards them like every other row and
a backup carries them, with no second store to keep in step.

Revision ID: 0017
Revises: 0016
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0017"
down_revision = "0016"


SCHEMA = """
create table inspection_templates (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    name varchar(200) not null,
    kind varchar(16) not null,
    vehicle_type varchar(32),
    items jsonb not null default '[]',
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check (kind in ('pre_trip', 'post_trip')),
    check (jsonb_typeof(items) = 'array')
);
create unique index uq_inspection_templates_active
    on inspection_templates (tenant_id, coalesce(vehicle_type, ''), kind) where active;

create table inspections (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    vehicle_id uuid not null,
    template_id uuid not null,
    kind varchar(16) not null,
    user_id uuid,
    driver_id uuid,
    odometer_km numeric(12, 1),
    odometer_source varchar(16) not null,
    performed_at timestamptz not null,
    results jsonb not null,
    failed_count integer not null default 0,
    critical_count integer not null default 0,
    notes varchar(2000) not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade,
    foreign key (tenant_id, template_id) references inspection_templates (tenant_id, id),
    check (kind in ('pre_trip', 'post_trip')),
    check (odometer_km is null or odometer_km >= 0),
    check (odometer_source in ('tracker', 'vehicle', 'entered', 'none'))
);
create index ix_inspections_vehicle on inspections (tenant_id, vehicle_id, performed_at desc);
create index ix_inspections_performed on inspections (tenant_id, performed_at desc);

create table inspection_defects (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    inspection_id uuid not null,
    vehicle_id uuid not null,
    item_id varchar(64) not null,
    section varchar(100) not null default '',
    label varchar(200) not null,
    critical boolean not null default false,
    note varchar(2000) not null default '',
    status varchar(24) not null default 'open',
    out_of_service boolean not null default false,
    work_order_id uuid,
    alert_id uuid,
    acknowledged_by uuid,
    acknowledged_at timestamptz,
    signed_off_by uuid,
    signed_off_at timestamptz,
    sign_off_note varchar(2000) not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, inspection_id) references inspections (tenant_id, id)
        on delete cascade,
    check (status in ('open', 'acknowledged', 'work_order_created', 'resolved',
                      'no_repair_needed'))
);
create index ix_inspection_defects_status on inspection_defects (tenant_id, status, created_at);
create index ix_inspection_defects_vehicle on inspection_defects (tenant_id, vehicle_id);
create index ix_inspection_defects_inspection on inspection_defects (tenant_id, inspection_id);

create table inspection_photos (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    defect_id uuid not null,
    content_type varchar(32) not null,
    size_bytes integer not null,
    sha256 char(64) not null,
    data bytea not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, defect_id) references inspection_defects (tenant_id, id)
        on delete cascade,
    check (size_bytes > 0 and size_bytes = octet_length(data))
);
create index ix_inspection_photos_defect on inspection_photos (tenant_id, defect_id);
"""

TENANT_TABLES = ["inspection_templates", "inspections", "inspection_defects", "inspection_photos"]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    role = app_role()
    grant(TENANT_TABLES, role)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.execute(f"drop table if exists {table}")
