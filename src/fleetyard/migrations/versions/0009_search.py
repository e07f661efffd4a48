"""Search: one table of documents per tenant record, a typo-correction vocabulary per tenant,
and a queue fed by a trigger on events.

``search_documents`` holds a weighted ``tsvector`` built in Python (so PostgreSQL's text parser
never decides what a word is), the record's exact identifiers, its facet values and the ids of
the records it shows. It is hash-partitioned by tenant so a tenant's word lookups read one
sixteenth of the index on a single node (under Citus it is distributed by tenant instead).
Core PostgreSQL only: the embedded build has no pg_trgm or unaccent.

Every insert into ``events`` — from the API, the CLI or the gateway's raw SQL — queues the
changed record in ``search_queue`` in the same transaction and wakes the indexers with
``NOTIFY fleetyard_search``; an indexer claims queued rows with ``FOR UPDATE SKIP LOCKED`` on
the owner connection. The trigger runs as the owner (``security definer``), so it queues
whatever tenant setting the writer has; the app role can't read or write the queue at all.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

from fleetyard.migrations.tenancy import TENANT, app_role, isolate

revision = "0009"
down_revision = "0008"

PARTITIONS = 16

SCHEMA = """
create table search_documents (
    tenant_id uuid not null references tenants(id) on delete cascade,
    entity_type varchar(32) not null,
    entity_id uuid not null,
    title varchar(300) not null,
    subtitle varchar(500) not null default '',
    -- the title folded (lower-case, no accents): the order of equal scores
    sort_title varchar(300) not null,
    -- [[field, value, match], ...] as the record says them: shown and highlighted
    fields jsonb not null default '[]',
    document tsvector not null,
    -- compact identifiers (plate "abc123"), and "~" + the endings of VINs and IMEIs
    identifiers text[] not null default '{}',
    facets jsonb not null default '{}',
    -- the records this document shows, as "type:id" (its group chain, its vehicle, …)
    refs text[] not null default '{}',
    -- the words it adds to the tenant's vocabulary
    words text[] not null default '{}',
    updated_at timestamptz not null default now(),
    primary key (tenant_id, entity_type, entity_id)
) partition by hash (tenant_id);

create table search_vocabulary (
    tenant_id uuid not null references tenants(id) on delete cascade,
    word varchar(64) not null,
    -- how many of the tenant's documents hold it; the word goes when none does
    documents integer not null,
    primary key (tenant_id, word)
);

create table search_tenants (
    tenant_id uuid primary key references tenants(id) on delete cascade,
    -- bumped when a word enters or leaves the vocabulary: API processes reload theirs
    vocabulary_version bigint not null default 0,
    -- when the tenant's existing records were queued (or reindexed) after this migration
    indexed_at timestamptz
);

create table search_queue (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id bigint generated always as identity,
    entity_type varchar(32) not null,
    entity_id uuid not null,
    -- also rebuild the documents that show this record (false for those rebuilds themselves)
    "cascade" boolean not null default true,
    queued_at timestamptz not null default now(),
    primary key (tenant_id, id)
);
-- the indexers' order, across tenants
create index ix_search_queue_id on search_queue (id);

create function search_enqueue() returns trigger language plpgsql
    security definer set search_path from current as $$
begin
    insert into search_queue (tenant_id, entity_type, entity_id)
    values (new.tenant_id, new.entity_type, new.entity_id);
    perform pg_notify('fleetyard_search', '');
    return null;
end
$$;

create trigger search_enqueue after insert on events
    for each row execute function search_enqueue();
"""

INDEXES = """
create index ix_search_documents_document on search_documents using gin (document);
create index ix_search_documents_identifiers on search_documents using gin (identifiers);
create index ix_search_documents_refs on search_documents using gin (refs);
create index ix_search_documents_facets on search_documents using gin (facets jsonb_path_ops);
create index ix_search_documents_title on search_documents (tenant_id, sort_title);
"""

# The API reads documents through this view, not the table. Under row-level security
# PostgreSQL may not evaluate an operator that is not leakproof (``@@``, ``&&``) before the
# policy, so it can't use the GIN indexes: every search would scan the tenant's documents.
# The view runs as its owner, who reads the table through its own ``reader`` policy
# (``using (true)``, which leaves no policy to order against), and filters on the tenant
# setting exactly as the policy does: a query that forgot its tenant still sees nothing.
SCOPED_VIEW = f"""
create policy reader on search_documents for select to current_user using (true);
create view search_documents_scoped as
    select * from search_documents where tenant_id = {TENANT};
"""  # noqa: S608 - constants, no input

TENANT_TABLES = ["search_documents", "search_vocabulary", "search_tenants", "search_queue"]


def upgrade() -> None:
    op.execute(SCHEMA)
    for remainder in range(PARTITIONS):
        op.execute(
            f"create table search_documents_{remainder:02d} partition of search_documents "
            f"for values with (modulus {PARTITIONS}, remainder {remainder})"
        )
    op.execute(INDEXES)
    isolate(TENANT_TABLES)
    # The indexers (owner connection) claim queued records of every tenant and find tenants
    # not indexed yet; the app role gets nothing from these.
    op.execute(
        "create policy indexer on search_queue to current_user using (true) with check (true)"
    )
    op.execute("create policy indexer on search_tenants for select to current_user using (true)")
    op.execute(SCOPED_VIEW)
    role = app_role()
    # The API reads documents; tests and tools may rebuild them in a tenant's transaction.
    # The partitions are reached only through their parent (and its policies).
    for table in ("search_documents", "search_vocabulary", "search_tenants"):
        op.execute(f"grant select, insert, update, delete on {table} to {role}")
    op.execute(f"revoke all on search_queue from {role}")
    op.execute(f"grant select on search_documents_scoped to {role}")


def downgrade() -> None:
    op.execute("drop view if exists search_documents_scoped")
    op.execute("drop trigger if exists search_enqueue on events")
    op.execute("drop function if exists search_enqueue()")
    for table in reversed(TENANT_TABLES):
        op.execute(f"drop table if exists {table}")
