"""Route plans: each plan's request, its status while queued and solving, and its solution.

``route_plans`` holds the request as sent (JSON), the travel matrix it was solved over
(``travel``: deflated JSON of the locations, metres and seconds, so edits are checked against
the very same figures), the solution and the live progress. The solver workers (owner
connection) claim ``queued`` rows across tenants with ``FOR UPDATE SKIP LOCKED`` and keep
``heartbeat_at`` fresh while solving; a ``solving`` row whose heartbeat is stale belonged to a
worker that died and is queued again. ``tenants.route_plan_limits`` holds a tenant's own limits
(max jobs, vehicles, time limit, plans at once), each unset key meaning the documented default.

Revision ID: 0021
Revises: 0020
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0021"
down_revision = "0020"


SCHEMA = """
alter table tenants add column route_plan_limits jsonb not null default '{}';

create table route_plans (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    name varchar(200) not null,
    status varchar(16) not null default 'queued',
    objective varchar(16) not null,
    time_limit_s integer not null check (time_limit_s > 0),
    job_count integer not null check (job_count >= 0),
    vehicle_count integer not null check (vehicle_count >= 0),
    request jsonb not null,
    solution jsonb,
    progress jsonb not null default '{}',
    error_code varchar(64),
    error_message varchar(2000),
    travel_source varchar(16),
    travel bytea,
    distance bigint,
    duration bigint,
    cost numeric(18, 4),
    worker uuid,
    heartbeat_at timestamptz,
    attempts integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz,
    primary key (tenant_id, id),
    check (status in ('queued', 'solving', 'solved', 'failed', 'cancelled')),
    check (objective in ('distance', 'duration', 'cost'))
);
create index ix_route_plans_created on route_plans (tenant_id, created_at desc, id);
create index ix_route_plans_queued on route_plans (created_at) where status = 'queued';
create index ix_route_plans_solving on route_plans (heartbeat_at) where status = 'solving';
"""

TENANT_TABLES = ["route_plans"]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    # The solver workers (owner connection) claim, heartbeat and finish plans across tenants.
    op.execute("create policy solver on route_plans to current_user using (true) with check (true)")
    grant(TENANT_TABLES, app_role())


def downgrade() -> None:
    op.execute("drop table if exists route_plans")
    op.execute("alter table tenants drop column if exists route_plan_limits")
