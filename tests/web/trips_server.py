"""A seeded ``fleetyard serve`` for the trips and scorecard browser test (web/e2e/trips.e2e.mjs).

``python -m tests.web.trips_server``: a throw-away database, one tenant with a fleet manager,
two vehicles, an OsmAnd device on the first and a driver assigned to it. One drive is sent
through the real OsmAnd gateway, as a tracker would: half an hour ago, ignition on, up to
54 km/h northwards through central Helsinki, a harsh stop (54 → 0 km/h in 3 s, 0.5 g), then
ignition off. The pipeline detects the trip and the harsh braking (after commit, as always);
the server waits for both, prints one JSON line describing them, and runs until its standard
input closes.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from fleetyard.db import Database, with_user
from fleetyard.tenants.schemas import Branding
from tests.processes import ServeProcess, free_port
from tests.web.e2e_server import (
    PASSWORD,
    REPO,
    _member,
    _tenant,
    _vehicles,
    _wait_for_stdin_eof_or_sigterm,
    create_database,
    drop_database,
)

KNOTS_PER_KMH = 0.539957
START = (60.1650, 24.9400)
METRES_PER_DEG_LAT = 111_320.0
DETECTED_WITHIN_S = 90.0


def drive_profile() -> list[tuple[int, float, bool]]:
    """(second, speed km/h, ignition) for each fix, 1 Hz: accelerate, cruise, brake hard, park."""
    fixes: list[tuple[int, float, bool]] = [(t, 0.0, True) for t in range(5)]
    speed = 0.0
    t = 5
    while speed < 54:  # 1.5 m/s²: a calm start
        speed = min(54.0, speed + 5.4)
        fixes.append((t, speed, True))
        t += 1
    for _ in range(150):  # 2.25 km at 54 km/h
        fixes.append((t, 54.0, True))
        t += 1
    for speed in (36.0, 18.0, 0.0):  # 5 m/s², 0.51 g: harsh for any vehicle type
        fixes.append((t, speed, True))
        t += 1
    for _ in range(5):
        fixes.append((t, 0.0, True))
        t += 1
    fixes.append((t, 0.0, False))  # ignition off: the trip ends here
    for _ in range(3):
        t += 20
        fixes.append((t, 0.0, False))
    return fixes


async def send_drive(osmand_port: int, imei: str, start_ms: int) -> None:
    lat, lon = START
    previous_speed = 0.0
    async with httpx.AsyncClient(timeout=10) as http:
        for second, speed, ignition in drive_profile():
            # the distance of the last second at the mean of its two speeds, northwards
            lat += ((previous_speed + speed) / 2 / 3.6) / METRES_PER_DEG_LAT
            previous_speed = speed
            query = {
                "id": imei,
                "timestamp": str(start_ms + second * 1000),
                "lat": f"{lat:.7f}",
                "lon": f"{lon:.7f}",
                "speed": f"{speed * KNOTS_PER_KMH:.3f}",
                "bearing": "0.0",
                "ignition": "true" if ignition else "false",
                "hdop": "0.8",
                "sat": "12",
            }
            response = await http.post(f"http://127.0.0.1:{osmand_port}/", params=query)
            response.raise_for_status()


async def wait_for(api: httpx.AsyncClient, path: str, params: dict[str, str]) -> list[Any]:
    """Poll until the pipeline has produced something at ``path`` (it runs after commit)."""
    deadline = time.monotonic() + DETECTED_WITHIN_S
    while True:
        response = await api.get(path, params=params)
        response.raise_for_status()
        items: list[Any] = response.json()["items"]
        done = [i for i in items if i.get("status", "completed") == "completed"]
        if done:
            return done
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing at {path} after {DETECTED_WITHIN_S} s: {items}")
        await asyncio.sleep(0.5)


async def seed(url: str) -> dict[str, Any]:
    db = Database.connect(with_user(url, "fleetyard_app"), pool_size=2)
    suffix = uuid.uuid4().hex[:6]
    try:
        tenant = await _tenant(db, f"trips-{suffix}", "Trips Oy", Branding())
        vehicles = await _vehicles(db, tenant, "TR", 2, None)
        email = f"ops-trips-{suffix}@example.com"
        await _member(db, tenant, email, "Tia Trips")
    finally:
        await db.dispose()
    return {"password": PASSWORD, "email": email, "vehicles": vehicles}


async def drive(described: dict[str, Any], osmand_port: int) -> dict[str, Any]:
    vehicle = described["vehicles"][0]
    imei = f"87{int(time.time() * 1000) % 10**13:013d}"
    async with httpx.AsyncClient(base_url=described["base_url"], timeout=30) as api:
        login = await api.post(
            "/api/v1/auth/login", json={"email": described["email"], "password": PASSWORD}
        )
        login.raise_for_status()
        headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        device = {"unique_id": imei, "protocol": "osmand", "vehicle_id": vehicle["id"]}
        (await api.post("/api/v1/devices", json=device, headers=headers)).raise_for_status()
        made = await api.post(
            "/api/v1/drivers",
            json={"name": "Dora Driver", "assigned_vehicle_id": vehicle["id"]},
            headers=headers,
        )
        made.raise_for_status()
        start_ms = (int(time.time()) - 30 * 60) * 1000
        await send_drive(osmand_port, imei, start_ms)
        window = {
            "vehicle_id": vehicle["id"],
            "from": _iso(start_ms - 3_600_000),
            "to": _iso(int(time.time() * 1000)),
        }
        trips = await wait_for(api, "/api/v1/trips", window)
        events = await wait_for(api, "/api/v1/driving-events", window)
    return {
        "vehicle": vehicle,
        "driver": {"id": made.json()["id"], "name": "Dora Driver"},
        "trip": {"id": trips[0]["id"], "started_at": trips[0]["started_at"]},
        "events": [
            {"id": e["id"], "kind": e["kind"], "started_at": e["started_at"]} for e in events
        ],
    }


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


async def serve_until_stdin_closes() -> None:
    url = create_database()
    server: ServeProcess | None = None
    try:
        http_port, osmand_port = free_port(), free_port()
        described = await seed(url)
        web_dir = Path(os.environ.get("FLEETYARD_WEB_DIR", REPO / "web" / "dist"))
        server = ServeProcess(
            role="all",
            database_url=url,
            http_port=http_port,
            log_dir=Path(tempfile.mkdtemp(prefix="fy-web-trips-")),
            settings={
                "web_dir": str(web_dir),
                "osmand_port": str(osmand_port),
                "login_attempts_per_minute": "1000",
            },
        )
        await server.start()
        described["base_url"] = f"http://127.0.0.1:{http_port}"
        described["log"] = str(server.log_path)
        described.update(await drive(described, osmand_port))
        print(json.dumps(described), flush=True)
        await _wait_for_stdin_eof_or_sigterm()
    finally:
        if server is not None:
            await server.stop()
        drop_database(url)


if __name__ == "__main__":
    asyncio.run(serve_until_stdin_closes())
