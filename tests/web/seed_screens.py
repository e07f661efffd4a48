"""What the browser tests of the drivers, alerts, devices and settings screens need
(``web/e2e/screens.e2e.mjs``), seeded into tenant A of ``tests.web.e2e_server`` once its
server runs:

- an owner and a viewer beside A's fleet manager;
- drivers: a licence expired, one expiring in ten days, one fine and assigned to AC-0002;
- a Teltonika device on AC-0003 that is registered but never connects (a command to it
  answers ``device_not_connected``);
- alerts through the alerts store, as the rules write them: a critical coolant alert on
  AC-0001 and a low-fuel warning on AC-0004, open, and a cleared one on AC-0005;
- an unknown device: an unregistered id reporting to the real OsmAnd gateway;
- groups: a region holding a depot with a place (away from AC-0001's fix, whose street the
  vehicles list shows), beside the server's own "North depot";
- telemetry for AC-0001 (the vehicle whose OsmAnd device sent one fix): a fix every 30 s over
  the last 50 minutes, older than that fix, with speed, fuel, coolant and rpm, and a 6-minute
  stop without fixes (a gap in the charts). Stored through the ingest pipeline without the
  rules, so they raise no alerts and leave the vehicle's latest state as it was.
"""

from __future__ import annotations

import math
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.db import Database, libpq_dsn, set_tenant, with_user
from fleetyard.devices.schemas import DeviceCreate
from fleetyard.devices.service import DeviceService
from fleetyard.drivers.schemas import DriverCreate
from fleetyard.drivers.service import DriverService
from fleetyard.groups.schemas import GroupCreate, GroupKind
from fleetyard.groups.service import GroupService
from fleetyard.kit.ids import TenantId
from fleetyard.members.schemas import MemberCreate
from fleetyard.members.service import MemberService
from fleetyard.telematics import attributes as attr
from fleetyard.telematics.ingest.directory import DeviceDirectory
from fleetyard.telematics.ingest.pipeline import IngestPipeline
from fleetyard.telematics.position import Position
from fleetyard.telematics.rules.conditions import AlertKey, Condition, Severity
from fleetyard.telematics.rules.store import AlertStore
from fleetyard.tenants.service import TenantService

APP_USER = "fleetyard_app"


def _imei(offset: int) -> str:
    return f"35{(int(time.time() * 1000) + offset) % 10**13:013d}"


async def _tenant_id(db: Database, slug: str) -> TenantId:
    async with db.sessionmaker() as session:
        return TenantId((await TenantService(session).get_by_slug(slug)).id)


async def _members(db: Database, tenant: TenantId, password: str, suffix: str) -> dict[str, str]:
    emails = {
        "owner": f"owner-acme-{suffix}@example.com",
        "viewer": f"viewer-acme-{suffix}@example.com",
    }
    names = {"owner": "Olive Owner", "viewer": "Vic Viewer"}
    async with db.sessionmaker() as session:
        await set_tenant(session, tenant)
        members = MemberService(session, Principal.system(tenant))
        for role, email in emails.items():
            await members.add(
                MemberCreate(
                    email=email, role=Role(role), password=password, display_name=names[role]
                )
            )
        await session.commit()
    return emails


async def _drivers(
    db: Database, tenant: TenantId, vehicles: list[dict[str, str]]
) -> list[dict[str, str]]:
    today = date.today()
    rows: list[dict[str, Any]] = [
        {"name": "Dana Expired", "licence_number": "EXP-1", "licence_expiry": today - timedelta(9)},
        {"name": "Eli Soon", "licence_number": "SOON-1", "licence_expiry": today + timedelta(10)},
        {
            "name": "Fay Fine",
            "licence_number": "FINE-1",
            "licence_expiry": today + timedelta(400),
            "phone": "+358 40 123 4567",
            "assigned_vehicle_id": vehicles[1]["id"],
        },
    ]
    made = []
    async with db.sessionmaker() as session:
        await set_tenant(session, tenant)
        drivers = DriverService(session, Principal.system(tenant))
        for row in rows:
            driver = await drivers.create(DriverCreate.model_validate(row))
            made.append({"id": str(driver.id), "name": driver.name})
        await session.commit()
    return made


async def _teltonika_device(db: Database, tenant: TenantId, vehicle_id: str) -> dict[str, str]:
    async with db.sessionmaker() as session:
        await set_tenant(session, tenant)
        device = await DeviceService(session, Principal.system(tenant)).create(
            DeviceCreate.model_validate(
                {
                    "unique_id": _imei(7),
                    "protocol": "teltonika",
                    "name": "Cab tracker",
                    "vehicle_id": vehicle_id,
                }
            )
        )
        await session.commit()
    return {"id": str(device.id), "unique_id": device.unique_id}


async def _alerts(url: str, tenant: TenantId, vehicles: list[dict[str, str]]) -> list[str]:
    now = datetime.now(UTC)
    coolant = Condition(
        AlertKey("coolant_high"),
        Severity.CRITICAL,
        "Coolant temperature 118 °C is above 110 °C.",
        {"value": 118.0},
    )
    fuel = Condition(
        AlertKey("fuel_low"), Severity.WARNING, "Fuel level 6 % is below 10 %.", {"value": 6.0}
    )
    conn = await asyncpg.connect(libpq_dsn(with_user(url, APP_USER)))
    try:
        async with conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", str(tenant))
            store = AlertStore(conn, tenant)
            ids = {v["plate"]: uuid.UUID(v["id"]) for v in vehicles[:5]}
            await store.raise_alert(ids["AC-0001"], None, coolant, now, now)
            await store.raise_alert(ids["AC-0004"], None, fuel, now, now)
            earlier = now - timedelta(hours=2)
            await store.raise_alert(ids["AC-0005"], None, coolant, earlier, earlier)
            await store.clear(ids["AC-0005"], coolant.key, earlier + timedelta(minutes=20))
    finally:
        await conn.close()
    return [coolant.message, fuel.message]


async def _groups(db: Database, tenant: TenantId) -> dict[str, str]:
    async with db.sessionmaker() as session:
        await set_tenant(session, tenant)
        groups = GroupService(session, Principal.system(tenant))
        region = await groups.create(GroupCreate(name="Capital region", kind=GroupKind.REGION))
        depot = GroupCreate(
            name="Pasila yard", parent_id=region.id, latitude=60.176, longitude=24.9383, radius_m=80
        )
        await groups.create(depot)
        await session.commit()
    return {"region": "Capital region", "depot": "Pasila yard"}


async def _unknown_device(osmand_port: int) -> str:
    """An id nobody registered reports a fix: the gateway refuses it and remembers it."""
    unique_id = _imei(13)
    query = {"id": unique_id, "lat": "60.17", "lon": "24.94", "timestamp": str(int(time.time()))}
    async with httpx.AsyncClient() as http:
        await http.post(f"http://127.0.0.1:{osmand_port}/", params=query)
    return unique_id


TELEMETRY_EVERY_S = 30
TELEMETRY_FIXES = 95  # the last 50 minutes, up to 2.5 minutes ago
TELEMETRY_STOP = range(40, 52)  # fixes left out: six minutes parked


def _telemetry_fix(unique_id: str, at: datetime, i: int) -> Position:
    wave = math.sin(i / 5)
    return Position(
        unique_id=unique_id,
        protocol="osmand",
        fix_time=at,
        latitude=60.1699 + (i % 10) * 0.0001,  # a few metres at a time: no teleports
        longitude=24.9384,
        speed_kmh=round(35 + 25 * wave, 1),
        attributes={
            attr.FUEL_LEVEL_PCT: round(64 - i * 0.05, 2),
            attr.COOLANT_TEMP_C: round(88 + 4 * math.sin(i / 7), 1),
            attr.RPM: round(1500 + 700 * wave),
        },
    )


async def _telemetry(url: str, unique_id: str) -> int:
    """AC-0001's readings for the telemetry charts; returns how many fixes were stored."""
    now = datetime.now(UTC).replace(microsecond=0)
    first = now - timedelta(seconds=150 + TELEMETRY_EVERY_S * (TELEMETRY_FIXES - 1))
    positions = [
        _telemetry_fix(unique_id, first + timedelta(seconds=TELEMETRY_EVERY_S * i), i)
        for i in range(TELEMETRY_FIXES)
        if i not in TELEMETRY_STOP
    ]
    pool = await asyncpg.create_pool(libpq_dsn(with_user(url, APP_USER)), min_size=1, max_size=2)
    try:
        route = await DeviceDirectory(pool).resolve(unique_id)
        assert route is not None, "the OsmAnd device of AC-0001 is registered"
        pipeline = IngestPipeline(pool, max_delay_s=0.001)
        await pipeline.start()
        try:
            await pipeline.submit(route, positions)
        finally:
            await pipeline.stop()
    finally:
        await pool.close()
    return len(positions)


async def seed_screens(url: str, described: dict[str, Any], osmand_port: int) -> dict[str, Any]:
    a = described["a"]
    suffix = a["slug"].rsplit("-", 1)[1]
    db = Database.connect(with_user(url, APP_USER), pool_size=2)
    try:
        tenant = await _tenant_id(db, a["slug"])
        emails = await _members(db, tenant, described["password"], suffix)
        drivers = await _drivers(db, tenant, a["vehicles"])
        teltonika = await _teltonika_device(db, tenant, a["vehicles"][2]["id"])
        groups = await _groups(db, tenant)
    finally:
        await db.dispose()
    alerts = await _alerts(url, tenant, a["vehicles"])
    telemetry_fixes = await _telemetry(url, a["device"])
    return {
        "owner": {"email": emails["owner"], "name": "Olive Owner"},
        "viewer": {"email": emails["viewer"], "name": "Vic Viewer"},
        "drivers": drivers,
        "teltonika_device": teltonika,
        "open_alerts": alerts,
        "unknown_device": await _unknown_device(osmand_port),
        "telemetry": {"vehicle": a["vehicles"][0], "fixes": telemetry_fixes},
        "groups": groups,
    }
