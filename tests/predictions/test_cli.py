"""``fleetyard predictions simulate-history`` and ``retrain`` against a live tenant."""

from __future__ import annotations

import uuid

import psycopg

from fleetyard.predictions.cli import _retrain, _simulate
from tests.conftest import Tenants


async def test_simulate_history_then_retrain(database_url: str, live_tenants: Tenants) -> None:
    tenant = live_tenants.a
    with psycopg.connect(database_url, autocommit=True) as admin:
        for i in range(4):
            admin.execute(
                "insert into vehicles (tenant_id, id, plate, type, fuel_type, status) "
                "values (%s, %s, %s, 'car', 'petrol', 'active')",
                (tenant.id, uuid.uuid4(), f"CLI-{i}-{uuid.uuid4().hex[:4]}"),
            )
    summary = await _simulate(database_url, tenant.slug, 90, 3, None)
    assert summary.startswith("4 vehicles: 360 daily rows")
    [line] = await _retrain(database_url, tenant.slug)
    assert line.startswith(f"{tenant.slug}: v1 active; 12 predictions")
    assert await _simulate(database_url, f"nobody-{uuid.uuid4().hex[:6]}", 90, 3, None) == ""
    with psycopg.connect(database_url, autocommit=True) as admin:
        versions = admin.execute(
            "select version, status from prediction_models where tenant_id = %s", (tenant.id,)
        ).fetchall()
    assert versions == [(1, "active")]
