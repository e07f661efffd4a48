"""Vehicles listed by status and type (``?status=active&type=van``) read their page straight
from one index instead of filtering the status index row by row: a rare type would otherwise
scan most of the tenant's active vehicles for one page.

Built inside the migration's transaction, like the rest; on a very large table, build it
by hand first with ``create index concurrently`` (same name) and this step is a no-op.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute(
        "create index if not exists ix_vehicles_type on vehicles (tenant_id, status, type, id)"
    )


def downgrade() -> None:
    op.execute("drop index if exists ix_vehicles_type")
