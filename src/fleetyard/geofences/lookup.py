"""Naming a place by the geofence it is in, for other domains (a trip's start and end).

Two doors onto one rule (the smallest geofence that plainly contains the point):

- in the ingest pipeline, ``Telematics.geofences.geofence_at(tenant_id, lat, lon)``
  (``GeofenceRules``): the handler's cached index, no query;
- anywhere with a tenant-scoped session (an API request), ``geofence_at(session, tenant_id,
  lat, lon)`` below: the fences whose bounding box holds the point, read by their box
  columns, then tested exactly; ``geofence_places`` does a page of points in one query and
  is the trips' hook (``app.state.geofence_places``, see ``fleetyard.trips.places``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleetyard.geofences.shapes import FenceShape, from_geojson
from fleetyard.models.geofence import Geofence
from fleetyard.places.naming import GeofencePlace as NamedGeofence
from fleetyard.places.naming import Place


@dataclass(frozen=True, slots=True)
class GeofencePlace:
    geofence_id: uuid.UUID
    name: str
    kind: str = "geofence"


async def geofence_at(
    session: AsyncSession, tenant_id: uuid.UUID, latitude: float, longitude: float
) -> GeofencePlace | None:
    g = Geofence.__table__.c
    rows = (
        await session.execute(
            select(g.id, g.name, g.geometry, g.radius_m, g.area_m2).where(
                g.tenant_id == tenant_id,
                g.min_latitude <= latitude,
                g.max_latitude >= latitude,
                g.min_longitude <= longitude,
                g.max_longitude >= longitude,
            )
        )
    ).all()
    inside = [
        row
        for row in sorted(rows, key=lambda r: r.area_m2)
        if from_geojson(row.geometry, row.radius_m).contains(latitude, longitude)
    ]
    return GeofencePlace(inside[0].id, inside[0].name) if inside else None


async def geofence_places(
    session: AsyncSession, tenant_id: uuid.UUID, points: Sequence[tuple[float, float]]
) -> list[Place | None]:
    """Per (latitude, longitude): the smallest geofence holding it, or None; one query for
    the fences whose boxes meet the points' box."""
    if not points:
        return []
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    g = Geofence.__table__.c
    rows = (
        await session.execute(
            select(g.id, g.name, g.geometry, g.radius_m, g.area_m2)
            .where(
                g.tenant_id == tenant_id,
                g.min_latitude <= north,
                g.max_latitude >= south,
                g.min_longitude <= east,
                g.max_longitude >= west,
            )
            .order_by(g.area_m2)
        )
    ).all()
    shapes: list[tuple[Any, FenceShape]] = [
        (row, from_geojson(row.geometry, row.radius_m)) for row in rows
    ]
    named: list[Place | None] = []
    for lat, lon in points:
        found = next((row for row, shape in shapes if shape.contains(lat, lon)), None)
        named.append(NamedGeofence(found.id, found.name) if found is not None else None)
    return named
