"""The server for Settings → Integrations' browser test (web/e2e/integrations.e2e.mjs).

``python -m tests.web.integrations_server`` makes a throw-away database on the test
PostgreSQL, seeds a tenant with an admin and five vehicles, starts a fake Samsara cloud on
127.0.0.1 (``tests/integrations/providers/fake_samsara.py``: the documented API, a real HTTP
server) and the real ``fleetyard serve`` (role ``all``: API, web app, ingest and the
integrations runner), prints one JSON line describing all that, and runs until its standard
input closes (or SIGTERM); then it stops both and drops the database.

The fake account holds two vehicles driving loops around central Helsinki, a new GPS fix each
every 2 s on the stats feed: "Little Red", whose plate is one of ours (matched by itself), and
"Big Red", which matches none of ours (the test matches it by hand). The runner's lease is
renewed every 2 s instead of 10, so a saved connection is claimed within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fleetyard.auth.principal import Principal
from fleetyard.auth.roles import Role
from fleetyard.db import Database, set_tenant, with_user
from fleetyard.kit.ids import TenantId
from fleetyard.members.schemas import MemberCreate
from fleetyard.members.service import MemberService
from fleetyard.tenants.schemas import Branding, TenantCreate
from fleetyard.tenants.service import TenantService
from fleetyard.vehicles.schemas import VehicleCreate, VehicleType
from fleetyard.vehicles.service import VehicleService
from tests.integrations.providers.fake_samsara import TOKEN, FakeSamsara, serving
from tests.processes import ServeProcess, free_port
from tests.web.e2e_server import (
    PASSWORD,
    _wait_for_stdin_eof_or_sigterm,
    create_database,
    drop_database,
)
from tests.web.seed_map import SPEED_MS, point_along

REPO = Path(__file__).resolve().parents[2]
FIX_EVERY_S = 2.0
MPH_PER_MS = 2.236936
# (vendor id, name, plate or None, metres apart on the loop)
VENDOR_VEHICLES = [
    ("281474977075805", "Little Red", "SYN-123", 0.0),
    ("212014918732717", "Big Red", None, 700.0),
]
OUR_VEHICLES = [
    ("SYN-123", "Transit 1"),
    ("HEL-202", "Sprinter 2"),
    ("HEL-203", "Crafter 3"),
    ("HEL-204", "Vito 4"),
    ("HEL-205", "Kangoo 5"),
]


def vehicle_list() -> dict[str, Any]:
    """``GET /fleet/vehicles`` as Samsara documents it, one page."""
    data = []
    for vendor_id, name, plate, _ in VENDOR_VEHICLES:
        record: dict[str, Any] = {"id": vendor_id, "name": name, "make": "Ford"}
        if plate:
            record["licensePlate"] = plate
        data.append(record)
    return {"data": data, "pagination": {"endCursor": "", "hasNextPage": False}}


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def feed_page(number: int, driven_m: float) -> dict[str, Any]:
    """One page of ``/fleet/vehicles/stats/feed``: a GPS fix of each vehicle, now."""
    now = _stamp(datetime.now(UTC))
    data = []
    for vendor_id, name, _, offset_m in VENDOR_VEHICLES:
        lat, lon, heading = point_along(driven_m + offset_m)
        gps = {
            "time": now,
            "latitude": round(lat, 7),
            "longitude": round(lon, 7),
            "headingDegrees": round(heading, 1),
            "speedMilesPerHour": round(SPEED_MS * MPH_PER_MS, 1),
            "isEcuSpeed": True,
        }
        data.append({"id": vendor_id, "name": name, "gps": [gps]})
    return {"data": data, "pagination": {"endCursor": f"e2e-{number:06d}", "hasNextPage": False}}


async def drive(fake: FakeSamsara) -> None:
    """A new feed page every FIX_EVERY_S, chained after the last (which now says there is
    more), as Samsara's feed grows while the vehicles drive."""
    number, driven = 0, 0.0
    while True:
        number += 1
        driven += SPEED_MS * FIX_EVERY_S
        if fake.feed_pages:
            fake.feed_pages[-1]["pagination"]["hasNextPage"] = True
        fake.feed_pages.append(feed_page(number, driven))
        await asyncio.sleep(FIX_EVERY_S)


async def seed(url: str) -> dict[str, Any]:
    db = Database.connect(with_user(url, "fleetyard_app"), pool_size=2)
    suffix = uuid.uuid4().hex[:6]
    email = f"admin-{suffix}@example.com"
    try:
        async with db.sessionmaker() as session:
            tenant = await TenantService(session).create(
                TenantCreate(
                    slug=f"yard-{suffix}",
                    name="Yard Logistics",
                    branding=Branding(primary_color="#1d4ed8"),
                )
            )
            await session.commit()
        tenant_id = TenantId(tenant.id)
        async with db.sessionmaker() as session:
            await set_tenant(session, tenant_id)
            system = Principal.system(tenant_id)
            await MemberService(session, system).add(
                MemberCreate(
                    email=email, role=Role.ADMIN, password=PASSWORD, display_name="Ana Admin"
                )
            )
            vehicles = []
            for plate, name in OUR_VEHICLES:
                made = await VehicleService(session, system).create(
                    VehicleCreate(plate=plate, name=name, type=VehicleType.VAN)
                )
                vehicles.append({"id": str(made.id), "plate": plate, "name": name})
            await session.commit()
    finally:
        await db.dispose()
    return {"email": email, "password": PASSWORD, "vehicles": vehicles}


async def serve_until_stdin_closes() -> None:
    fake = FakeSamsara(vehicle_pages=[vehicle_list()])
    url = create_database()
    server: ServeProcess | None = None
    mover = asyncio.create_task(drive(fake), name="fake-samsara-fleet")
    try:
        async with serving(fake) as samsara_url:
            described = await seed(url)
            http_port = free_port()
            web_dir = Path(os.environ.get("FLEETYARD_WEB_DIR", REPO / "web" / "dist"))
            server = ServeProcess(
                role="all",
                database_url=url,
                http_port=http_port,
                log_dir=Path(tempfile.mkdtemp(prefix="fy-web-integrations-")),
                settings={
                    "web_dir": str(web_dir),
                    "login_attempts_per_minute": "1000",
                    "integration_renew_s": "2",
                    "integration_lease_s": "10",
                },
            )
            await server.start()
            described["base_url"] = f"http://127.0.0.1:{http_port}"
            described["log"] = str(server.log_path)
            described["samsara"] = {
                "base_url": samsara_url,
                "token": TOKEN,
                "vehicles": [
                    {"vendor_id": vendor_id, "name": name, "plate": plate}
                    for vendor_id, name, plate, _ in VENDOR_VEHICLES
                ],
            }
            print(json.dumps(described), flush=True)
            await _wait_for_stdin_eof_or_sigterm()
    finally:
        mover.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await mover
        if server is not None:
            await server.stop()
        drop_database(url)


if __name__ == "__main__":
    asyncio.run(serve_until_stdin_closes())
