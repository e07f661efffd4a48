"""Geofences for the benchmarks: ``count`` circles and polygons scattered where the simulated
trackers drive (within ``spread_m`` of their start, as a city's depots and customer sites
are), one in two hundred a district big enough that many vehicles are inside at once, a tenth
with a speed limit, a fifth with a dwell time. Each is
validated by the same shapes module the API uses, then inserted as the owner (COPY-like
speed; the rows are what the service would write)."""

from __future__ import annotations

import json
import math
import random
import uuid
from typing import Any

import asyncpg

from _seed import plain_url
from fleetyard.geofences.shapes import FenceShape, circle, polygon
from fleetyard.kit.geo import LocalProjection
from fleetyard.kit.ids import uuid7

COLUMNS = (
    "tenant_id",
    "id",
    "name",
    "colour",
    "shape",
    "geometry",
    "radius_m",
    "area_m2",
    "min_latitude",
    "min_longitude",
    "max_latitude",
    "max_longitude",
    "all_vehicles",
    "group_ids",
    "speed_limit_kmh",
    "dwell_minutes",
    "alert_on",
)


def _polygon_ring(
    rng: random.Random, frame: LocalProjection, x: float, y: float
) -> list[list[float]]:
    """A star-convex polygon (never self-intersecting) of 5-12 corners, 40-600 m across."""
    corners = rng.randint(5, 12)
    size = rng.uniform(20, 300)
    ring = []
    for k in range(corners):
        angle = 2 * math.pi * k / corners
        reach = size * rng.uniform(0.6, 1.0)
        lat, lon = frame.to_lat_lon(x + reach * math.cos(angle), y + reach * math.sin(angle))
        ring.append([lon, lat])
    return [*ring, ring[0]]


def fence_rows(
    tenant_id: uuid.UUID,
    count: int,
    centre: tuple[float, float],
    spread_m: float,
    seed: int,
    group_id: uuid.UUID | None = None,
) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    frame = LocalProjection(*centre)
    rows = []
    for number in range(count):
        x, y = (rng.uniform(-spread_m, spread_m) for _ in range(2))
        if number < max(1, count // 200):  # a few districts many vehicles cross or stay in
            x, y = x / 2, y / 2
            radius = rng.uniform(1000, 2500)
        else:  # depots, customer sites, yards
            radius = rng.uniform(30, 400)
        lat, lon = frame.to_lat_lon(x, y)
        shape: FenceShape
        if rng.random() < 0.5:
            geometry: dict[str, Any] = {"type": "Point", "coordinates": [lon, lat]}
            shape = circle(geometry["coordinates"], radius)
        else:
            geometry = {"type": "Polygon", "coordinates": [_polygon_ring(rng, frame, x, y)]}
            shape = polygon(geometry["coordinates"])
            radius = 0
        b = shape.bounds
        scoped = group_id is not None and rng.random() < 0.1
        rows.append(
            (
                tenant_id,
                uuid7(),
                f"Bench site {number:04d}",
                "#2563eb",
                shape.shape.value,
                json.dumps(geometry),
                radius or None,
                shape.area_m2(),
                b.min_latitude,
                b.min_longitude,
                b.max_latitude,
                b.max_longitude,
                not scoped,
                [group_id] if scoped else [],
                rng.choice([30, 40]) if rng.random() < 0.1 else None,
                rng.choice([5, 15]) if rng.random() < 0.2 else None,
                ["enter"] if rng.random() < 0.05 else [],
            )
        )
    return rows


async def seed_geofences(
    url: str,
    tenant_id: uuid.UUID,
    count: int,
    centre: tuple[float, float],
    *,
    spread_m: float = 12_000.0,
    seed: int = 1,
) -> int:
    rows = fence_rows(tenant_id, count, centre, spread_m, seed)
    conn = await asyncpg.connect(plain_url(url))
    try:
        await conn.copy_records_to_table("geofences", records=rows, columns=COLUMNS)
    finally:
        await conn.close()
    return len(rows)
