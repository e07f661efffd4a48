"""Search queue without NOTIFY: the trigger on ``events`` still queues each changed record in
the writer's transaction, but no longer sends ``NOTIFY fleetyard_search``.

A transaction that has sent a notification takes a cluster-wide lock at commit and holds it
until the commit is on disk, so every writing transaction of every database on the server
committed one at a time: measured with pgbench here, 5,100-5,400 inserting transactions/s
without it and 580-690/s with it. The indexers poll the queue instead (an index probe on an
almost empty table every fraction of a second per process), which keeps a change searchable
well within the promised second.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"

ENQUEUE = """
create or replace function search_enqueue() returns trigger language plpgsql
    security definer set search_path from current as $$
begin
    insert into search_queue (tenant_id, entity_type, entity_id)
    values (new.tenant_id, new.entity_type, new.entity_id);
    {notify}
    return null;
end
$$;
"""


def upgrade() -> None:
    op.execute(ENQUEUE.format(notify=""))


def downgrade() -> None:
    op.execute(ENQUEUE.format(notify="perform pg_notify('fleetyard_search', '');"))
