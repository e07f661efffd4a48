"""Where the offline basemap is drawn, and how far the map may stray from it.

The extract covers a small piece of a city. Left alone, a map of it zooms out to a speck in
an empty plane and pans away to nothing; so the map settings carry ``max_bounds`` (the drawn
area and a margin: the map's centre stays inside) and ``min_zoom`` (the drawn area never
shrinks below a few hundred pixels), and the style paints what lies beyond the drawn area in
its own colour with the edge marked.
"""

from __future__ import annotations

import math
from typing import Any, Final

from fleetyard.kit.geo import METRES_PER_DEGREE, LocalProjection

Bounds = tuple[float, float, float, float]  # west, south, east, north (degrees)

MARGIN_SHARE: Final = 0.15  # of the drawn area's larger side, on every side
MIN_SPAN_PX: Final = 256  # the drawn area (and margin) is never smaller on screen than this
TILE_PX: Final = 512  # MapLibre's world is 512 px wide at zoom 0


def with_margin(bounds: Bounds, share: float = MARGIN_SHARE) -> Bounds:
    """``bounds`` grown on every side by ``share`` of its larger side (in metres, so a tall
    area gets as much room east and west as north and south)."""
    west, south, east, north = bounds
    metres_per_lon = LocalProjection((south + north) / 2).metres_per_degree_lon
    larger_m = max((east - west) * metres_per_lon, (north - south) * METRES_PER_DEGREE)
    d_lat = share * larger_m / METRES_PER_DEGREE
    d_lon = share * larger_m / metres_per_lon
    return (
        round(west - d_lon, 6),
        round(south - d_lat, 6),
        round(east + d_lon, 6),
        round(north + d_lat, 6),
    )


def _mercator_y(latitude: float) -> float:
    """0 at the top of the world, 1 at the bottom (Web Mercator, as MapLibre draws it)."""
    sin = math.sin(math.radians(latitude))
    return 0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)


def zoom_spanning(bounds: Bounds, pixels: float = MIN_SPAN_PX) -> float:
    """The zoom at which the larger side of ``bounds`` spans ``pixels`` on screen."""
    west, south, east, north = bounds
    share = max((east - west) / 360, _mercator_y(south) - _mercator_y(north))
    return round(math.log2(pixels / (TILE_PX * share)), 2)


def outline(bounds: Bounds) -> dict[str, Any]:
    """The drawn area as a GeoJSON polygon."""
    west, south, east, north = bounds
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
