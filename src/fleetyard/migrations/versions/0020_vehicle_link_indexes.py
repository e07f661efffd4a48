"""Indexes for the links to a vehicle: its trackers (``devices.vehicle_id``) and its drivers
(``drivers.assigned_vehicle_id``).

Every vehicle's search document names its trackers and drivers, the vehicles list shows them,
and the dashboard counts trackers per vehicle: without these, each lookup read the tenant's
whole devices or drivers table (a sequential scan per indexer round in a 100,000-vehicle
tenant). Partial (only linked rows) and keyed by tenant first, like every tenant index.

Revision ID: 0020
Revises: 0019
"""

from alembic import op

revision = "0020"
down_revision = "0019"


def upgrade() -> None:
    op.execute(
        "create index if not exists ix_devices_vehicle on devices (tenant_id, vehicle_id)"
        " where vehicle_id is not null"
    )
    op.execute(
        "create index if not exists ix_drivers_assigned_vehicle"
        " on drivers (tenant_id, assigned_vehicle_id) where assigned_vehicle_id is not null"
    )


def downgrade() -> None:
    op.execute("drop index if exists ix_drivers_assigned_vehicle")
    op.execute("drop index if exists ix_devices_vehicle")
