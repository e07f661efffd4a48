"""The after-store stages leave the gateway: a queue of stored batches for the stage workers.

``stage_queue``: one row per stored batch, inserted in the batch's own transaction by the
gateway (app role), naming what the batch stored newly: per device its tenant, and the first
and last fix time (the positions themselves stay where they are). No NOTIFY (a notifying
transaction serialises every commit of the cluster, see 0015) and no cursor over a sequence
(sequence numbers are not commit-ordered): a stage worker claims rows with ``FOR UPDATE SKIP
LOCKED``, runs the stages on the positions they name and deletes them. The app role may only
insert, and only a row naming the tenant its transaction is set to; the workers (owner
connection) read and delete every tenant's rows.

``stage_owners``: which worker last ran the stages for a tenant. A worker locks the rows of the
tenants of what it claimed (so two workers never run one tenant at once) and, when another
worker had the tenant since, drops what it holds in memory for it and reloads it from the
stages' checkpoints.

Revision ID: 0019
Revises: 0018
"""

from alembic import op

from fleetyard.migrations.tenancy import TENANT, app_role

revision = "0019"
down_revision = "0018"


SCHEMA = """
create table stage_queue (
    id bigint generated always as identity primary key,
    stored_at timestamptz not null default now(),
    records integer not null,
    tenants uuid[] not null,
    devices uuid[] not null,
    first_fix timestamptz[] not null,
    last_fix timestamptz[] not null
);

create table stage_owners (
    tenant_id uuid primary key references tenants(id) on delete cascade,
    worker uuid not null,
    since timestamptz not null default now()
);
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    role = app_role()
    for table in ("stage_queue", "stage_owners"):
        op.execute(f"alter table {table} enable row level security")
        op.execute(f"alter table {table} force row level security")
        # the stage workers (owner connection) claim across tenants
        op.execute(
            f"create policy worker on {table} to current_user using (true) with check (true)"
        )
    op.execute(
        f"create policy gateway_enqueue on stage_queue for insert to {role} "
        f"with check ({TENANT} = any(tenants))"
    )
    op.execute(f"grant insert on stage_queue to {role}")


def downgrade() -> None:
    op.execute("drop table if exists stage_owners")
    op.execute("drop table if exists stage_queue")
