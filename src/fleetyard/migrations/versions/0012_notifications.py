"""Alert rules per tenant and notification channels, preferences and deliveries.

- ``tenants.time_zone``: quiet hours (and, later, reports) are read in the tenant's zone.
- ``alerts`` gain the rule that matched them, an assignee, and when they escalate.
- ``alert_rules``: per kind, thresholds, scope (vehicles, groups), severity, quiet hours,
  dedupe window and escalation. No rule of a kind means the built-in defaults.
- ``alert_comments``: a thread per alert.
- ``notification_preferences``: per member and channel, which kinds and severities.
- ``notification_channel_settings``: the tenant's SMTP server and Web Push (VAPID) keys,
  secrets sealed (``kit.sealing``).
- ``push_subscriptions``: the browsers a member subscribed.
- ``notification_queue``: fed by a trigger on ``events`` (alert events only), in the writer's
  transaction; the notification dispatchers claim it with ``FOR UPDATE SKIP LOCKED``.
- ``notifications``: one per member and group of identical alerts (the in-app list);
  ``notification_deliveries``: one per e-mail or push sent for it, retried with backoff.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0012"
down_revision = "0011"


SCHEMA = """
alter table tenants add column time_zone varchar(64) not null default 'UTC';

alter table alerts
    add column rule_id uuid,
    add column assigned_to uuid,
    add column escalate_at timestamptz,
    add column escalated_at timestamptz;
-- The escalation scheduler's scan, across tenants.
create index ix_alerts_escalate on alerts (escalate_at)
    where escalate_at is not null and escalated_at is null
      and acknowledged_at is null and cleared_at is null;

create table alert_rules (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null default 1,
    name varchar(200) not null,
    kind varchar(32) not null,
    enabled boolean not null default true,
    -- null: the severity the alert was raised with
    severity varchar(16),
    thresholds jsonb not null default '{}',
    -- both empty: every vehicle of the tenant
    vehicle_ids uuid[] not null default '{}',
    group_ids uuid[] not null default '{}',
    -- local times in the tenant's zone; both null: no quiet hours
    quiet_start time,
    quiet_end time,
    dedupe_window_s integer not null default 600,
    escalate_after_min integer,
    escalate_to uuid[] not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check (dedupe_window_s between 0 and 86400),
    check (escalate_after_min between 1 and 10080),
    check ((quiet_start is null) = (quiet_end is null)),
    check (cardinality(vehicle_ids) <= 1000 and cardinality(group_ids) <= 100),
    check (cardinality(escalate_to) <= 20)
);
create index ix_alert_rules_kind on alert_rules (tenant_id, kind);

create table alert_comments (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    alert_id uuid not null,
    author_type varchar(16) not null,
    author_id uuid,
    body varchar(2000) not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, alert_id) references alerts (tenant_id, id) on delete cascade
);
create index ix_alert_comments_alert on alert_comments (tenant_id, alert_id, id);

create table notification_preferences (
    tenant_id uuid not null references tenants(id) on delete cascade,
    user_id uuid not null references users(id) on delete cascade,
    channel varchar(16) not null,
    enabled boolean not null,
    -- empty: every kind
    kinds text[] not null default '{}',
    min_severity varchar(16) not null default 'info',
    updated_at timestamptz not null default now(),
    primary key (tenant_id, user_id, channel),
    check (channel in ('in_app', 'email', 'push')),
    check (cardinality(kinds) <= 100)
);

create table notification_channel_settings (
    tenant_id uuid primary key references tenants(id) on delete cascade,
    version integer not null default 1,
    smtp_enabled boolean not null default false,
    smtp_host varchar(253),
    smtp_port integer,
    smtp_security varchar(16) not null default 'starttls',
    smtp_username varchar(320),
    smtp_password_sealed bytea,
    smtp_from varchar(320),
    vapid_public_key varchar(200),
    vapid_private_key_sealed bytea,
    vapid_subject varchar(320),
    key_id varchar(32),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (smtp_security in ('none', 'starttls', 'tls'))
);

create table push_subscriptions (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    user_id uuid not null references users(id) on delete cascade,
    endpoint varchar(2000) not null,
    p256dh varchar(200) not null,
    auth varchar(100) not null,
    user_agent varchar(300) not null default '',
    created_at timestamptz not null default now(),
    primary key (tenant_id, id)
);
create unique index uq_push_subscriptions_endpoint on push_subscriptions (tenant_id, endpoint);
create index ix_push_subscriptions_user on push_subscriptions (tenant_id, user_id);

create table notification_queue (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id bigint generated always as identity,
    event_id bigint not null,
    event_type varchar(64) not null,
    alert_id uuid not null,
    actor_id uuid,
    changes jsonb not null default '{}',
    queued_at timestamptz not null default now(),
    primary key (tenant_id, id)
);
create index ix_notification_queue_id on notification_queue (id);

create table notifications (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    user_id uuid not null references users(id) on delete cascade,
    -- identical alerts share it: rule (or kind), kind and code, and the reason
    group_key varchar(200) not null,
    reason varchar(16) not null,
    rule_id uuid,
    kind varchar(32) not null,
    code varchar(32) not null default '',
    severity varchar(16) not null,
    title varchar(300) not null,
    body varchar(2000) not null,
    alert_id uuid not null,
    last_alert_id uuid not null,
    alert_count integer not null default 1,
    vehicle_ids uuid[] not null default '{}',
    -- channels chosen when it was made: in_app, email, push
    channels text[] not null,
    first_at timestamptz not null,
    last_at timestamptz not null,
    -- sent (and shown in the app) from here: the end of the gathering delay or quiet hours
    due_at timestamptz not null,
    -- identical alerts until then are counted on this notification, not sent again
    merge_until timestamptz not null,
    released_at timestamptz,
    read_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check (reason in ('alert', 'escalation', 'assigned'))
);
create index ix_notifications_user on notifications (tenant_id, user_id, id desc);
create index ix_notifications_group on notifications (tenant_id, user_id, group_key, merge_until);
create index ix_notifications_due on notifications (due_at) where released_at is null;

create table notification_deliveries (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    notification_id uuid not null,
    user_id uuid not null,
    channel varchar(16) not null,
    -- an e-mail address, or a push subscription's id
    target varchar(2000) not null,
    status varchar(16) not null default 'pending',
    attempts integer not null default 0,
    next_attempt_at timestamptz default now(),
    last_attempt_at timestamptz,
    sent_at timestamptz,
    alert_count integer,
    error text,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, notification_id) references notifications (tenant_id, id)
        on delete cascade,
    check (channel in ('email', 'push')),
    check (status in ('pending', 'succeeded', 'failed')),
    check (status <> 'pending' or next_attempt_at is not null),
    check (char_length(error) <= 1000)
);
create index ix_notification_deliveries_due on notification_deliveries (next_attempt_at)
    where status = 'pending';
create index ix_notification_deliveries_notification
    on notification_deliveries (tenant_id, notification_id);

-- Alert events only; runs as the owner (security definer), so the app role never touches
-- the queue yet every writer (API, ingest's raw SQL) feeds it in its own transaction.
create function notifications_enqueue() returns trigger language plpgsql
    security definer set search_path from current as $$
begin
    if new.type in ('alert_opened', 'alert_assigned') then
        insert into notification_queue
            (tenant_id, event_id, event_type, alert_id, actor_id, changes)
        values (new.tenant_id, new.id, new.type, new.entity_id, new.actor_id, new.changes);
        perform pg_notify('fleetyard_notifications', '');
    end if;
    return null;
end
$$;

create trigger notifications_enqueue after insert on events
    for each row when (new.entity_type = 'alert')
    execute function notifications_enqueue();
"""

TENANT_TABLES = [
    "alert_rules",
    "alert_comments",
    "notification_preferences",
    "notification_channel_settings",
    "push_subscriptions",
    "notification_queue",
    "notifications",
    "notification_deliveries",
]
# The dispatchers (owner connection) claim across tenants; the app role gets nothing here.
DISPATCHER_TABLES = ["notification_queue", "notifications", "notification_deliveries", "alerts"]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    for table in DISPATCHER_TABLES:
        op.execute(
            f"create policy notifier on {table} to current_user using (true) with check (true)"
        )
    role = app_role()
    grant(TENANT_TABLES, role)
    op.execute(f"revoke all on notification_queue from {role}")
    # The offline sweep finds the tenants that have a device_offline rule (then works under
    # each tenant's own setting).
    op.execute("create policy notifier on alert_rules for select to current_user using (true)")
    # ``fleetyard integrations rotate-key`` re-seals every tenant's SMTP password and VAPID key.
    op.execute(
        "create policy notifier on notification_channel_settings to current_user "
        "using (true) with check (true)"
    )


def downgrade() -> None:
    op.execute("drop trigger if exists notifications_enqueue on events")
    op.execute("drop function if exists notifications_enqueue()")
    for table in reversed(TENANT_TABLES):
        op.execute(f"drop table if exists {table}")
    op.execute("drop policy if exists notifier on alerts")
    op.execute("drop index if exists ix_alerts_escalate")
    op.execute(
        "alter table alerts drop column if exists rule_id, drop column if exists assigned_to, "
        "drop column if exists escalate_at, drop column if exists escalated_at"
    )
    op.execute("alter table tenants drop column if exists time_zone")
