"""Maintenance: service schedules, their state per vehicle, work orders and their lines, parts.

``service_schedules`` is what a tenant asked for (a vehicle's or a group's, by km, engine
hours and a calendar interval, whichever comes first, each with its "due soon" margin).
``service_schedule_vehicles`` is one row per schedule and vehicle it covers: when it was last
done (meters and date) and the status the evaluator last computed from the live meters in
``vehicle_state`` (so lists filter by status with one indexed comparison). ``work_orders``
carry their money as numeric in the tenant's currency (``tenants.currency``, ISO 4217);
``work_order_lines`` are labour (hours × rate) and parts (quantity × unit cost); ``parts`` is
the stock a completed work order draws on (never below zero: a check, and a 409 before it).

Revision ID: 0016
Revises: 0015
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0016"
down_revision = "0015"


SCHEMA = """
alter table tenants add column currency char(3) not null default 'EUR'
    check (currency ~ '^[A-Z]{3}$');

create table service_schedules (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    name varchar(200) not null,
    description text not null default '',
    component varchar(32) not null default 'other',
    vehicle_id uuid,
    group_id uuid,
    interval_km numeric(10, 1) check (interval_km > 0),
    interval_hours numeric(10, 1) check (interval_hours > 0),
    interval_days integer check (interval_days > 0),
    interval_months integer check (interval_months > 0),
    soon_km numeric(10, 1) not null default 0 check (soon_km >= 0),
    soon_hours numeric(10, 1) not null default 0 check (soon_hours >= 0),
    soon_days integer not null default 0 check (soon_days >= 0),
    enabled boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade,
    foreign key (tenant_id, group_id) references groups (tenant_id, id) on delete cascade,
    check ((vehicle_id is null) <> (group_id is null)),
    check (interval_days is null or interval_months is null),
    check (coalesce(interval_km, interval_hours, interval_days, interval_months) is not null)
);
create index ix_service_schedules_vehicle on service_schedules (tenant_id, vehicle_id)
    where vehicle_id is not null;
create index ix_service_schedules_group on service_schedules (tenant_id, group_id)
    where group_id is not null;

create table service_schedule_vehicles (
    tenant_id uuid not null references tenants(id) on delete cascade,
    schedule_id uuid not null,
    vehicle_id uuid not null,
    last_done_km numeric(12, 1),
    last_done_hours numeric(12, 1),
    last_done_on date not null,
    last_work_order_id uuid,
    status varchar(16) not null default 'ok',
    next_due_km numeric(12, 1),
    next_due_hours numeric(12, 1),
    next_due_on date,
    evaluated_at timestamptz not null default now(),
    primary key (tenant_id, schedule_id, vehicle_id),
    foreign key (tenant_id, schedule_id) references service_schedules (tenant_id, id)
        on delete cascade,
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade,
    check (status in ('ok', 'due_soon', 'due', 'overdue'))
);
create index ix_service_schedule_vehicles_vehicle
    on service_schedule_vehicles (tenant_id, vehicle_id);
create index ix_service_schedule_vehicles_status
    on service_schedule_vehicles (tenant_id, status) where status <> 'ok';

create table parts (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    part_number varchar(64) not null,
    name varchar(200) not null,
    quantity_on_hand numeric(12, 3) not null default 0 check (quantity_on_hand >= 0),
    unit_cost numeric(12, 2) not null default 0 check (unit_cost >= 0),
    reorder_level numeric(12, 3) not null default 0 check (reorder_level >= 0),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id)
);
create unique index uq_parts_part_number on parts (tenant_id, lower(part_number));

create table work_orders (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    number integer not null,
    vehicle_id uuid not null,
    title varchar(200) not null,
    description text not null default '',
    component varchar(32) not null,
    kind varchar(16) not null,
    priority varchar(16) not null,
    status varchar(16) not null default 'open',
    vendor varchar(200),
    assigned_to uuid,
    source_kind varchar(16) not null default 'manual',
    source_id uuid,
    out_of_service_from timestamptz,
    out_of_service_until timestamptz,
    currency char(3) not null,
    labour_total numeric(14, 2) not null default 0,
    parts_total numeric(14, 2) not null default 0,
    total numeric(14, 2) not null default 0,
    started_at timestamptz,
    completed_at timestamptz,
    cancelled_at timestamptz,
    completion_odometer_km numeric(12, 1),
    completion_engine_hours numeric(12, 1),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, number),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade,
    check (status in ('open', 'in_progress', 'completed', 'cancelled')),
    check (kind in ('preventive', 'corrective', 'breakdown')),
    check (source_kind in ('schedule', 'alert', 'defect', 'manual')),
    check (out_of_service_until is null or out_of_service_from is not null),
    check (out_of_service_until is null or out_of_service_until >= out_of_service_from)
);
create index ix_work_orders_vehicle on work_orders (tenant_id, vehicle_id, created_at desc);
create index ix_work_orders_status on work_orders (tenant_id, status, created_at desc);
create index ix_work_orders_source on work_orders (tenant_id, source_kind, source_id)
    where source_id is not null;

create table work_order_lines (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    work_order_id uuid not null,
    position smallint not null,
    kind varchar(8) not null,
    description varchar(500) not null default '',
    hours numeric(8, 2),
    rate numeric(12, 2),
    part_id uuid,
    quantity numeric(12, 3),
    unit_cost numeric(12, 2),
    amount numeric(14, 2) not null,
    primary key (tenant_id, id),
    foreign key (tenant_id, work_order_id) references work_orders (tenant_id, id)
        on delete cascade,
    foreign key (tenant_id, part_id) references parts (tenant_id, id),
    check (kind in ('labour', 'part')),
    check (kind <> 'labour' or (hours is not null and rate is not null)),
    check (kind <> 'part' or (quantity is not null and unit_cost is not null))
);
create index ix_work_order_lines_order on work_order_lines (tenant_id, work_order_id, position);
create index ix_work_order_lines_part on work_order_lines (tenant_id, part_id)
    where part_id is not null;
"""

TENANT_TABLES = [
    "service_schedules",
    "service_schedule_vehicles",
    "parts",
    "work_orders",
    "work_order_lines",
]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    # The evaluator's loop lists the tenants with something to evaluate on the owner
    # connection (then works under each tenant's own setting).
    for table in ("service_schedules", "work_orders"):
        op.execute(
            f"create policy maintenance_evaluator on {table} for select to current_user "
            "using (true)"
        )
    role = app_role()
    grant(TENANT_TABLES, role)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.execute(f"drop table if exists {table}")
    op.execute("alter table tenants drop column if exists currency")
