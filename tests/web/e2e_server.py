"""A seeded ``fleetyard serve`` for the web app's browser tests (``npm --prefix web run e2e``).

``python -m tests.web.e2e_server`` makes a throw-away database on the test PostgreSQL
(``FLEETYARD_TEST_DATABASE_URL``), seeds two tenants (A with 250 vehicles, a group, a
brand colour and logo, one vehicle with a position sent through the OsmAnd gateway; B with
three vehicles) and their users, starts the real server serving ``web/dist``, prints one JSON
line describing all that, and runs until its standard input closes (or SIGTERM); then it stops
the server and drops the database.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.db import Database, set_tenant, with_user
from fleetyard.devices.schemas import DeviceCreate
from fleetyard.devices.service import DeviceService
from fleetyard.groups.schemas import GroupCreate
from fleetyard.groups.service import GroupService
from fleetyard.kit.ids import TenantId
from fleetyard.members.schemas import MemberCreate
from fleetyard.members.service import MemberService
from fleetyard.migrate import upgrade
from fleetyard.tenants.schemas import Branding, TenantCreate
from fleetyard.tenants.service import TenantService
from fleetyard.vehicles.schemas import InMaintenance, VehicleCreate, VehicleType, VehicleUpdate
from fleetyard.vehicles.service import VehicleService
from tests.processes import ServeProcess, free_port
from tests.web.seed_map import seed_map
from tests.web.seed_offline import seed_offline
from tests.web.seed_screens import seed_screens

ADMIN_URL = os.environ.get(
    "FLEETYARD_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REPO = Path(__file__).resolve().parents[2]
PASSWORD = "fleetyard-e2e-password"
A_VEHICLES = 250
TYPES = [VehicleType.VAN, VehicleType.TRUCK, VehicleType.CAR, VehicleType.PICKUP]
MAKES = [("Ford", "Transit"), ("Volvo", "FH16"), ("Toyota", "Corolla"), ("Nissan", "Navara")]


def create_database() -> str:
    name = f"fleetyard_web_e2e_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


async def _tenant(db: Database, slug: str, name: str, branding: Branding) -> TenantId:
    async with db.sessionmaker() as session:
        tenant = await TenantService(session).create(
            TenantCreate(slug=slug, name=name, branding=branding)
        )
        await session.commit()
        return TenantId(tenant.id)


async def _member(db: Database, tenant_id: TenantId, email: str, name: str) -> None:
    async with db.sessionmaker() as session:
        await set_tenant(session, tenant_id)
        await MemberService(session, Principal.system(tenant_id)).add(
            MemberCreate(email=email, role=Role.FLEET_MANAGER, password=PASSWORD, display_name=name)
        )
        await session.commit()


async def _vehicles(
    db: Database, tenant_id: TenantId, prefix: str, count: int, group_id: uuid.UUID | None
) -> list[dict[str, str]]:
    made = []
    async with db.sessionmaker() as session:
        await set_tenant(session, tenant_id)
        service = VehicleService(session, Principal.system(tenant_id))
        for i in range(1, count + 1):
            make, model = MAKES[i % len(MAKES)]
            fields: dict[str, Any] = {
                "plate": f"{prefix}-{i:04d}",
                "name": f"{model} {i}",
                "make": make,
                "model": model,
                "year": 2015 + i % 10,
                "type": TYPES[i % len(TYPES)],
                "odometer_km": 1000.0 * i,
                "group_id": group_id if i % 5 == 0 else None,
            }
            if i % 17 == 0:
                fields["status"] = InMaintenance(shop="Main St Garage")
            vehicle = await service.create(VehicleCreate(**fields))
            made.append({"id": str(vehicle.id), "plate": vehicle.plate or ""})
        first = uuid.UUID(made[0]["id"])  # an audit trail with a change in it
        await service.update(first, VehicleUpdate(odometer_km=1234.5, tags=["e2e"]), None)
        await session.commit()
    return made


async def _group(db: Database, tenant_id: TenantId, name: str) -> uuid.UUID:
    async with db.sessionmaker() as session:
        await set_tenant(session, tenant_id)
        group = await GroupService(session, Principal.system(tenant_id)).create(
            GroupCreate.model_validate({"name": name, "kind": "depot"})
        )
        await session.commit()
        return group.id


async def _device(db: Database, tenant_id: TenantId, vehicle_id: str, unique_id: str) -> None:
    async with db.sessionmaker() as session:
        await set_tenant(session, tenant_id)
        await DeviceService(session, Principal.system(tenant_id)).create(
            DeviceCreate.model_validate(
                {"unique_id": unique_id, "protocol": "osmand", "vehicle_id": vehicle_id}
            )
        )
        await session.commit()


async def seed(url: str, http_port: int) -> dict[str, Any]:
    db = Database.connect(with_user(url, "fleetyard_app"), pool_size=2)
    suffix = uuid.uuid4().hex[:6]
    try:
        logo = f"http://127.0.0.1:{http_port}/favicon.svg"  # served by the app itself
        a = await _tenant(
            db, f"acme-{suffix}", "Acme Logistics", Branding(primary_color="#0f5132", logo_url=logo)
        )
        b = await _tenant(db, f"beta-{suffix}", "Beta Transport", Branding(primary_color="#7c2d12"))
        group = await _group(db, a, "North depot")
        a_vehicles = await _vehicles(db, a, "AC", A_VEHICLES, group)
        b_vehicles = await _vehicles(db, b, "BT", 3, None)
        await _member(db, a, f"ops-acme-{suffix}@example.com", "Ada Acme")
        await _member(db, b, f"ops-beta-{suffix}@example.com", "Bo Beta")
        for tenant in (a, b):
            await _member(db, tenant, f"both-{suffix}@example.com", "Sam Both")
        imei = f"35{int(time.time() * 1000) % 10**13:013d}"
        await _device(db, a, a_vehicles[0]["id"], imei)
    finally:
        await db.dispose()
    return {
        "password": PASSWORD,
        "a": {
            "name": "Acme Logistics",
            "slug": f"acme-{suffix}",
            "email": f"ops-acme-{suffix}@example.com",
            "color": "#0f5132",
            "vehicles": a_vehicles,
            "group": {"id": str(group), "name": "North depot"},
            "device": imei,
        },
        "b": {
            "name": "Beta Transport",
            "slug": f"beta-{suffix}",
            "email": f"ops-beta-{suffix}@example.com",
            "vehicles": b_vehicles,
        },
        "both": {"email": f"both-{suffix}@example.com"},
    }


async def send_fix(osmand_port: int, imei: str) -> None:
    """One position through the real OsmAnd gateway: the vehicle then has a latest state."""
    query = {
        "id": imei,
        "timestamp": str(int(time.time() * 1000) - 60_000),
        "lat": "60.1699000",
        "lon": "24.9384000",
        "speed": "21.6",
        "ignition": "true",
    }
    async with httpx.AsyncClient() as http:
        response = await http.post(f"http://127.0.0.1:{osmand_port}/", params=query)
        response.raise_for_status()


async def serve_until_stdin_closes() -> None:
    url = create_database()
    server: ServeProcess | None = None
    try:
        http_port, osmand_port = free_port(), free_port()
        described = await seed(url, http_port)
        log_dir = Path(tempfile.mkdtemp(prefix="fy-web-e2e-"))
        web_dir = Path(os.environ.get("FLEETYARD_WEB_DIR", REPO / "web" / "dist"))
        server = ServeProcess(
            role="all",
            database_url=url,
            http_port=http_port,
            log_dir=log_dir,
            # the browser tests sign in more than the default 10 times a minute from one IP
            settings={
                "web_dir": str(web_dir),
                "osmand_port": str(osmand_port),
                "login_attempts_per_minute": "1000",
            },
        )
        await server.start()
        await send_fix(osmand_port, described["a"]["device"])
        described["screens"] = await seed_screens(url, described, osmand_port)
        described["base_url"] = f"http://127.0.0.1:{http_port}"
        described["offline"] = await seed_offline(described["base_url"], described)
        described["log"] = str(server.log_path)
        described["map"] = await seed_map(described, osmand_port)
        print(json.dumps(described), flush=True)
        await _wait_for_stdin_eof_or_sigterm()
    finally:
        if server is not None:
            await server.stop()
        drop_database(url)


async def _wait_for_stdin_eof_or_sigterm() -> None:
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    stdin = sys.stdin.fileno()

    def on_input() -> None:
        if not os.read(stdin, 4096):  # EOF: whoever started us is gone
            loop.remove_reader(stdin)
            done.set()

    loop.add_reader(stdin, on_input)
    await done.wait()


if __name__ == "__main__":
    asyncio.run(serve_until_stdin_closes())
