"""Integrations: a tenant's telematics clouds and brokers, their sealed credentials, and the
runtime status the runner keeps per connection; webhook secrets sealed too.

``integrations`` is the record people edit (versioned, every change an event).
``integration_status`` is what the runner writes on every poll (no version, no events): its
state, cursor, counters and the lease by which one node at a time polls a connection. The
runner claims connections across tenants on the owner connection, like the webhook
dispatcher, so the owner gets its own policies; the app role sees only its tenant's rows.

Credentials are sealed by the application (``fleetyard.kit.sealing``, AES-GCM under a key
derived from FLEETYARD_MASTER_KEY); the migration has no key, so webhook secrets are sealed
lazily: new and rotated secrets are stored sealed only, and the dispatcher (at start) or
``fleetyard integrations rotate-key`` seals the plain ones left, clearing them.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0006"
down_revision = "0005"


SCHEMA = """
create table integrations (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    provider varchar(32) not null,
    name varchar(200) not null,
    settings jsonb not null default '{}'::jsonb,
    -- sealed JSON of the provider's credentials; never readable without the master key
    credentials bytea not null,
    -- hex id of the master key that sealed them (what a rotation has still to do)
    credentials_key_id varchar(32) not null,
    -- the names of the credential fields that are set, so the API can say so
    credential_fields text[] not null default '{}',
    paused boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check (provider in ('geotab', 'samsara', 'verizon_connect', 'mqtt'))
);
create unique index uq_integrations_name on integrations (tenant_id, lower(name));
create index ix_integrations_key on integrations (credentials_key_id);

create table integration_status (
    tenant_id uuid not null,
    integration_id uuid not null,
    state varchar(32) not null default 'ok',
    last_success_at timestamptz,
    last_error text,
    last_error_at timestamptz,
    -- how far behind the vendor's newest record we are, in seconds
    lag_s double precision,
    -- the provider's cursor, saved in the transaction that stores the poll's records
    cursor jsonb,
    records_total bigint not null default 0,
    skipped_total bigint not null default 0,
    records_last_hour integer not null default 0,
    next_poll_at timestamptz not null default now(),
    -- which runner polls the connection, until when (another takes over after)
    leased_by varchar(200),
    lease_expires_at timestamptz,
    updated_at timestamptz not null default now(),
    primary key (tenant_id, integration_id),
    foreign key (tenant_id, integration_id) references integrations (tenant_id, id)
        on delete cascade,
    check (state in ('ok', 'backing_off', 'credentials_rejected', 'paused')),
    check (char_length(last_error) <= 1000)
);
-- The runners' claim, across tenants: due connections whose lease is free or expired.
create index ix_integration_status_due on integration_status (next_poll_at)
    where state <> 'paused';

-- Webhook secrets sealed (lazily: see the module docstring).
alter table webhooks
    alter column secret drop not null,
    add column secret_sealed bytea,
    add column previous_secret_sealed bytea,
    add column secret_key_id varchar(32),
    add constraint ck_webhooks_secret_kept check (secret is not null or secret_sealed is not null);
create index ix_webhooks_secret_key on webhooks (secret_key_id);
"""

TENANT_TABLES = ["integrations", "integration_status"]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    # The runner (owner connection) claims connections of every tenant, reads their settings
    # and credentials, and writes their status; a key rotation (owner connection too)
    # re-seals credentials and webhook secrets of every tenant.
    op.execute(
        "create policy runner on integration_status to current_user using (true) with check (true)"
    )
    op.execute("create policy runner on integrations for select to current_user using (true)")
    op.execute(
        "create policy key_rotation on integrations for update to current_user "
        "using (true) with check (true)"
    )
    op.execute(
        "create policy key_rotation on webhooks for update to current_user "
        "using (true) with check (true)"
    )
    role = app_role()
    grant(TENANT_TABLES, role)


def downgrade() -> None:
    op.execute("drop policy if exists key_rotation on webhooks")
    op.execute("drop index if exists ix_webhooks_secret_key")
    op.execute(
        """
        alter table webhooks
            drop constraint if exists ck_webhooks_secret_kept,
            drop column if exists secret_key_id,
            drop column if exists previous_secret_sealed,
            drop column if exists secret_sealed
        """
    )
    op.execute("drop table if exists integration_status")
    op.execute("drop table if exists integrations")
