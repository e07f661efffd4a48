"""A tenant in Europe/Helsinki with two vehicles and known trips, stops, a speeding episode and
alerts, written as rows so every figure in a report can be checked by hand."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from fleetyard.db import Database, set_tenant
from fleetyard.kit.ids import TenantId
from tests.telematics.conftest import Tracked, register_tracked

ZONE = "Europe/Helsinki"
# 2026-06-10 00:30 in Helsinki (UTC+3) is still 06-09 in UTC: a day boundary the zone moves
DAY_ONE = datetime(2026, 6, 9, 21, 30, tzinfo=UTC)
PERIOD = {"from": "2026-06-09T21:00:00Z", "to": "2026-06-12T21:00:00Z"}


@dataclass
class Fleet:
    tracked: Tracked
    second_vehicle_id: uuid.UUID
    driver_id: uuid.UUID
    trips: list[dict[str, Any]] = field(default_factory=list)


async def insert(app_database: Database, tenant_id: uuid.UUID, sql: str, **params: Any) -> None:
    async with app_database.sessionmaker() as session:
        await set_tenant(session, TenantId(tenant_id))
        await session.execute(text(sql), {"tenant_id": tenant_id, **params})
        await session.commit()


TRIP = """insert into trips (tenant_id, id, device_id, vehicle_id, driver_id, status, started_at,
  ended_at, start_latitude, start_longitude, distance_m, driving_s, idle_s, max_speed_kmh,
  fuel_used_l) values (:tenant_id, :id, :device_id, :vehicle_id, :driver_id, 'completed',
  :started_at, :ended_at, 60.17, 24.94, :distance_m, :driving_s, :idle_s, :max_speed_kmh,
  :fuel_used_l)"""


async def build_fleet(app_database: Database, database_url: str, label: str) -> Fleet:
    tracked = await register_tracked(app_database, label)
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("update tenants set time_zone = %s where id = %s", (ZONE, tracked.tenant.id))
        second = uuid.uuid4()
        admin.execute(
            "insert into vehicles (tenant_id, id, plate, type, fuel_type, status) "
            "values (%s, %s, %s, 'car', 'diesel', 'active')",
            (tracked.tenant.id, second, f"B-{second.hex[:6]}"),
        )
    driver_id = uuid.uuid4()
    await insert(
        app_database,
        tracked.tenant.id,
        "insert into drivers (tenant_id, id, name) values (:tenant_id, :id, 'Aino Driver')",
        id=driver_id,
    )
    fleet = Fleet(tracked, second, driver_id)
    plan = [  # (vehicle, hours after DAY_ONE, km, driving min, idle min, max km/h, fuel l)
        (tracked.vehicle_id, 0, 12.5, 20, 2, 80.0, 1.1),
        (tracked.vehicle_id, 5, 30.25, 35, 5, 101.5, 2.4),
        (second, 1, 7.0, 12, 1, 60.0, 0.6),
        (tracked.vehicle_id, 26, 44.0, 50, 4, 95.0, 3.3),
    ]
    device_ids = {tracked.vehicle_id: tracked.device_id, second: uuid.uuid4()}
    for vehicle_id, hours, km, driving, idle, top, fuel in plan:
        started = DAY_ONE + timedelta(hours=hours)
        row = {
            "id": uuid.uuid4(),
            "device_id": device_ids[vehicle_id],
            "vehicle_id": vehicle_id,
            "driver_id": driver_id if hours == 5 else None,
            "started_at": started,
            "ended_at": started + timedelta(minutes=driving + idle),
            "distance_m": km * 1000,
            "driving_s": driving * 60.0,
            "idle_s": idle * 60.0,
            "max_speed_kmh": top,
            "fuel_used_l": fuel,
        }
        await insert(app_database, tracked.tenant.id, TRIP, **row)
        fleet.trips.append(row)
    await insert(
        app_database,
        tracked.tenant.id,
        """insert into stops (tenant_id, id, device_id, vehicle_id, status, started_at, ended_at,
           latitude, longitude, duration_s, idle_s) values (:tenant_id, :id, :device_id,
           :vehicle_id, 'completed', :started_at, :ended_at, 60.2, 24.9, 900, 60)""",
        id=uuid.uuid4(),
        device_id=tracked.device_id,
        vehicle_id=tracked.vehicle_id,
        started_at=DAY_ONE + timedelta(hours=1),
        ended_at=DAY_ONE + timedelta(hours=1, minutes=15),
    )
    await insert(
        app_database,
        tracked.tenant.id,
        """insert into driving_events (tenant_id, id, device_id, vehicle_id, driver_id, kind,
           source, severity, started_at, ended_at, latitude, longitude, duration_s,
           max_speed_kmh, limit_kmh, excess_kmh) values (:tenant_id, :id, :device_id,
           :vehicle_id, :driver_id, 'speeding', 'fixes', 'medium', :started_at, :ended_at, 60.2,
           24.9, 45, 101.5, 80, 21.5)""",
        driver_id=driver_id,
        id=uuid.uuid4(),
        device_id=tracked.device_id,
        vehicle_id=tracked.vehicle_id,
        started_at=DAY_ONE + timedelta(hours=5, minutes=10),
        ended_at=DAY_ONE + timedelta(hours=5, minutes=10, seconds=45),
    )
    entered = DAY_ONE + timedelta(hours=3)
    await insert(
        app_database,
        tracked.tenant.id,
        """insert into events (tenant_id, occurred_at, type, entity_type, entity_id, actor_type,
           changes) values (:tenant_id, :at, 'geofence_exited', 'geofence', :fence, 'system',
           cast(:changes as jsonb))""",
        at=entered + timedelta(minutes=40),
        fence=uuid.uuid4(),
        changes=json.dumps(
            {
                "vehicle_id": str(tracked.vehicle_id),
                "name": "Depot",
                "entered_at": entered.isoformat(),
                "exited_at": (entered + timedelta(minutes=40)).isoformat(),
                "duration_s": 2400,
            }
        ),
    )
    for kind in ("low_battery", "low_battery", "offline"):
        await insert(
            app_database,
            tracked.tenant.id,
            """insert into alerts (tenant_id, id, vehicle_id, kind, code, severity, message,
               opened_at, last_seen_at, cleared_at) values (:tenant_id, :id, :vehicle_id, :kind,
               :code, 'warning', 'Test alert', :at, :at, :at)""",
            id=uuid.uuid4(),
            vehicle_id=tracked.vehicle_id,
            kind=kind,
            code=uuid.uuid4().hex[:8],
            at=DAY_ONE + timedelta(hours=2),
        )
    return fleet


@pytest.fixture
async def fleet(app_database: Database, database_url: str) -> Fleet:
    return await build_fleet(app_database, database_url, "reports")
