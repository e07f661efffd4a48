"""Search speed: a version of each tenant's search documents.

``search_tenants.documents_version`` is set anew (a random value, so none ever comes back) in
the same transaction as any write of the tenant's documents (the indexer's rebuilds, a
reindex). An API process keeps recent search answers keyed by it, so a list screen asked
again (the same words, filters and facets) is answered without counting its matches again,
and never from documents older than the version it read.

Revision ID: 0023
Revises: 0022
"""

from alembic import op

revision = "0023"
down_revision = "0022"


def upgrade() -> None:
    op.execute(
        "alter table search_tenants"
        " add column if not exists documents_version bigint not null default 0"
    )


def downgrade() -> None:
    op.execute("alter table search_tenants drop column if exists documents_version")
