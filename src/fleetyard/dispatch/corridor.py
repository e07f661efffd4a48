"""How far a vehicle is from its planned route: the distance in metres from a fix to the
route's line (shapely, in a local equirectangular projection around the fix, where a metre
is a metre in every direction to well under 1 % over a city)."""

from __future__ import annotations

from collections.abc import Sequence

from shapely.geometry import LineString, Point

from fleetyard.kit.geo import LocalProjection


def distance_to_route_m(
    latitude: float, longitude: float, line: Sequence[Sequence[float]]
) -> float | None:
    """Metres from the fix to the line of (longitude, latitude) pairs; None with no line."""
    coords = [(float(p[0]), float(p[1])) for p in line if len(p) >= 2]
    if not coords:
        return None
    projection = LocalProjection(latitude, longitude)
    xy = [projection.to_xy(lat, lon) for lon, lat in coords]
    if len(xy) == 1:
        xy.append(xy[0])
    return float(LineString(xy).distance(Point(0.0, 0.0)))
