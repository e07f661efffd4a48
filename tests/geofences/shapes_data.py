"""Geometry helpers for the geofence tests: fences around a point in metres, and fixes along
a line through them, with known crossings."""

from __future__ import annotations

import math
from typing import Any

from fleetyard.kit.geo import LocalProjection

# Helsinki, Pasila: the tests' fences sit around here
CENTRE = (60.1990, 24.9340)


def offset(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point ``east_m``, ``north_m`` away from (lat, lon)."""
    return LocalProjection(lat, lon).to_lat_lon(east_m, north_m)


def square(half_m: float, centre: tuple[float, float] = CENTRE) -> dict[str, Any]:
    """A GeoJSON square ``2 * half_m`` wide around ``centre``."""
    lat, lon = centre
    corners = [(-half_m, -half_m), (half_m, -half_m), (half_m, half_m), (-half_m, half_m)]
    ring = [list(reversed(offset(lat, lon, x, y))) for x, y in corners]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def point(centre: tuple[float, float] = CENTRE) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [centre[1], centre[0]]}


def circle_body(name: str, radius_m: float, **more: Any) -> dict[str, Any]:
    return {"name": name, "geometry": point(), "radius_m": radius_m, **more}


def square_body(name: str, half_m: float, **more: Any) -> dict[str, Any]:
    return {"name": name, "geometry": square(half_m), **more}


def east_of_centre(metres: float) -> tuple[float, float]:
    return offset(*CENTRE, metres, 0.0)


def distance_east(lat: float, lon: float) -> float:
    x, _ = LocalProjection(*CENTRE).to_xy(lat, lon)
    return x if math.isfinite(x) else 0.0
