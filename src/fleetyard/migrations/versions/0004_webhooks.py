"""Webhooks: tenant endpoints and a durable outbox of deliveries, fed by a trigger on events.

Every insert into ``events`` — from the API, the CLI or the gateway's raw SQL — queues one
pending delivery per active webhook of that tenant whose ``event_types`` match, in the same
transaction as the event, and wakes the dispatchers with ``NOTIFY fleetyard_webhooks``.

The dispatcher claims due deliveries across tenants on the owner connection. Both tables
force row-level security on their owner too, so the owner (the role running this migration)
gets its own policy on them; the app role still sees only its tenant's rows.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0004"
down_revision = "0003"

CHANNEL = "fleetyard_webhooks"

SCHEMA = """
create table webhooks (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    url varchar(2000) not null,
    description varchar(500) not null default '',
    event_types text[] not null,
    secret varchar(100) not null,
    -- still signed with after a rotation, until it expires (receivers switch without a gap)
    previous_secret varchar(100),
    previous_secret_expires_at timestamptz,
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check (cardinality(event_types) between 1 and 100)
);
-- What the trigger reads on every event: nothing at all for a tenant without webhooks.
create index ix_webhooks_active on webhooks (tenant_id) where active;

create table webhook_deliveries (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    webhook_id uuid not null,
    -- null for a ping, which no event caused
    event_id bigint,
    event_type varchar(64) not null,
    -- the event as sent (without delivery_id), fixed when queued
    payload jsonb not null,
    status varchar(16) not null default 'pending',
    attempts integer not null default 0,
    next_attempt_at timestamptz default now(),
    last_attempt_at timestamptz,
    response_status integer,
    response_body text,
    error text,
    duration_ms integer,
    redelivery_of uuid,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, webhook_id) references webhooks (tenant_id, id) on delete cascade,
    foreign key (tenant_id, event_id) references events (tenant_id, id) on delete cascade,
    check (status in ('pending', 'succeeded', 'failed')),
    check (status <> 'pending' or next_attempt_at is not null),
    check (char_length(response_body) <= 1024),
    check (char_length(error) <= 1000)
);
-- A webhook's delivery log, newest first (ids are time-ordered).
create index ix_webhook_deliveries_webhook on webhook_deliveries (tenant_id, webhook_id, id);
-- The dispatchers' queue, across tenants.
create index ix_webhook_deliveries_due on webhook_deliveries (next_attempt_at)
    where status = 'pending';
-- Pruning finished deliveries past their retention.
create index ix_webhook_deliveries_created on webhook_deliveries (created_at);

-- A UUIDv7 (48-bit millisecond time, then random), like fleetyard.kit.ids.uuid7.
create function fleetyard_uuid7() returns uuid language sql volatile as $$
    select encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid()) placing
                substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint)
                    from 3)
                from 1 for 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

-- Runs with the rights of whoever inserted the event, so row-level security applies:
-- the insert is already scoped to the event's tenant.
create function webhooks_enqueue() returns trigger language plpgsql as $$
declare
    queued integer;
begin
    insert into webhook_deliveries (tenant_id, id, webhook_id, event_id, event_type, payload)
    select w.tenant_id, fleetyard_uuid7(), w.id, new.id, new.type,
        jsonb_build_object(
            'id', new.id,
            'type', new.type,
            'entity_type', new.entity_type,
            'entity_id', new.entity_id,
            'occurred_at',
                to_char(new.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
            'actor_type', new.actor_type,
            'actor_id', new.actor_id,
            'changes', new.changes,
            'tenant_id', new.tenant_id
        )
    from webhooks w
    where w.tenant_id = new.tenant_id
      and w.active
      and (w.event_types @> array[new.type::text] or w.event_types @> array['*']);
    get diagnostics queued = row_count;
    if queued > 0 then
        perform pg_notify('fleetyard_webhooks', '');
    end if;
    return null;
end
$$;

create trigger webhooks_enqueue after insert on events
    for each row execute function webhooks_enqueue();
"""

TENANT_TABLES = ["webhooks", "webhook_deliveries"]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    # The dispatcher (on the owner connection) claims deliveries of every tenant and reads
    # their webhooks' URL and secret. The owner can switch row-level security off anyway;
    # the app role gets nothing from these.
    op.execute(
        "create policy dispatcher on webhook_deliveries to current_user "
        "using (true) with check (true)"
    )
    op.execute("create policy dispatcher on webhooks for select to current_user using (true)")
    role = app_role()
    grant(TENANT_TABLES, role)


def downgrade() -> None:
    op.execute("drop trigger if exists webhooks_enqueue on events")
    op.execute("drop function if exists webhooks_enqueue()")
    op.execute("drop table if exists webhook_deliveries")
    op.execute("drop table if exists webhooks")
    op.execute("drop function if exists fleetyard_uuid7()")
