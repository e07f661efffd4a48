"""Geo maths, once: distances and bearings on the sphere, a local flat projection for
metre-scale work, speed units, and the same haversine as a SQL expression.

Everything that measures the earth (ingest validation, place naming, the simulator's roads,
trips, geofences, the dashboard's and the health score's SQL) uses these, so a distance is the
same number wherever it is computed.

- ``haversine_m``: great-circle distance on a sphere of the mean earth radius (IUGG). Within
  0.5 % of the ellipsoid everywhere, which is far inside GPS noise over a trip.
- ``LocalProjection``: equirectangular around a reference latitude. Metres on x (east) and y
  (north) with an error well under 1 % within a few tens of kilometres of that latitude: what
  shapely needs for buffers, nearest-line and point-in-polygon in metres.
- ``haversine_sql``: the same formula as text for a SQL statement over column names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

EARTH_RADIUS_M: Final = 6_371_008.8  # mean radius (IUGG)
METRES_PER_DEGREE: Final = math.pi * EARTH_RADIUS_M / 180  # of latitude, ≈ 111,195 m

KNOTS_TO_KMH: Final = 1.852
MPH_TO_KMH: Final = 1.609344
MPS_TO_KMH: Final = 3.6

MIN_COS_LAT: Final = 0.01  # near the poles a degree of longitude is tiny, never zero


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def initial_bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial course from point 1 to point 2 on the great circle, degrees clockwise from
    north in [0, 360); 0 for the same point."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_lambda = math.radians(lon2 - lon1)
    y = math.sin(d_lambda) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(d_lambda)
    return math.degrees(math.atan2(y, x)) % 360.0


def heading_change_deg(bearing_in: float, bearing_out: float) -> float:
    """How far a course turns, in degrees (0–180), whichever way."""
    return abs((bearing_out - bearing_in + 180.0) % 360.0 - 180.0)


def step(
    latitude: float, longitude: float, bearing_deg: float, metres: float
) -> tuple[float, float]:
    """The point ``metres`` away along ``bearing_deg``, flat-earth (a step of a few hundred
    metres at most); latitude kept off the poles, longitude wrapped to [-180, 180)."""
    heading = math.radians(bearing_deg)
    lat = latitude + metres * math.cos(heading) / METRES_PER_DEGREE
    lat = max(-85.0, min(85.0, lat))
    cos_lat = max(math.cos(math.radians(lat)), MIN_COS_LAT)
    lon = longitude + metres * math.sin(heading) / (METRES_PER_DEGREE * cos_lat)
    return lat, (lon + 180.0) % 360.0 - 180.0


@dataclass(frozen=True, slots=True)
class LocalProjection:
    """Equirectangular metres around (``latitude``, ``longitude``): x east, y north."""

    latitude: float
    longitude: float = 0.0

    @property
    def metres_per_degree_lon(self) -> float:
        return METRES_PER_DEGREE * max(math.cos(math.radians(self.latitude)), MIN_COS_LAT)

    def to_xy(self, latitude: float, longitude: float) -> tuple[float, float]:
        return (
            (longitude - self.longitude) * self.metres_per_degree_lon,
            (latitude - self.latitude) * METRES_PER_DEGREE,
        )

    def to_lat_lon(self, x: float, y: float) -> tuple[float, float]:
        return (
            self.latitude + y / METRES_PER_DEGREE,
            self.longitude + x / self.metres_per_degree_lon,
        )

    def degrees_north(self, metres: float) -> float:
        """``metres`` as degrees of latitude."""
        return metres / METRES_PER_DEGREE

    def degrees_east(self, metres: float) -> float:
        """``metres`` as degrees of longitude at this latitude."""
        return metres / self.metres_per_degree_lon

    def distance_m(self, lat1: float, lon1: float, lat2: float, lon2: float) -> float:
        """Flat distance: cheap, and exact enough near the reference latitude."""
        x1, y1 = self.to_xy(lat1, lon1)
        x2, y2 = self.to_xy(lat2, lon2)
        return math.hypot(x2 - x1, y2 - y1)

    @classmethod
    def around(cls, lat1: float, lon1: float, lat2: float, lon2: float) -> LocalProjection:
        """Centred between two points (a box's corners, a segment's ends)."""
        return cls((lat1 + lat2) / 2, (lon1 + lon2) / 2)


def haversine_sql(lat1: str, lon1: str, lat2: str, lon2: str, *, unit_m: float = 1.0) -> str:
    """``haversine_m`` as a SQL expression over four column names or expressions (our own
    text, never user input), in units of ``unit_m`` metres (1000: kilometres); core
    PostgreSQL only."""
    radius = EARTH_RADIUS_M / unit_m
    return (
        f"2 * {radius!r} * asin(least(1.0, sqrt("
        f"power(sin(radians({lat2} - {lat1}) / 2), 2)"
        f" + cos(radians({lat1})) * cos(radians({lat2}))"
        f" * power(sin(radians({lon2} - {lon1}) / 2), 2))))"
    )


__all__ = [
    "EARTH_RADIUS_M",
    "KNOTS_TO_KMH",
    "METRES_PER_DEGREE",
    "MPH_TO_KMH",
    "MPS_TO_KMH",
    "LocalProjection",
    "haversine_m",
    "haversine_sql",
    "heading_change_deg",
    "initial_bearing_deg",
    "step",
]
