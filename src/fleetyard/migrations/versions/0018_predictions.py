"""Failure prediction: daily telemetry aggregates, fitted models, and stored predictions.

``vehicle_daily_telemetry`` is one row per vehicle and day (distance, odometer, lowest
cranking voltage, coolant maximum and excursions, harsh brakes, DTC codes seen): what the
survival models train on with the work orders. ``prediction_models`` keeps every retrain
(version, status, parameters as JSON, evaluation, error) — a failed retrain is a row with its
error and the active model stays. ``predictions`` holds the latest prediction per vehicle and
component for the fleet list ranked by risk.

Revision ID: 0018
Revises: 0017
"""

from alembic import op

from fleetyard.migrations.tenancy import app_role, grant, isolate

revision = "0018"
down_revision = "0017"

SCHEMA = """
create table vehicle_daily_telemetry (
    tenant_id uuid not null references tenants(id) on delete cascade,
    vehicle_id uuid not null,
    day date not null,
    distance_km double precision not null default 0 check (distance_km >= 0),
    odometer_km double precision check (odometer_km >= 0),
    crank_voltage_v double precision,
    coolant_max_c double precision,
    coolant_excursions integer not null default 0 check (coolant_excursions >= 0),
    harsh_brakes integer not null default 0 check (harsh_brakes >= 0),
    dtc_codes varchar(8)[] not null default '{}',
    primary key (tenant_id, vehicle_id, day),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade
);

create table prediction_models (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    version integer not null,
    status varchar(16) not null,
    params jsonb not null default '{}',
    metrics jsonb not null default '{}',
    error text,
    trained_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, version),
    check (status in ('active', 'retired', 'failed'))
);
create unique index uq_prediction_models_active on prediction_models (tenant_id)
    where status = 'active';

create table predictions (
    tenant_id uuid not null references tenants(id) on delete cascade,
    id uuid not null,
    vehicle_id uuid not null,
    component varchar(32) not null,
    model_version integer,
    source varchar(16) not null,
    probability_30d double precision not null check (probability_30d between 0 and 1),
    days_to_failure integer,
    days_low integer,
    days_high integer,
    recommended_action varchar(300) not null,
    confidence double precision not null check (confidence between 0 and 1),
    drivers jsonb not null default '[]',
    dtc_code varchar(8),
    computed_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, vehicle_id, component),
    foreign key (tenant_id, vehicle_id) references vehicles (tenant_id, id) on delete cascade
);
create index ix_predictions_risk on predictions (tenant_id, probability_30d desc, id);
"""

TENANT_TABLES = ["vehicle_daily_telemetry", "prediction_models", "predictions"]


def upgrade() -> None:
    op.execute(SCHEMA)
    isolate(TENANT_TABLES)
    grant(TENANT_TABLES, app_role())


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.execute(f"drop table if exists {table}")
