"""Reports: scheduled report definitions per tenant and each run.

``report_schedules`` is what a tenant asked for (kind, filters, format, cadence, the hour in
the tenant's zone, recipients) with ``next_run_at`` computed in that zone, so the scheduler
claims due rows by one indexed comparison (``for update skip locked``). ``report_runs``
records every run (status, rows, bytes, error); its unique (schedule, due_at) is what makes a
run happen once even when two processes race or one restarts mid-run.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0014"
down_revision = "0013"


SCHEMA = """
create table report_schedules (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    name varchar(200) not null,
    kind varchar(32) not null,
    format varchar(8) not null,
    cadence varchar(16) not null,
    hour smallint not null check (hour between 0 and 23),
    filters jsonb not null default '{}',
    recipients varchar(320)[] not null default '{}',
    enabled boolean not null default true,
    next_run_at timestamptz not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check (cadence in ('daily', 'weekly', 'monthly'))
);
create index ix_report_schedules_due on report_schedules (next_run_at) where enabled;

create table report_runs (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    schedule_id uuid not null,
    due_at timestamptz not null,
    period_start timestamptz not null,
    period_end timestamptz not null,
    status varchar(16) not null,
    rows integer,
    bytes integer,
    error text,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    primary key (tenant_id, id),
    unique (tenant_id, schedule_id, due_at),
    foreign key (tenant_id, schedule_id) references report_schedules (tenant_id, id)
        on delete cascade
);
create index ix_report_runs_schedule on report_runs (tenant_id, schedule_id, due_at desc);
"""

TENANT_TABLES = ["report_schedules", "report_runs"]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    role = app_role()
    grant(TENANT_TABLES, role)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.execute(f"drop table if exists {table}")
