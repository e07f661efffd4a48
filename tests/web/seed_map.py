"""Seeding for the live map's browser tests (web/e2e/map.e2e.mjs).

Through the running server's own API and OsmAnd gateway, as a phone or tracker would: a
device on tenant A's second vehicle, a driver assigned to it, five minutes of history
(one fix every 2 s), then a fix every second for as long as the server runs. The vehicle
drives a loop of about 1.4 km around central Helsinki at 12 m/s, so each move is
plausible (the ingest pipeline flags teleports).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from typing import Any

import httpx

SPEED_MS = 12.0
KNOTS_PER_MS = 1.943844
HISTORY_S = 300
HISTORY_EVERY_S = 2
# (lat, lon) corners of the loop, clockwise
LOOP = [(60.1699, 24.9384), (60.1731, 24.9384), (60.1731, 24.9462), (60.1699, 24.9462)]
_movers: set[asyncio.Task[None]] = set()


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = (b[0] - a[0]) * 111_320
    dlon = (b[1] - a[1]) * 111_320 * math.cos(math.radians(a[0]))
    return math.hypot(dlat, dlon)


def point_along(distance_m: float) -> tuple[float, float, float]:
    """(lat, lon, bearing) after driving ``distance_m`` around the loop."""
    legs = list(zip(LOOP, LOOP[1:] + LOOP[:1], strict=True))
    lengths = [_metres(a, b) for a, b in legs]
    distance_m %= sum(lengths)
    for (a, b), length in zip(legs, lengths, strict=True):
        if distance_m <= length:
            f = distance_m / length
            bearing = math.degrees(
                math.atan2((b[1] - a[1]) * math.cos(math.radians(a[0])), b[0] - a[0])
            )
            return a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, bearing % 360
        distance_m -= length
    return LOOP[0][0], LOOP[0][1], 0.0


async def _send(http: httpx.AsyncClient, port: int, imei: str, at_ms: int, distance: float) -> None:
    lat, lon, bearing = point_along(distance)
    query = {
        "id": imei,
        "timestamp": str(at_ms),
        "lat": f"{lat:.7f}",
        "lon": f"{lon:.7f}",
        "speed": f"{SPEED_MS * KNOTS_PER_MS:.2f}",
        "bearing": f"{bearing:.1f}",
        "ignition": "true",
    }
    response = await http.post(f"http://127.0.0.1:{port}/", params=query)
    response.raise_for_status()


async def _drive(port: int, imei: str, distance: float) -> None:
    """A fix a second until the server goes away (or the loop ends)."""
    async with httpx.AsyncClient(timeout=5) as http:
        while True:
            distance += SPEED_MS
            with contextlib.suppress(httpx.HTTPError):
                await _send(http, port, imei, int(time.time() * 1000), distance)
            await asyncio.sleep(1.0)


async def seed_map(described: dict[str, Any], osmand_port: int) -> dict[str, Any]:
    tenant = described["a"]
    vehicle = tenant["vehicles"][3]  # [1] and [2] are the screens seeding's
    imei = f"86{int(time.time() * 1000) % 10**13:013d}"
    async with httpx.AsyncClient(base_url=described["base_url"], timeout=30) as api:
        login = await api.post(
            "/api/v1/auth/login", json={"email": tenant["email"], "password": described["password"]}
        )
        login.raise_for_status()
        headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        device = {"unique_id": imei, "protocol": "osmand", "vehicle_id": vehicle["id"]}
        (await api.post("/api/v1/devices", json=device, headers=headers)).raise_for_status()
        driver = {"name": "Dana Driver", "assigned_vehicle_id": vehicle["id"]}
        (await api.post("/api/v1/drivers", json=driver, headers=headers)).raise_for_status()
    now_ms = int(time.time() * 1000)
    distance = 0.0
    async with httpx.AsyncClient(timeout=10) as http:
        for ago in range(HISTORY_S, 0, -HISTORY_EVERY_S):
            distance += SPEED_MS * HISTORY_EVERY_S
            await _send(http, osmand_port, imei, now_ms - ago * 1000, distance)
    mover = asyncio.create_task(_drive(osmand_port, imei, distance), name="e2e-map-mover")
    _movers.add(mover)
    mover.add_done_callback(_movers.discard)
    return {
        "vehicle": vehicle,
        "device": imei,
        "driver": driver["name"],
        "history_from_ms": now_ms - HISTORY_S * 1000,
    }
